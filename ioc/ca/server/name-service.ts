import type { PvSource } from '../../db/database.js';
import type { Logger } from '../../log.js';
import { CA_MINOR_VERSION, Command } from '../protocol/constants.js';
import { frameDatagram } from '../protocol/framer.js';
import { writeSearchReply, writeVersion } from '../protocol/messages.js';
import { ByteWriter } from '../protocol/writer.js';

export interface SearchStats {
  datagrams: number;
  searches: number;
  hits: number;
  malformed: number;
}

/**
 * Answer one UDP datagram of search requests (sans-I/O): returns the reply datagram, or undefined when
 * nothing is to be said. The reply starts with VERSION (echoing the request's sequence number when it
 * carried one, CA 4.11) followed by one SEARCH reply per name we serve; a datagram naming none is not
 * answered.
 */
export function answerSearchDatagram(
  datagram: Buffer,
  source: PvSource,
  tcpPort: number,
  stats: SearchStats,
  log: Logger,
): Buffer | undefined {
  stats.datagrams++;
  const w = new ByteWriter(256);
  let sequence = 0;
  let sequenceValid = false;
  let answered = 0;
  const { complete } = frameDatagram(datagram, (m) => {
    switch (m.command) {
      case Command.VERSION:
        // dataType 1 = sequenceNoIsValid; p1 = sequence number.
        sequenceValid = m.dataType === 1;
        sequence = m.p1;
        return;
      case Command.SEARCH: {
        stats.searches++;
        const end = m.payload.indexOf(0);
        const name = m.payload.toString('latin1', 0, end < 0 ? m.payload.length : end);
        // An unknown name gets no answer over UDP, even with DO_REPLY: RSRV's search_reply_udp returns
        // before replying (NOT_FOUND only comes from search_reply_tcp), and with many servers on a
        // network every one of them would otherwise answer every search it cannot serve.
        if (source.lookup(name)) {
          stats.hits++;
          if (answered++ === 0) writeVersion(w, sequenceValid ? 1 : 0, CA_MINOR_VERSION, sequence);
          writeSearchReply(w, tcpPort, m.p1);
        }
        return;
      }
      default:
        // ECHO over UDP, beacons from other servers, repeater traffic: not for us.
        return;
    }
  });
  if (!complete) {
    stats.malformed++;
    log.debug(`truncated search datagram of ${datagram.length} bytes`);
  }
  return answered > 0 ? w.take() : undefined;
}
