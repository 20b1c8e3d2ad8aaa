import { ECA } from '../epics/status.js';

/**
 * A put the PV refuses or that fails while completing. `status` is the CA status a client sees
 * (ECA_PUTFAIL by default, ECA_NOWTACCESS for read-only fields, ECA_BADTYPE for impossible values).
 */
export class PutError extends Error {
  override name = 'PutError';
  constructor(
    message: string,
    readonly status: number = ECA.PUTFAIL,
  ) {
    super(message);
  }
}
