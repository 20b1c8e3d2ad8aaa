// pvAccess protocol constants, named as in the protocol specification and pvxs (pvaproto.h).

export const MAGIC = 0xca;
/** Protocol version we speak and advertise; pvxs and pvAccessCPP send 2. */
export const PVA_VERSION = 2;
export const HEADER_SIZE = 8;
export const PVA_DEFAULT_SERVER_PORT = 5075;
export const PVA_DEFAULT_BROADCAST_PORT = 5076;

/** Header flag bits. */
export const Flags = {
  /** Set: a control message (flow control, byte order); clear: an application message. */
  CONTROL: 0x01,
  /** Segmentation, two bits: none, first, last, middle. */
  SEGMENT_MASK: 0x30,
  SEGMENT_FIRST: 0x10,
  SEGMENT_LAST: 0x20,
  SEGMENT_MIDDLE: 0x30,
  /** Set on messages a server sends. */
  SERVER: 0x40,
  /** Set: the payload (and the size field) is big-endian. */
  BIG_ENDIAN: 0x80,
} as const;

/** Application message commands. */
export const Cmd = {
  BEACON: 0,
  CONNECTION_VALIDATION: 1,
  ECHO: 2,
  SEARCH: 3,
  SEARCH_RESPONSE: 4,
  AUTHNZ: 5,
  ACL_CHANGE: 6,
  CREATE_CHANNEL: 7,
  DESTROY_CHANNEL: 8,
  CONNECTION_VALIDATED: 9,
  GET: 10,
  PUT: 11,
  PUT_GET: 12,
  MONITOR: 13,
  ARRAY: 14,
  DESTROY_REQUEST: 15,
  PROCESS: 16,
  GET_FIELD: 17,
  MESSAGE: 18,
  MULTIPLE_DATA: 19,
  RPC: 20,
  CANCEL_REQUEST: 21,
  ORIGIN_TAG: 22,
} as const;
export type Cmd = (typeof Cmd)[keyof typeof Cmd];
export const cmdName: Record<number, string> = Object.fromEntries(Object.entries(Cmd).map(([k, v]) => [v, k]));

/** Control message commands (the header's size field carries their value). */
export const Ctrl = {
  MARK_TOTAL_BYTES_SENT: 0,
  ACK_TOTAL_BYTES_RECEIVED: 1,
  SET_BYTE_ORDER: 2,
  ECHO_REQUEST: 3,
  ECHO_RESPONSE: 4,
} as const;

/** Subcommand bits of GET, PUT, PUT_GET, MONITOR requests. */
export const Sub = {
  EXEC: 0x00,
  /** MONITOR: with START (0x44 = start, 0x04 = stop). */
  PROCESS: 0x04,
  INIT: 0x08,
  DESTROY: 0x10,
  /** PUT: fetch the current value; MONITOR: start. */
  GET: 0x40,
  /** PUT_GET: fetch the put structure; MONITOR INIT: pipelined; MONITOR: an ack. */
  GET_PUT: 0x80,
  PIPELINE: 0x80,
} as const;

/** Search request flags. */
export const SearchFlags = {
  /** Answer even when no name is found (a ping). */
  REPLY_REQUIRED: 0x01,
  /** Sent to one server rather than broadcast. */
  UNICAST: 0x80,
} as const;

/** Status types (pvData Status); 0xFF on the wire is a bare OK. */
export const StatusType = { OK: 0, WARNING: 1, ERROR: 2, FATAL: 3 } as const;
export type StatusType = (typeof StatusType)[keyof typeof StatusType];

/** MESSAGE types. */
export const MessageType = { INFO: 0, WARNING: 1, ERROR: 2, FATAL: 3 } as const;

/** Our receive buffer size and introspection-cache size as advertised in connection validation (pvxs's values). */
export const RECEIVE_BUFFER_SIZE = 0x10000;
export const INTROSPECTION_REGISTRY_SIZE = 0x7fff;
