/**
 * Status codes the database reports for puts and reads. Records and put handlers say why a put failed
 * with these numbers, which are caerr.h's ECA_* ((message number << 3) | severity); the CA server sends
 * them as they are, the PVA server turns them into a Status with the message text.
 */
export const ECA = {
  NORMAL: 1, // (0 << 3) | SUCCESS
  ALLOCMEM: 48, // (6 << 3) | WARNING
  TOLARGE: 72, // (9 << 3) | WARNING
  TIMEOUT: 80, // (10 << 3) | WARNING
  BADTYPE: 114, // (14 << 3) | ERROR
  INTERNAL: 142, // (17 << 3) | FATAL
  GETFAIL: 152, // (19 << 3) | WARNING
  PUTFAIL: 160, // (20 << 3) | WARNING
  BADCOUNT: 176, // (22 << 3) | WARNING
  BADSTR: 186, // (23 << 3) | ERROR
  DISCONN: 192, // (24 << 3) | WARNING
  BADMONID: 242, // (30 << 3) | ERROR
  DEFUNCT: 278, // (34 << 3) | FATAL
  PUTCBINPROG: 362, // (45 << 3) | ERROR
  NORDACCESS: 368, // (46 << 3) | WARNING
  NOWTACCESS: 376, // (47 << 3) | WARNING
  NOCONVERT: 400, // (50 << 3) | WARNING
  BADCHID: 410, // (51 << 3) | ERROR
} as const;
export type EcaStatus = (typeof ECA)[keyof typeof ECA];

export const ecaMessage: Record<number, string> = {
  [ECA.NORMAL]: 'Normal successful completion',
  [ECA.ALLOCMEM]: 'Unable to allocate additional dynamic memory',
  [ECA.TOLARGE]: 'The requested transfer is greater than available memory or EPICS_CA_MAX_ARRAY_BYTES',
  [ECA.TIMEOUT]: 'User specified timeout on IO operation expired',
  [ECA.BADTYPE]: 'The data type specifed is invalid',
  [ECA.INTERNAL]: 'Channel Access Internal Failure',
  [ECA.GETFAIL]: 'Channel read request failed',
  [ECA.PUTFAIL]: 'Channel write request failed',
  [ECA.BADCOUNT]: 'Invalid element count requested',
  [ECA.BADSTR]: 'Invalid string',
  [ECA.DISCONN]: 'Virtual circuit disconnect',
  [ECA.BADMONID]: 'Bad event subscription (monitor) identifier',
  [ECA.DEFUNCT]: 'Remote Channel Access server does not support this request',
  [ECA.PUTCBINPROG]: 'Put callback timed out',
  [ECA.NORDACCESS]: 'Read access denied',
  [ECA.NOWTACCESS]: 'Write access denied',
  [ECA.NOCONVERT]: 'Data conversion between client\'s type and the server\'s type failed',
  [ECA.BADCHID]: 'Invalid channel identifier',
};
