// Channel Access constants, named as in EPICS base (caProto.h, caerr.h, db_access.h, alarm.h).

/** Protocol minor version we speak and advertise (CA 4.13). */
export const CA_MINOR_VERSION = 13;
/** Clients older than this get ECA_DEFUNCT (CA_MINIMUM_SUPPORTED_VERSION). */
export const CA_MINIMUM_SUPPORTED_VERSION = 4;
export const CA_DEFAULT_SERVER_PORT = 5064; // 5056 + 2 * major(4)
export const CA_DEFAULT_REPEATER_PORT = 5065;
export const CA_DEFAULT_MAX_ARRAY_BYTES = 16384;
export const HEADER_SIZE = 16;
export const EXTENDED_HEADER_SIZE = 24;
/** Payload/count values at or above these force the extended header. */
export const EXTENDED_SIZE_MARK = 0xffff;
export const EXTENDED_COUNT_MARK = 0xffff;
export const MAX_STRING_SIZE = 40;
export const MAX_ENUM_STATES = 16;
export const MAX_ENUM_STRING_SIZE = 26;
export const MAX_UNITS_SIZE = 8;
export const SEARCH_DO_REPLY = 10;
export const SEARCH_DONT_REPLY = 5;
/** Search reply p1: "use the datagram's source address". */
export const INADDR_NONE = 0xffffffff;

export const Command = {
  VERSION: 0,
  EVENT_ADD: 1,
  EVENT_CANCEL: 2,
  READ: 3,
  WRITE: 4,
  SNAPSHOT: 5,
  SEARCH: 6,
  BUILD: 7,
  EVENTS_OFF: 8,
  EVENTS_ON: 9,
  READ_SYNC: 10,
  ERROR: 11,
  CLEAR_CHANNEL: 12,
  RSRV_IS_UP: 13,
  NOT_FOUND: 14,
  READ_NOTIFY: 15,
  READ_BUILD: 16,
  REPEATER_CONFIRM: 17,
  CREATE_CHAN: 18,
  WRITE_NOTIFY: 19,
  CLIENT_NAME: 20,
  HOST_NAME: 21,
  ACCESS_RIGHTS: 22,
  ECHO: 23,
  REPEATER_REGISTER: 24,
  SIGNAL: 25,
  CREATE_CH_FAIL: 26,
  SERVER_DISCONN: 27,
} as const;
export type Command = (typeof Command)[keyof typeof Command];

export const commandName: Record<number, string> = Object.fromEntries(
  Object.entries(Command).map(([k, v]) => [v, k]),
);

/** ECA status codes: (message number << 3) | severity (caerr.h). */
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

/** Monitor event mask bits (dbEvent.h / caeventmask.h). */
export const DBE = {
  VALUE: 1,
  LOG: 2,
  ARCHIVE: 2,
  ALARM: 4,
  PROPERTY: 8,
} as const;

export const AccessRights = { READ: 1, WRITE: 2 } as const;

/** Alarm severities (alarm.h). */
export const Severity = { NO_ALARM: 0, MINOR: 1, MAJOR: 2, INVALID: 3 } as const;
export const severityNames = ['NO_ALARM', 'MINOR', 'MAJOR', 'INVALID'] as const;

/** Alarm conditions (alarm.h, menuAlarmStat). */
export const AlarmStatus = {
  NO_ALARM: 0,
  READ: 1,
  WRITE: 2,
  HIHI: 3,
  HIGH: 4,
  LOLO: 5,
  LOW: 6,
  STATE: 7,
  COS: 8,
  COMM: 9,
  TIMEOUT: 10,
  HWLIMIT: 11,
  CALC: 12,
  SCAN: 13,
  LINK: 14,
  SOFT: 15,
  BAD_SUB: 16,
  UDF: 17,
  DISABLE: 18,
  SIMM: 19,
  READ_ACCESS: 20,
  WRITE_ACCESS: 21,
} as const;
export const alarmStatusNames = Object.keys(AlarmStatus) as readonly string[];

/** EPICS epoch (1990-01-01T00:00:00Z) in POSIX seconds. */
export const EPICS_EPOCH_OFFSET = 631152000;
