import { ECA, ecaMessage } from '../protocol/constants.js';

/** Name of an ECA status code ("ECA_TIMEOUT"), or its number. */
export function ecaName(status: number): string {
  const entry = Object.entries(ECA).find(([, v]) => v === status);
  return entry ? `ECA_${entry[0]}` : String(status);
}

/**
 * A Channel Access operation failed. `status` is the ECA code the server (or the client itself, for
 * timeouts and disconnects) reported: ECA.TIMEOUT, ECA.DISCONN, ECA.PUTFAIL, ECA.NOWTACCESS, ECA.BADTYPE …
 */
export class CaError extends Error {
  override name = 'CaError';
  constructor(
    readonly status: number,
    message?: string,
    readonly pvName?: string,
  ) {
    super(
      `${pvName ? `${pvName}: ` : ''}${message ?? ecaMessage[status] ?? 'Channel Access error'} (${ecaName(status)})`,
    );
  }

  get statusName(): string {
    return ecaName(this.status);
  }
}
