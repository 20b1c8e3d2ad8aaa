/**
 * The root of every error a user can fix: a bad option, a misspelled key in a profile, manifest or rules
 * file, a `.db` file that does not parse. Its message names what to fix (one line per problem), so the
 * command line prints every kind the same way: no stack, exit code 2, unless a command maps it (`serve`
 * exits 1 for a database that does not load). Code that finds a bug in beamtwin itself throws a plain
 * Error instead.
 */
export class UserError extends Error {
  override name = 'UserError';
}
