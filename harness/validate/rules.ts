import { z } from 'zod';
import { checkShape, must, readUserFile } from '../../devices/profile/user-file.js';
import { UserError } from '../../ioc/user-error.js';


/**
 * Site rules for `beamtwin validate`: a small declarative file (YAML or JSON). Strict: a rules file with
 * `forbiden:` is an error, not a validator that silently checks nothing.
 */
export const rulesSchema = z.strictObject(
  {
    /** Allowed value ranges per PV (globs allowed): every value written to or reached by it must fit. */
    ranges: z
      .record(z.string(), z.strictObject({ min: z.number(must('a number')).optional(), max: z.number(must('a number')).optional() }, must('{min, max}')), must('a mapping from PV names to {min, max}'))
      .optional(),
    /** PVs (globs allowed) that must not be written. */
    forbidden: z.array(z.string(must('a PV name')), must('a list of PV names')).optional(),
    /** Longest allowed run, seconds of twin time. */
    maxDuration: z.number(must('seconds')).positive(must('a positive number of seconds')).optional(),
    /** Reads and writes of PVs the real beamline lacks (catch-all hits) break the rules unless this is true. */
    allowUnknownPvs: z.boolean(must('true or false')).optional(),
    /** Soft-limit violations and hard-limit hits break the rules unless this is true. */
    allowLimitViolations: z.boolean(must('true or false')).optional(),
  },
  must('a mapping'),
);

export type Rules = z.output<typeof rulesSchema>;

const usage = (msg: string) => new UserError(msg);

/** Read and check a rules file; what is wrong with it is a UserError naming the file (and the key). */
export function loadRules(file: string): Rules {
  return checkShape(rulesSchema, readUserFile(file, 'rules file', usage), file, usage);
}
