// Verbatim byte sequences of messages as the C implementations put them on the wire (RSRV, libca),
// written out by hand from the field layouts in caProto.h / db_access.h and ca-protocol.md. They are
// the "second way" of pinning golden bytes (style.md item 8); bytes.ts is the first.
import { hex } from './bytes.js';

/** 2024-03-15T12:00:00Z in EPICS seconds: 1710504000 - 631152000 = 1079352000 = 0x40559AC0. */
export const SEC = 1079352000;
/** 123456789 ns = 0x075BCD15. */
export const NSEC = 123456789;

const z = (n: number): string => '00'.repeat(n);

export const V = {
  /** RSRV: VERSION sent right after accept: dtype 0 (priority), count 13 (minor). */
  tcpVersion: hex('0000 0000 0000 000d 00000000 00000000'),

  /** libca search datagram: VERSION{dtype 1 sequenceNoIsValid, count 13, p1 seq 7} + SEARCH{DONT_REPLY 5,
   *  count 13, cid 0x2a twice, "BL:MTR1\0"} (7 chars + NUL = 8, already aligned). */
  libcaSearchDatagram: hex(`
    0000 0000 0001 000d 00000007 00000000
    0006 0008 0005 000d 0000002a 0000002a | 424c3a4d54523100`),

  /** RSRV UDP search reply: VERSION echoing the sequence number, then SEARCH{size 8, dtype = TCP port 5064
   *  (0x13c8), count 0, p1 0xFFFFFFFF, p2 cid} + u16 minor 13 + 6 bytes pad. */
  rsrvSearchReplyDatagram: hex(`
    0000 0000 0001 000d 00000007 00000000
    0006 0008 13c8 0000 ffffffff 0000002a | 000d 0000 0000 0000`),

  /** libca CREATE_CHAN{p1 cid 1, p2 minor 13, "BL:MTR1:RBV\0" 12 bytes padded to 16}. */
  libcaCreateChan: hex('0012 0010 0000 0000 00000001 0000000d | 424c3a4d5452313a 5242560000000000'),

  /** RSRV: ACCESS_RIGHTS{cid 1, read|write} then CREATE_CHAN{DBR_DOUBLE, count 1, cid 1, sid 0x10}. */
  rsrvCreateChanReply: hex(`
    0016 0000 0000 0000 00000001 00000003
    0012 0000 0006 0001 00000001 00000010`),

  /** libca READ_NOTIFY{DBR_TIME_DOUBLE (20), count 1, sid 0x10, ioid 5}. */
  libcaReadNotify: hex('000f 0000 0014 0001 00000010 00000005'),

  /** RSRV READ_NOTIFY reply, DBR_TIME_DOUBLE 3.25: status 0, severity 0, sec, nsec, 4-byte RISC pad, f64. */
  rsrvTimeDouble: hex(`
    000f 0018 0014 0001 00000001 00000005
    0000 0000 40559ac0 075bcd15 00000000 | 400a000000000000`),

  /** DBR_CTRL_DOUBLE (34) 8.0: sts 0/0, precision 3 + pad, units "mm", 8 limits, value (88 bytes). */
  rsrvCtrlDouble: hex(`
    000f 0058 0022 0001 00000001 00000006
    0000 0000 0003 0000 6d6d000000000000
    4059000000000000 c059000000000000 4056800000000000 4054000000000000
    c054000000000000 c056800000000000 4057c00000000000 c057c00000000000
    4020000000000000`),

  /** DBR_GR_ENUM (24): status 7 STATE, severity 1 MINOR, no_str 2, strs[16][26] "Off","On", value 1 (424). */
  rsrvGrEnum: hex(`
    000f 01a8 0018 0001 00000001 00000007
    0007 0001 0002
    4f6666${z(23)} 4f6e${z(24)} ${z(14 * 26)}
    0001`),

  /** DBR_STS_CHAR (11) 0x41: status, severity, 1 RISC pad, value = 6 bytes padded to 8. */
  rsrvStsChar: hex('000f 0008 000b 0001 00000001 00000008 | 0000 0000 00 41 0000'),

  /** DBR_TIME_SHORT (15) -2: 2-byte RISC pad before the value at 14. */
  rsrvTimeShort: hex('000f 0010 000f 0001 00000001 00000009 | 0000 0000 40559ac0 075bcd15 0000 fffe'),

  /** DBR_TIME_CHAR (18) 200 as an EVENT_ADD update (subid 3): 3-byte RISC pad before the value at 15. */
  rsrvTimeCharEvent: hex('0001 0010 0012 0001 00000001 00000003 | 0003 0002 40559ac0 075bcd15 000000 c8'),

  /** CREATE_CHAN reply for a 100000-element DOUBLE PV: count >= 0xFFFF forces the extended header
   *  even with no payload (size 0xFFFF, count 0, then u32 size 0, u32 count 0x186A0). */
  rsrvCreateChanBigCount: hex('0012 ffff 0006 0000 00000002 00000011 00000000 000186a0'),

  /** WRITE_NOTIFY reply (ECA_NORMAL, ioid 10) to a 100000-element put: extended, no payload. */
  rsrvWriteNotifyBigCount: hex('0013 ffff 0006 0000 00000001 0000000a 00000000 000186a0'),

  /** ERROR{p1 0xFFFFFFFF unknown cid, p2 ECA_INTERNAL 142} quoting a READ_NOTIFY for sid 0xdead, text
   *  "Bad Resource ID" + NUL = 16 bytes; payload 32. */
  rsrvError: hex(`
    000b 0020 0000 0000 ffffffff 0000008e
    000f 0000 0006 0001 0000dead 00000005
    426164205265736f75726365204944 00`),

  /** RSRV beacon: dtype minor 13, count port 5064, p1 beacon id 42, p2 0. */
  rsrvBeacon: hex('000d 0000 000d 13c8 0000002a 00000000'),

  /** libca WRITE_NOTIFY DBR_STRING count 1 "abc": strlen+1 = 4 bytes padded to 8 (not 40). */
  libcaWriteNotifyShortString: hex('0013 0008 0000 0001 00000010 00000006 | 6162630000000000'),

  /** libca EVENT_ADD{DBR_TIME_DOUBLE, count 0 (dynamic), sid 0x10, subid 3}: 3 x f32 0 + mask 5 + pad. */
  libcaEventAdd: hex('0001 0010 0014 0000 00000010 00000003 | 00000000 00000000 00000000 0005 0000'),
} as const;

/** Header of the extended READ_NOTIFY reply carrying 100000 doubles (800000 = 0xC3500 bytes). */
export const bigArrayHeader = hex('000f ffff 0006 0000 00000001 00000009 000c3500 000186a0');
