// UDP name service: search replies byte for byte, silence for unknown names, several names per datagram.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CA_MINOR_VERSION, Command, SEARCH_DO_REPLY, SEARCH_DONT_REPLY } from '../../../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../../../ioc/ca/protocol/dbr-types.js';
import { writeEcho, writeSearchRequest, writeVersion } from '../../../../ioc/ca/protocol/messages.js';
import { startTestServer, type TestServer } from '../../../helpers/ca-server.js';
import { build, parseDatagram, UdpProbe } from '../../../helpers/ca-raw.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/[\s|]/g, ''), 'hex');
const h16 = (n: number) => n.toString(16).padStart(4, '0');
const h32 = (n: number) => n.toString(16).padStart(8, '0');

let s: TestServer;
let probe: UdpProbe;

beforeAll(async () => {
  s = await startTestServer((db, p) => {
    db.create(p + 'a', { type: DbrBase.DOUBLE });
    db.create(p + 'b', { type: DbrBase.LONG });
  });
  probe = await UdpProbe.open();
});
afterAll(async () => {
  await probe?.close();
  await s?.stop();
});
beforeEach(() => {
  probe.datagrams.length = 0;
});

const search = (names: [string, number, number][], seq?: number) =>
  build((w) => {
    if (seq !== undefined) writeVersion(w, 1, CA_MINOR_VERSION, seq);
    for (const [n, cid, reply] of names) writeSearchRequest(w, s.prefix + n, cid, reply);
  });

describe('UDP search', () => {
  it('found → VERSION echoing the sequence number, then {cmd 6, size 8, dtype port, p1 0xFFFFFFFF, p2 cid} + minor 13', async () => {
    await probe.send(search([['a', 0x1234, SEARCH_DONT_REPLY]], 0xabcdef), s.server.udpPort);
    const { raw } = await probe.waitFor(() => true);
    expect(raw).toEqual(
      hex(
        `0000 0000 0001 000d 00abcdef 00000000` +
          `0006 0008 ${h16(s.server.tcpPort)} 0000 ffffffff 00001234 000d 000000000000`,
      ),
    );
    expect(s.server.tcpPort).toBe(s.server.udpPort); // the TCP listener took the UDP port number
  });

  // RSRV never answers an unknown name over UDP (cast_server → search_reply_udp returns before replying;
  // NOT_FOUND comes only from search_reply_tcp, see flows.test.ts), whatever the reply flag says.
  it('not found with DO_REPLY → silence over UDP, as RSRV (a later datagram is answered, that one never)', async () => {
    await probe.send(search([['missing', 77, SEARCH_DO_REPLY]], 1), s.server.udpPort);
    await probe.send(search([['a', 80, SEARCH_DONT_REPLY]], 2), s.server.udpPort);
    await probe.waitFor((msgs) => msgs.some((m) => m.command === Command.SEARCH && m.p2 === 80));
    const all = probe.datagrams.flatMap((d) => parseDatagram(d));
    expect(all.map((m) => [m.command, m.p2])).toEqual([
      [Command.VERSION, 0],
      [Command.SEARCH, 80],
    ]);
  });

  it('not found with DONT_REPLY → silence (a later datagram is answered, that one never)', async () => {
    await probe.send(search([['missing', 78, SEARCH_DONT_REPLY]], 2), s.server.udpPort);
    await probe.send(search([['b', 79, SEARCH_DONT_REPLY]], 3), s.server.udpPort);
    await probe.waitFor((msgs) => msgs.some((m) => m.command === Command.SEARCH && m.p2 === 79));
    const all = probe.datagrams.map((d) => d.toString('hex'));
    expect(all).toHaveLength(1);
    expect(all[0]).not.toContain(h32(78));
  });

  it('several names in one datagram → one reply datagram with an answer per name found, none for the rest', async () => {
    await probe.send(
      search(
        [
          ['a', 1, SEARCH_DONT_REPLY],
          ['missing', 2, SEARCH_DONT_REPLY],
          ['b', 3, SEARCH_DONT_REPLY],
          ['missing2', 4, SEARCH_DO_REPLY],
        ],
        9,
      ),
      s.server.udpPort,
    );
    const { msgs } = await probe.waitFor(() => true);
    expect(msgs.map((m) => [m.command, m.p2])).toEqual([
      [Command.VERSION, 0],
      [Command.SEARCH, 1],
      [Command.SEARCH, 3],
    ]);
    for (const m of msgs.filter((x) => x.command === Command.SEARCH)) {
      expect(m.msg).toMatchObject({ kind: 'SEARCH', port: s.server.tcpPort, serverAddr: 0xffffffff, minor: CA_MINOR_VERSION });
    }
  });

  it('a datagram without the VERSION prefix (old clients) is answered too', async () => {
    await probe.send(search([['a', 5, SEARCH_DONT_REPLY]]), s.server.udpPort);
    const { msgs } = await probe.waitFor(() => true);
    expect(msgs.map((m) => [m.command, m.p2])).toEqual([
      [Command.VERSION, 0],
      [Command.SEARCH, 5],
    ]);
  });

  it('ECHO over UDP is ignored', async () => {
    await probe.send(build(writeEcho), s.server.udpPort);
    await probe.send(search([['a', 6, SEARCH_DONT_REPLY]], 4), s.server.udpPort);
    await probe.waitFor((msgs) => msgs.some((m) => m.p2 === 6));
    expect(probe.datagrams).toHaveLength(1);
  });
});
