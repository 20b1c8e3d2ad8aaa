// Channel Access constants, named as in EPICS base (caProto.h, caerr.h, db_access.h, alarm.h).
// The EPICS-wide ones (alarms, event masks, status codes, the epoch) live in ioc/epics and are re-exported
// here so existing imports keep working.
export { AlarmStatus, alarmStatusNames, Severity, severityNames } from '../../epics/alarm.js';
export { DBE } from '../../epics/events.js';
export { MAX_STRING_SIZE } from '../../epics/field-type.js';
export { ECA, ecaMessage, type EcaStatus } from '../../epics/status.js';
export { EPICS_EPOCH_OFFSET } from '../../epics/time.js';

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

export const AccessRights = { READ: 1, WRITE: 2 } as const;
