import type { PvSource } from '../../db/database.js';
import { Cmd, Flags, HEADER_SIZE, SearchFlags } from '../protocol/constants.js';
import { parseHeader, PvaProtocolError } from '../protocol/header.js';
import { readSearchRequest, writeSearchResponse } from '../protocol/messages.js';
import { PvaReader } from '../protocol/reader.js';
import { PvaWriter } from '../protocol/writer.js';
import { sharedPvs } from './shared-pv.js';

export interface PvaSearchStats {
  datagrams: number;
  searches: number;
  hits: number;
  malformed: number;
}

export interface SearchAnswer {
  readonly reply: Buffer;
  /** Where the client asked the reply to go ('0.0.0.0' = the datagram's source) and its port (0 = source port). */
  readonly addr: string;
  readonly port: number;
}

/**
 * Answer one UDP datagram (pure). Searches for names we serve get a SEARCH_RESPONSE in the byte order
 * they were asked in (as pvxs answers); a search that must be answered gets one even when nothing is
 * found. Anything else (beacons of other servers, garbage) gets nothing.
 */
export function answerSearchDatagram(msg: Buffer, source: PvSource, guid: Buffer, tcpPort: number, stats: PvaSearchStats): SearchAnswer | undefined {
  stats.datagrams++;
  let at = 0;
  let answer: SearchAnswer | undefined;
  while (msg.length - at >= HEADER_SIZE) {
    let h;
    try {
      h = parseHeader(msg, at);
    } catch (e) {
      if (!(e instanceof PvaProtocolError)) throw e;
      stats.malformed++;
      return answer;
    }
    const end = at + HEADER_SIZE + h.size;
    if (h.flags & Flags.CONTROL || end > msg.length) {
      if (end > msg.length) stats.malformed++;
      return answer;
    }
    if (h.command === Cmd.SEARCH && !(h.flags & Flags.SERVER)) {
      const be = (h.flags & Flags.BIG_ENDIAN) !== 0;
      const r = new PvaReader(msg, be, at + HEADER_SIZE, end);
      const s = readSearchRequest(r);
      if (!r.ok) {
        stats.malformed++;
        return answer;
      }
      stats.searches++;
      const shared = sharedPvs(source);
      const found = s.channels.filter((c) => source.lookup(c.name) || shared.has(c.name)).map((c) => c.id);
      stats.hits += found.length;
      if (found.length || s.flags & SearchFlags.REPLY_REQUIRED) {
        const w = new PvaWriter(be, Flags.SERVER);
        writeSearchResponse(w, { guid, seq: s.seq, addr: '0.0.0.0', port: tcpPort, protocol: 'tcp', found: found.length > 0, ids: found.length ? found : s.channels.map((c) => c.id) });
        answer = { reply: w.take(), addr: s.replyAddr, port: s.replyPort };
      }
    }
    at = end;
  }
  return answer;
}
