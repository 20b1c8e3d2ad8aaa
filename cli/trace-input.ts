// The trace and configuration files `score`, `score-dataset` and `validate` read: a file the user named
// that is missing or malformed is a usage error naming the option and the file.
import fs from 'node:fs';
import type { EnvtraceConfig } from '../aligner/presets/envtrace.js';
import { parseTrace, TraceFormatError } from '../aligner/io/read-trace.js';
import type { Event } from '../aligner/trace.js';
import { UsageError, type CliIo } from './io.js';

/**
 * Read a trace given to `option` (--gt, --pred, --expect): a missing file, a directory, an empty file or
 * one that is not a trace is a usage error (exit 2) naming the option and the file.
 */
export function readTraceOrFail(path: string, io: CliIo, option = 'trace', keep: ReadonlySet<string> = new Set()): Event[] {
  const fail = (what: string) => new UsageError(`${option} ${path}: ${what}`);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch {
    throw fail('no such file');
  }
  if (stat.isDirectory()) throw fail('is a directory, not a trace file');
  const text = fs.readFileSync(path, 'utf8');
  if (!text.trim()) throw fail('is empty');
  try {
    const t = parseTrace(text, path, keep);
    for (const w of t.warnings) io.stderr.write(`beamtwin: warning: ${w}\n`);
    return t.events;
  } catch (e) {
    if (e instanceof TraceFormatError) throw new UsageError(`${option} ${(e as Error).message}`);
    throw e;
  }
}

/** An EnvTrace configuration file (JSON or YAML, loaded on use); a bad one is a usage error. */
export async function loadConfigOrFail(path: string | undefined): Promise<EnvtraceConfig | undefined> {
  if (!path) return undefined;
  const { ConfigError, loadEnvtraceConfig } = await import('../aligner/config.js');
  try {
    return loadEnvtraceConfig(path);
  } catch (e) {
    if (e instanceof ConfigError || (e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError((e as Error).message);
    throw e;
  }
}

