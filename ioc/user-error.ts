/**
 * The root of every error a user can fix: a bad option, a misspelled key in a profile, manifest or rules
 * file, a `.db` file that does not parse. Its message is complete on one line and names what to fix, so
 * the command line prints every kind the same way (no stack, exit code 2). Code that finds a bug in
 * beamtwin itself throws a plain Error instead.
 */
export class UserError extends Error {
  override name = 'UserError';
}
