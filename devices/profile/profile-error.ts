import { UserError } from '../../ioc/user-error.js';

/**
 * A beamline profile the user can fix: a missing or unparsable file, a bad shape, an unknown device kind, a
 * bad device setting. Kept in a file of its own so the CLI can tell it apart without loading the profiles.
 */
export class ProfileError extends UserError {
  override name = 'ProfileError';
}
