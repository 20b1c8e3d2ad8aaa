import { BitSet } from './bitset.js';
import { Cmd, Ctrl, INTROSPECTION_REGISTRY_SIZE, RECEIVE_BUFFER_SIZE, Sub } from './constants.js';
import { readAddress, writeAddress } from './address.js';
import { readFieldDesc, writeFieldDesc, type FieldDesc, type StructureDesc, type TypeCache } from './field-desc.js';
import { PvaReader } from './reader.js';
import { readStatus, writeStatus, type Status } from './status.js';
import { readPartial, readValue, writePartial, writeValue, type PvData, type PvStruct } from './value.js';
import type { PvaWriter } from './writer.js';

// Message payloads, each a writer (into an open PvaWriter) and a reader (over a PvaReader positioned at
// the payload). Field order follows the protocol specification; golden bytes from pvxs pin them.

/** A server's opening: SET_BYTE_ORDER then CONNECTION_VALIDATION offering authentication methods. */
export function writeServerHello(w: PvaWriter, methods: readonly string[] = ['anonymous', 'ca']): void {
  w.control(Ctrl.SET_BYTE_ORDER, 0);
  w.begin(Cmd.CONNECTION_VALIDATION).u32(RECEIVE_BUFFER_SIZE).u16(INTROSPECTION_REGISTRY_SIZE).size(methods.length);
  for (const m of methods) w.string(m);
  w.finish();
}

export interface ServerValidation {
  readonly bufferSize: number;
  readonly registrySize: number;
  readonly methods: string[];
}
export function readServerValidation(r: PvaReader): ServerValidation {
  const bufferSize = r.u32();
  const registrySize = r.u16();
  const n = r.size(1);
  const methods: string[] = [];
  for (let i = 0; i < n && r.ok; i++) methods.push(r.string());
  return { bufferSize, registrySize, methods };
}

/** The client's answer: its buffer sizes, QoS, the chosen method and that method's data (a variant). */
export interface ClientValidation {
  readonly bufferSize: number;
  readonly registrySize: number;
  readonly qos: number;
  readonly method: string;
  /** For "ca": { user, host }. */
  readonly user?: string;
  readonly host?: string;
}
export function writeClientValidation(w: PvaWriter, v: { method: string; user?: string; host?: string }): void {
  w.begin(Cmd.CONNECTION_VALIDATION).u32(RECEIVE_BUFFER_SIZE).u16(INTROSPECTION_REGISTRY_SIZE).u16(0).string(v.method);
  if (v.method === 'ca') {
    const desc: StructureDesc = { kind: 'structure', id: '', fields: [{ name: 'user', type: { kind: 'scalar', type: 'string' } }, { name: 'host', type: { kind: 'scalar', type: 'string' } }] };
    writeFieldDesc(w, desc);
    writeValue(w, desc, { user: v.user ?? '', host: v.host ?? '' });
  } else writeFieldDesc(w, null);
  w.finish();
}
export function readClientValidation(r: PvaReader, cache?: TypeCache): ClientValidation {
  const bufferSize = r.u32();
  const registrySize = r.u16();
  const qos = r.u16();
  const method = r.string();
  // pvAccessCPP before 7.1 ends the message here for anonymous; newer peers send a (possibly null) variant.
  if (r.remaining === 0) return { bufferSize, registrySize, qos, method };
  const desc = readFieldDesc(r, cache);
  if (!desc) return { bufferSize, registrySize, qos, method };
  const v = readValue(r, desc, cache) as PvStruct;
  const str = (k: string) => (typeof v?.[k] === 'string' ? (v[k] as string) : undefined);
  return { bufferSize, registrySize, qos, method, user: str('user'), host: str('host') };
}

export function writeConnectionValidated(w: PvaWriter, status: Status): void {
  w.begin(Cmd.CONNECTION_VALIDATED);
  writeStatus(w, status);
  w.finish();
}

export interface SearchRequest {
  readonly seq: number;
  readonly flags: number;
  /** Where to send the reply: address ('0.0.0.0' = the sender's) and port. */
  readonly replyAddr: string;
  readonly replyPort: number;
  readonly protocols: string[];
  readonly channels: { readonly id: number; readonly name: string }[];
}
/** Most names we read from one search (pvxs limits a datagram the same way). */
export const MAX_SEARCH_NAMES = 4096;

export function writeSearchRequest(w: PvaWriter, s: SearchRequest): void {
  w.begin(Cmd.SEARCH).u32(s.seq).u8(s.flags).u8(0).u16(0);
  writeAddress(w, s.replyAddr, true);
  w.u16(s.replyPort).size(s.protocols.length);
  for (const p of s.protocols) w.string(p);
  w.u16(s.channels.length);
  for (const c of s.channels) w.u32(c.id).string(c.name);
  w.finish();
}
export function readSearchRequest(r: PvaReader): SearchRequest {
  const seq = r.u32();
  const flags = r.u8();
  r.skip(3);
  const replyAddr = readAddress(r);
  const replyPort = r.u16();
  const np = r.size(1);
  const protocols: string[] = [];
  for (let i = 0; i < np && r.ok; i++) protocols.push(r.string());
  const nc = r.u16();
  if (nc > MAX_SEARCH_NAMES) r.fail(`${nc} names in one search`);
  const channels: { id: number; name: string }[] = [];
  for (let i = 0; i < nc && r.ok; i++) channels.push({ id: r.u32(), name: r.string() });
  return { seq, flags, replyAddr, replyPort, protocols, channels };
}

export interface SearchResponse {
  readonly guid: Buffer;
  readonly seq: number;
  readonly addr: string;
  readonly port: number;
  readonly protocol: string;
  readonly found: boolean;
  readonly ids: number[];
}
export function writeSearchResponse(w: PvaWriter, s: SearchResponse): void {
  w.begin(Cmd.SEARCH_RESPONSE).bytes(s.guid).u32(s.seq);
  writeAddress(w, s.addr);
  w.u16(s.port).string(s.protocol).u8(s.found ? 1 : 0).u16(s.ids.length);
  for (const id of s.ids) w.u32(id);
  w.finish();
}
export function readSearchResponse(r: PvaReader): SearchResponse {
  const guid = Buffer.from(r.bytes(12));
  const seq = r.u32();
  const addr = readAddress(r);
  const port = r.u16();
  const protocol = r.string();
  const found = r.u8() !== 0;
  const n = r.u16();
  if (n * 4 > r.remaining) r.fail('search response ids beyond the message');
  const ids: number[] = [];
  for (let i = 0; i < n && r.ok; i++) ids.push(r.u32());
  return { guid, seq, addr, port, protocol, found, ids };
}

export interface Beacon {
  readonly guid: Buffer;
  readonly seq: number;
  readonly changeCount: number;
  readonly addr: string;
  readonly port: number;
  readonly protocol: string;
}
export function writeBeacon(w: PvaWriter, b: Beacon): void {
  w.begin(Cmd.BEACON).bytes(b.guid).u8(0).u8(b.seq & 0xff).u16(b.changeCount);
  writeAddress(w, b.addr);
  w.u16(b.port).string(b.protocol);
  writeFieldDesc(w, null); // no server status structure
  w.finish();
}
export function readBeacon(r: PvaReader): Beacon {
  const guid = Buffer.from(r.bytes(12));
  r.u8();
  const seq = r.u8();
  const changeCount = r.u16();
  const addr = readAddress(r);
  const port = r.u16();
  const protocol = r.string();
  return { guid, seq, changeCount, addr, port, protocol };
}

export function writeCreateChannelRequest(w: PvaWriter, cid: number, name: string): void {
  w.begin(Cmd.CREATE_CHANNEL).u16(1).u32(cid).string(name).finish();
}
export function readCreateChannelRequest(r: PvaReader): { cid: number; name: string }[] {
  const n = r.u16();
  if (n > 1024) r.fail(`${n} channels in one request`);
  const out: { cid: number; name: string }[] = [];
  for (let i = 0; i < n && r.ok; i++) out.push({ cid: r.u32(), name: r.string() });
  return out;
}
export function writeCreateChannelResponse(w: PvaWriter, cid: number, sid: number, status: Status): void {
  w.begin(Cmd.CREATE_CHANNEL).u32(cid).u32(sid);
  writeStatus(w, status);
  w.finish();
}
export function readCreateChannelResponse(r: PvaReader): { cid: number; sid: number; status: Status } {
  return { cid: r.u32(), sid: r.u32(), status: readStatus(r) };
}

/** DESTROY_CHANNEL both ways: server channel id then client channel id. */
export function writeDestroyChannel(w: PvaWriter, sid: number, cid: number): void {
  w.begin(Cmd.DESTROY_CHANNEL).u32(sid).u32(cid).finish();
}
export function readDestroyChannel(r: PvaReader): { sid: number; cid: number } {
  return { sid: r.u32(), cid: r.u32() };
}

/** The start of every GET/PUT/PUT_GET/MONITOR/ARRAY/PROCESS/RPC request. */
export interface OpRequest {
  readonly sid: number;
  readonly ioid: number;
  readonly sub: number;
}
export function readOpRequest(r: PvaReader): OpRequest {
  return { sid: r.u32(), ioid: r.u32(), sub: r.u8() };
}

/** An INIT request: the pvRequest (a full type and its value); a pipelined MONITOR adds its queue size. */
export interface OpInit {
  readonly requestDesc: FieldDesc | null;
  readonly request: PvData;
  readonly queueSize?: number;
}
export function writeOpInit(w: PvaWriter, cmd: number, sid: number, ioid: number, req: { desc: StructureDesc; value: PvStruct }, pipelineQueue?: number): void {
  w.begin(cmd).u32(sid).u32(ioid).u8(Sub.INIT | (pipelineQueue !== undefined ? Sub.PIPELINE : 0));
  writeFieldDesc(w, req.desc);
  writeValue(w, req.desc, req.value);
  if (pipelineQueue !== undefined) w.u32(pipelineQueue);
  w.finish();
}
export function readOpInit(r: PvaReader, sub: number, cmd: number, cache?: TypeCache): OpInit {
  const requestDesc = readFieldDesc(r, cache);
  const request = requestDesc ? readValue(r, requestDesc, cache) : undefined;
  const queueSize = cmd === Cmd.MONITOR && sub & Sub.PIPELINE && r.remaining >= 4 ? r.u32() : undefined;
  return { requestDesc, request, queueSize };
}

/** INIT reply: status and, when OK, the type the operation will carry (PUT_GET: put type then get type). */
export function writeInitResponse(w: PvaWriter, cmd: number, ioid: number, sub: number, status: Status, ...types: FieldDesc[]): void {
  w.begin(cmd).u32(ioid).u8(sub);
  writeStatus(w, status);
  if (status.type <= 1) for (const t of types) writeFieldDesc(w, t);
  w.finish();
}

/** A reply carrying data: status, then (when OK) changed bits and the fields they mark. */
export function writeDataResponse(w: PvaWriter, cmd: number, ioid: number, sub: number, status: Status, data?: { desc: StructureDesc; value: PvData; bits: BitSet }): void {
  w.begin(cmd).u32(ioid).u8(sub);
  writeStatus(w, status);
  if (data && status.type <= 1) {
    data.bits.write(w);
    writePartial(w, data.desc, data.value, data.bits);
  }
  w.finish();
}

/** A reply with status only (PUT done, DESTROY, a refused request). */
export function writeStatusResponse(w: PvaWriter, cmd: number, ioid: number, sub: number, status: Status): void {
  w.begin(cmd).u32(ioid).u8(sub);
  writeStatus(w, status);
  w.finish();
}

export interface OpResponse {
  readonly ioid: number;
  readonly sub: number;
  readonly status: Status;
}
export function readOpResponse(r: PvaReader): OpResponse {
  return { ioid: r.u32(), sub: r.u8(), status: readStatus(r) };
}

/** Changed bits and the partial structure they mark (GET reply, PUT body, MONITOR update). */
export function readBitsAndValue(r: PvaReader, desc: StructureDesc, cache?: TypeCache): { bits: BitSet; value: PvStruct } {
  const bits = BitSet.read(r);
  return { bits, value: readPartial(r, desc, bits, cache) };
}
export function writeBitsAndValue(w: PvaWriter, desc: StructureDesc, value: PvData, bits: BitSet): void {
  bits.write(w);
  writePartial(w, desc, value, bits);
}

/** A MONITOR update: no status, changed bits, the data, overrun bits. */
export function writeMonitorUpdate(w: PvaWriter, ioid: number, desc: StructureDesc, value: PvData, changed: BitSet, overrun: BitSet): void {
  w.begin(Cmd.MONITOR).u32(ioid).u8(0);
  changed.write(w);
  writePartial(w, desc, value, changed);
  overrun.write(w);
  w.finish();
}

export function writeGetFieldRequest(w: PvaWriter, sid: number, ioid: number, field: string): void {
  w.begin(Cmd.GET_FIELD).u32(sid).u32(ioid).string(field).finish();
}
export function readGetFieldRequest(r: PvaReader): { sid: number; ioid: number; field: string } {
  return { sid: r.u32(), ioid: r.u32(), field: r.string() };
}
export function writeGetFieldResponse(w: PvaWriter, ioid: number, status: Status, desc?: FieldDesc): void {
  w.begin(Cmd.GET_FIELD).u32(ioid);
  writeStatus(w, status);
  if (desc && status.type <= 1) writeFieldDesc(w, desc);
  w.finish();
}

/** DESTROY_REQUEST and CANCEL_REQUEST: server channel id, request id. */
export function writeRequestControl(w: PvaWriter, cmd: typeof Cmd.DESTROY_REQUEST | typeof Cmd.CANCEL_REQUEST, sid: number, ioid: number): void {
  w.begin(cmd).u32(sid).u32(ioid).finish();
}
export function readRequestControl(r: PvaReader): { sid: number; ioid: number } {
  return { sid: r.u32(), ioid: r.u32() };
}

export function writeMessage(w: PvaWriter, ioid: number, type: number, text: string): void {
  w.begin(Cmd.MESSAGE).u32(ioid).u8(type).string(text).finish();
}
export function readMessage(r: PvaReader): { ioid: number; type: number; text: string } {
  return { ioid: r.u32(), type: r.u8(), text: r.string() };
}

/** A reader over a frame's payload in the frame's byte order. */
export const payloadReader = (payload: Buffer, be: boolean): PvaReader => new PvaReader(payload, be);
