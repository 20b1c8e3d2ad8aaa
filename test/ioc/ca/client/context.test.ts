// The client core (ClientContext) in virtual time: no sockets, no timers, no sleeps. A rig plays the shell
// (it ticks the core at each deadline it names) and a scripted server answers what the core writes.
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../../ioc/clock.js';
import { canTransition, ChannelStateError, nextChannelState, type ChannelState, type ChannelTrigger } from '../../../../ioc/ca/client/channel-state.js';
import { ClientContext, type ContextConfig, type MonitorObserver } from '../../../../ioc/ca/client/context.js';
import { CaError } from '../../../../ioc/ca/client/errors.js';
import type { CaValue } from '../../../../ioc/ca/client/values.js';
import { ECA } from '../../../../ioc/ca/protocol/constants.js';
import { DbrBase } from '../../../../ioc/ca/protocol/dbr-types.js';
import { frameDatagram } from '../../../../ioc/ca/protocol/framer.js';
import {
  decodeClientMessage,
  writeAccessRights,
  writeBeacon,
  writeCreateChanReply,
  writeEcho,
  writeEventAddReply,
  writeReadNotifyReply,
  writeRepeaterConfirm,
  writeSearchReply,
  writeServerDisconn,
  writeVersion,
  writeWriteNotifyReply,
  type ClientMessage,
} from '../../../../ioc/ca/protocol/messages.js';
import { ByteWriter } from '../../../../ioc/ca/protocol/writer.js';
import { snapshot } from '../protocol/fixtures.js';
import { silentLogger } from './harness.js';

const config: ContextConfig = {
  connTmo: 30,
  maxSearchPeriod: 60,
  serverPort: 5064,
  timeout: 5,
  priority: 0,
  user: 'alice',
  host: 'bench',
  maxArrayBytes: 1 << 20,
};

const decodeAll = (buf: Buffer): ClientMessage[] => {
  const out: ClientMessage[] = [];
  frameDatagram(buf, (m) => out.push(decodeClientMessage(m)!));
  return out;
};

const snap = (value: number) => snapshot({ value: [value] });

/** Plays the shell: records what the core asks for and ticks it at every deadline, in virtual time. */
class Rig {
  readonly clock = new VirtualClock(0);
  readonly opened: { id: number; host: string; port: number }[] = [];
  readonly dropped: number[] = [];
  /** [virtual time, SEARCH requests] per search the core sent. */
  readonly searches: { at: number; requests: Extract<ClientMessage, { kind: 'SEARCH' }>[] }[] = [];
  readonly registers: number[] = [];
  readonly connections: [number, boolean][] = [];
  readonly errors: CaError[] = [];
  ticks = 0;
  readonly core: ClientContext;

  constructor(cfg: Partial<ContextConfig> = {}) {
    this.core = new ClientContext({
      config: { ...config, ...cfg },
      now: () => this.clock.now(),
      log: silentLogger(),
      io: {
        open: (id, host, port) => this.opened.push({ id, host, port }),
        flush: () => {},
        drop: (id) => this.dropped.push(id),
        search: (datagrams) =>
          this.searches.push({
            at: this.clock.now(),
            requests: datagrams.flatMap(decodeAll).filter((m): m is Extract<ClientMessage, { kind: 'SEARCH' }> => m.kind === 'SEARCH'),
          }),
        register: () => this.registers.push(this.clock.now()),
        connection: (cid, up) => this.connections.push([cid, up]),
        error: (e) => this.errors.push(e),
      },
    });
  }

  /** Move time on by `ms`, ticking the core at each deadline it names on the way (what the shell's timer does). */
  advance(ms: number): void {
    const end = this.clock.now() + ms;
    for (;;) {
      const due = this.core.nextDeadline();
      if (due === undefined || due > end) break;
      if (++this.ticks > 100_000) throw new Error('the core keeps naming deadlines it does not clear');
      this.clock.advance(Math.max(0, due - this.clock.now()));
      this.core.tick();
    }
    this.clock.advance(end - this.clock.now());
  }

  /** Answer every search for `names` made so far (from a server at 10.0.0.5:tcpPort). */
  answerSearches(names: readonly string[], tcpPort = 5064): void {
    const w = new ByteWriter();
    for (const s of this.searches.splice(0)) {
      for (const r of s.requests) {
        if (!names.includes(r.name)) continue;
        writeVersion(w, 0, 13);
        writeSearchReply(w, tcpPort, r.cid);
      }
    }
    if (w.pos) this.core.datagram(w.take(), '10.0.0.5');
  }

  /** A scripted server on the circuit the core opened last, already connected. */
  server(values: Record<string, number>): FakeServer {
    const { id } = this.opened.at(-1)!;
    const server = new FakeServer(this.core, id, values);
    this.core.circuitUp(id);
    server.pump();
    return server;
  }
}

/** Answers CREATE_CHAN, READ_NOTIFY, EVENT_ADD, WRITE_NOTIFY (unless held) and ECHO (unless mute). */
class FakeServer {
  readonly requests: ClientMessage[] = [];
  readonly subs = new Map<number, { name: string; type: number }>();
  readonly heldWrites: number[] = [];
  holdWrites = false;
  mute = false;
  private readonly names = new Map<number, string>();
  private greeted = false;

  constructor(
    private readonly core: ClientContext,
    readonly id: number,
    readonly values: Record<string, number>,
  ) {}

  /** Read what the client wrote since the last pump, answer it; returns the requests read. */
  pump(): ClientMessage[] {
    const out = this.core.takeOutput(this.id);
    const got = out ? decodeAll(out) : [];
    this.requests.push(...got);
    const w = new ByteWriter();
    if (!this.greeted) {
      this.greeted = true;
      writeVersion(w, 0, 13);
    }
    for (const m of got) {
      switch (m.kind) {
        case 'CREATE_CHAN': {
          const sid = 100 + m.cid;
          this.names.set(sid, m.name);
          writeAccessRights(w, m.cid, 3);
          writeCreateChanReply(w, DbrBase.DOUBLE, 1, m.cid, sid);
          break;
        }
        case 'READ_NOTIFY':
          writeReadNotifyReply(w, m.type, 1, ECA.NORMAL, m.ioid, snap(this.values[this.names.get(m.sid)!]!));
          break;
        case 'EVENT_ADD':
          this.subs.set(m.subid, { name: this.names.get(m.sid)!, type: m.type });
          writeEventAddReply(w, m.type, 1, ECA.NORMAL, m.subid, snap(this.values[this.names.get(m.sid)!]!));
          break;
        case 'WRITE_NOTIFY':
          if (this.holdWrites) this.heldWrites.push(m.ioid);
          else writeWriteNotifyReply(w, m.type, m.count, ECA.NORMAL, m.ioid);
          break;
        case 'ECHO':
          if (!this.mute) writeEcho(w);
          break;
        default:
          break;
      }
    }
    if (w.pos && !this.mute) this.core.circuitData(this.id, w.take());
    return got;
  }

  /** A new value, posted to every monitor of `name`. */
  post(name: string, value: number): void {
    this.values[name] = value;
    const w = new ByteWriter();
    for (const [subid, s] of this.subs) if (s.name === name) writeEventAddReply(w, s.type, 1, ECA.NORMAL, subid, snap(value));
    if (w.pos) this.core.circuitData(this.id, w.take());
  }

  send(write: (w: ByteWriter) => void): void {
    const w = new ByteWriter();
    write(w);
    this.core.circuitData(this.id, w.take());
  }
}

/** A promise's outcome, readable synchronously once the microtasks have run. */
function outcome<T>(p: Promise<T>): { value?: T; error?: unknown; settled: boolean } {
  const o: { value?: T; error?: unknown; settled: boolean } = { settled: false };
  p.then(
    (v) => Object.assign(o, { value: v, settled: true }),
    (e) => Object.assign(o, { error: e, settled: true }),
  );
  return o;
}
const settle = () => new Promise<void>((r) => queueMicrotask(r)).then(() => undefined);

function recorder(): MonitorObserver & { values: number[]; completed: boolean; errors: unknown[] } {
  const r = {
    values: [] as number[],
    completed: false,
    errors: [] as unknown[],
    next: (v: CaValue) => r.values.push(v.value as number),
    error: (e: unknown) => r.errors.push(e),
    complete: () => {
      r.completed = true;
    },
  };
  return r;
}

/** A rig with channels for `values` connected to one scripted server. */
function connected(values: Record<string, number>, cfg: Partial<ContextConfig> = {}) {
  const rig = new Rig(cfg);
  const chans = Object.keys(values).map((n) => rig.core.createChannel(n));
  rig.core.udpBound();
  rig.advance(0);
  rig.answerSearches(Object.keys(values));
  const server = rig.server(values);
  for (const ch of chans) expect(ch.state).toBe('connected');
  return { rig, server, chans };
}

describe('channel state table', () => {
  const states: ChannelState[] = ['searching', 'connecting', 'connected', 'closed'];
  const triggers: ChannelTrigger[] = ['found', 'created', 'refused', 'lost', 'close'];

  it('follows search → create → connected → lost → search, and closes from any live state', () => {
    let s: ChannelState = 'searching';
    for (const t of ['found', 'created', 'lost', 'found', 'refused', 'found', 'lost', 'found', 'created', 'close'] as const) s = nextChannelState(s, t, 'X');
    expect(s).toBe('closed');
    for (const from of states.filter((x) => x !== 'closed')) expect(nextChannelState(from, 'close', 'X')).toBe('closed');
  });

  it('refuses unlisted transitions with a clear internal error; closed is terminal', () => {
    expect(() => nextChannelState('searching', 'created', 'BL:X')).toThrow(ChannelStateError);
    expect(() => nextChannelState('searching', 'created', 'BL:X')).toThrow("internal error: channel BL:X cannot go 'created' while searching");
    for (const t of triggers) expect(canTransition('closed', t)).toBe(false);
    expect(canTransition('connected', 'found')).toBe(false);
    expect(canTransition('connected', 'refused')).toBe(false);
  });

  it('ignores server replies that do not fit the channel state instead of obeying them', () => {
    const { rig, server, chans } = connected({ 'PV:A': 1 });
    const [ch] = chans;
    server.send((w) => writeCreateChanReply(w, DbrBase.LONG, 9, ch!.cid, 999)); // a second CREATE_CHAN reply
    expect(ch!.state).toBe('connected');
    expect(ch!.sid).toBe(100 + ch!.cid);
    expect(ch!.nativeType).toBe(DbrBase.DOUBLE);
    expect(rig.connections).toEqual([[ch!.cid, true]]);
  });
});

describe('search timing', () => {
  it('waits for the UDP socket, then backs off by doubling up to EPICS_CA_MAX_SEARCH_PERIOD', () => {
    const rig = new Rig({ maxSearchPeriod: 60 });
    const ch = rig.core.createChannel('NOBODY:HOME');
    rig.advance(1000);
    expect(rig.searches).toEqual([]); // no socket yet
    rig.core.udpBound();
    const start = rig.clock.now();
    rig.advance(300_000);
    const times = rig.searches.filter((s) => s.requests.some((r) => r.cid === ch.cid && r.name === 'NOBODY:HOME')).map((s) => s.at - start);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(times[0]).toBe(0);
    expect(gaps.slice(0, 13)).toEqual([32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 60_000, 60_000]);
    expect(gaps.every((g) => g <= 60_000)).toBe(true);
    // The shell is woken once per search (and per repeater registration), never in a busy loop.
    expect(rig.ticks).toBeLessThanOrEqual(times.length + rig.registers.length + 1);
    expect(ch.state).toBe('searching');
  });

  it('stops searching for a name once a server answers, and batches names created together', () => {
    const rig = new Rig();
    const a = rig.core.createChannel('PV:A');
    const b = rig.core.createChannel('PV:B');
    rig.core.udpBound();
    rig.advance(0);
    expect(rig.searches).toHaveLength(1);
    expect(rig.searches[0]!.requests.map((r) => r.name)).toEqual(['PV:A', 'PV:B']);
    rig.answerSearches(['PV:A']);
    expect(a.state).toBe('connecting');
    expect(rig.opened).toEqual([{ id: 1, host: '10.0.0.5', port: 5064 }]);
    rig.advance(10_000);
    const names = rig.searches.flatMap((s) => s.requests.map((r) => r.name));
    expect(names).not.toContain('PV:A');
    expect(names).toContain('PV:B');
    expect(b.state).toBe('searching');
  });

  it('searches again at once on a beacon anomaly (a server new or restarted), not on a steady beacon', () => {
    const rig = new Rig();
    rig.core.createChannel('LATE:PV');
    rig.core.udpBound();
    rig.advance(100_000); // backed off to the longest interval
    const beacon = (id: number) => {
      const w = new ByteWriter();
      writeBeacon(w, 5064, id);
      rig.core.datagram(w.take(), '10.0.0.9');
    };
    const count = () => rig.searches.length;
    beacon(1); // a server not heard before
    const before = count();
    rig.advance(0);
    expect(count()).toBe(before + 1);
    rig.advance(15_000);
    const steady = count();
    beacon(2); // the next in sequence: nothing new
    rig.advance(0);
    expect(count()).toBe(steady);
    beacon(0); // restarted
    rig.advance(0);
    expect(count()).toBe(steady + 1);
    expect(rig.core.stats).toMatchObject({ beacons: 3, beaconAnomalies: 2 });
  });

  it('registers with the repeater once a second until confirmed, at most ten times', () => {
    const rig = new Rig();
    rig.core.createChannel('X');
    rig.core.udpBound();
    rig.advance(2500);
    expect(rig.registers).toEqual([0, 1000, 2000]);
    const w = new ByteWriter();
    writeRepeaterConfirm(w, 0x7f000001);
    rig.core.datagram(w.take(), '127.0.0.1');
    expect(rig.core.repeaterConfirmed).toBe(true);
    rig.advance(20_000);
    expect(rig.registers).toHaveLength(3);

    const deaf = new Rig();
    deaf.core.udpBound();
    deaf.advance(60_000);
    expect(deaf.registers).toHaveLength(10);
  });
});

describe('reconnection in virtual time', () => {
  it('moves channels to disconnected on circuit loss, then back through search to connected, re-subscribing every monitor under its id', async () => {
    const { rig, server, chans } = connected({ 'PV:A': 1, 'PV:B': 10 });
    const [a, b] = chans as [NonNullable<(typeof chans)[0]>, NonNullable<(typeof chans)[0]>];
    const monA1 = recorder();
    const monA2 = recorder();
    const monB = recorder();
    const idA1 = rig.core.subscribe(a, undefined, monA1)!;
    const idA2 = rig.core.subscribe(a, { mask: 4 }, monA2)!;
    const idB = rig.core.subscribe(b, undefined, monB)!;
    server.pump();
    expect([...server.subs.keys()].sort()).toEqual([idA1, idA2, idB].sort());
    server.post('PV:A', 2);
    expect(monA1.values).toEqual([1, 2]);
    expect(monB.values).toEqual([10]);

    const get = outcome(new Promise((resolve, reject) => rig.core.get(a, undefined, { resolve, reject })));
    rig.core.circuitClosed(server.id);
    await settle();
    expect(a.state).toBe('searching');
    expect(b.state).toBe('searching');
    expect(rig.connections.slice(-2)).toEqual([
      [a.cid, false],
      [b.cid, false],
    ]);
    expect((get.error as CaError).status).toBe(ECA.DISCONN);
    expect(rig.core.circuitCount).toBe(0);

    rig.advance(0); // the lost names are searched for at once
    expect(rig.searches.at(-1)!.requests.map((r) => r.name).sort()).toEqual(['PV:A', 'PV:B']);
    rig.answerSearches(['PV:A', 'PV:B'], 5070); // the IOC came back on another port
    expect(rig.opened.at(-1)).toMatchObject({ host: '10.0.0.5', port: 5070 });
    const again = rig.server({ 'PV:A': 3, 'PV:B': 11 });
    expect(again.id).not.toBe(server.id);
    expect(a.state).toBe('connected');
    expect(b.state).toBe('connected');
    expect(a.host).toBe('10.0.0.5:5070');
    again.pump();
    const adds = again.requests.filter((m): m is Extract<ClientMessage, { kind: 'EVENT_ADD' }> => m.kind === 'EVENT_ADD');
    expect(adds.map((m) => m.subid).sort()).toEqual([idA1, idA2, idB].sort());
    expect(adds.find((m) => m.subid === idA2)!.mask).toBe(4);
    again.post('PV:A', 4);
    expect(monA1.values).toEqual([1, 2, 3, 4]);
    expect(monA2.values).toEqual([1, 2, 3, 4]);
    expect(monB.values).toEqual([10, 11]);
    for (const m of [monA1, monA2, monB]) expect([m.completed, m.errors]).toEqual([false, []]);
    // Updates still arriving on the dead circuit reach nobody.
    server.post('PV:A', 99);
    expect(monA1.values.at(-1)).toBe(4);
  });

  it('a channel the server drops (SERVER_DISCONN) searches again alone', () => {
    const { rig, server, chans } = connected({ 'PV:A': 1, 'PV:B': 2 });
    server.send((w) => writeServerDisconn(w, chans[0]!.cid));
    expect(chans[0]!.state).toBe('searching');
    expect(chans[1]!.state).toBe('connected');
    rig.advance(0);
    expect(rig.searches.at(-1)!.requests.map((r) => r.name)).toEqual(['PV:A']);
  });
});

describe('ECHO watchdog (EPICS_CA_CONN_TMO)', () => {
  it('probes a silent circuit after connTmo and declares the server dead when the ECHO goes unanswered', () => {
    const { rig, server, chans } = connected({ 'HUNG:PV': 1 }, { connTmo: 30 });
    const up = rig.clock.now();
    server.mute = true;
    rig.advance(29_999);
    expect(server.pump().map((m) => m.kind)).not.toContain('ECHO');
    rig.advance(1);
    expect(server.pump().map((m) => m.kind)).toEqual(['ECHO']);
    expect(rig.clock.now() - up).toBe(30_000);
    rig.advance(4_999);
    expect(rig.dropped).toEqual([]);
    expect(chans[0]!.state).toBe('connected');
    rig.advance(1);
    expect(rig.dropped).toEqual([server.id]);
    expect(chans[0]!.state).toBe('searching');
    expect(rig.connections.at(-1)).toEqual([chans[0]!.cid, false]);
    expect(rig.core.circuitCount).toBe(0);
    rig.core.circuitClosed(server.id); // the socket's close arriving afterwards changes nothing
    expect(rig.connections.filter(([, upNow]) => !upNow)).toHaveLength(1);
  });

  it('counts a beacon from the serving IOC as a sign of life', () => {
    const { rig, server, chans } = connected({ 'PV:B': 1 }, { connTmo: 30 });
    for (let i = 0; i < 10; i++) {
      rig.advance(15_000);
      const w = new ByteWriter();
      writeBeacon(w, 5064, i);
      rig.core.datagram(w.take(), '10.0.0.5');
    }
    expect(server.pump()).toEqual([]); // 150 s without circuit traffic, no ECHO needed
    expect(rig.dropped).toEqual([]);
    expect(chans[0]!.state).toBe('connected');
  });

  it('keeps a circuit whose server answers the ECHO, and never probes a busy one', () => {
    const { rig, server, chans } = connected({ 'PV:E': 5 }, { connTmo: 30 });
    for (let i = 0; i < 5; i++) {
      rig.advance(30_000);
      expect(server.pump().map((m) => m.kind), `probe ${i}`).toEqual(['ECHO']); // answered inside pump
    }
    expect(rig.dropped).toEqual([]);
    const mon = recorder();
    rig.core.subscribe(chans[0]!, undefined, mon);
    server.pump();
    for (let i = 0; i < 100; i++) {
      rig.advance(1000);
      server.post('PV:E', i);
    }
    expect(server.pump()).toEqual([]); // 100 s of monitor traffic, no ECHO
    expect(mon.values).toHaveLength(101);
    expect(rig.dropped).toEqual([]);
    expect(chans[0]!.state).toBe('connected');
  });
});

describe('request matching', () => {
  it('ignores replies with unknown ioids and subscription ids', async () => {
    const { rig, server, chans } = connected({ 'PV:A': 7 });
    const ch = chans[0]!;
    const get = outcome(new Promise<CaValue>((resolve, reject) => rig.core.get(ch, undefined, { resolve, reject })));
    server.send((w) => {
      writeReadNotifyReply(w, DbrBase.DOUBLE, 1, ECA.NORMAL, 4242, snap(-1));
      writeWriteNotifyReply(w, DbrBase.DOUBLE, 1, ECA.PUTFAIL, 4243);
      writeEventAddReply(w, DbrBase.DOUBLE, 1, ECA.NORMAL, 4244, snap(-2));
      writeAccessRights(w, 9999, 0);
    });
    await settle();
    expect(get.settled).toBe(false);
    server.pump();
    await settle();
    expect((get.value as CaValue).value).toBe(7);
    expect(rig.errors).toEqual([]);
    expect(ch.state).toBe('connected');
    expect(ch.rights).toBe(3);
  });

  it('times requests and connection waits out in virtual time', async () => {
    const { rig, server, chans } = connected({ 'PV:A': 1 });
    server.holdWrites = true;
    const put = outcome(new Promise<void>((resolve, reject) => rig.core.put(chans[0]!, 2, { wait: true, timeout: 2 }, { resolve, reject })));
    const missing = rig.core.createChannel('PV:MISSING');
    const wait = outcome(new Promise<void>((resolve, reject) => rig.core.waitConnected(missing, 3, { resolve, reject })));
    server.pump();
    rig.advance(1999);
    await settle();
    expect(put.settled).toBe(false);
    rig.advance(1);
    await settle();
    expect(put.error).toMatchObject({ status: ECA.TIMEOUT });
    expect((put.error as Error).message).toContain('put timed out');
    expect(wait.settled).toBe(false);
    rig.advance(1000);
    await settle();
    expect(wait.error).toMatchObject({ status: ECA.TIMEOUT });
    expect((wait.error as Error).message).toContain('not found');
    // A late completion for the timed-out put is an unknown ioid now: ignored.
    server.send((w) => writeWriteNotifyReply(w, DbrBase.DOUBLE, 1, ECA.NORMAL, server.heldWrites[0]!));
    expect(rig.errors).toEqual([]);
  });

  it('fails a put-callback on a channel that disconnects with ECA_DISCONN naming the lost circuit', async () => {
    const { rig, server, chans } = connected({ 'PV:S': 0 });
    server.holdWrites = true;
    const put = outcome(new Promise<void>((resolve, reject) => rig.core.put(chans[0]!, 1, { wait: true, timeout: 30 }, { resolve, reject })));
    server.pump();
    expect(server.heldWrites).toHaveLength(1);
    rig.core.circuitClosed(server.id);
    await settle();
    expect(put.error).toBeInstanceOf(CaError);
    expect(put.error).toMatchObject({ status: ECA.DISCONN, pvName: 'PV:S' });
    expect((put.error as Error).message).toBe('PV:S: put disconnected (circuit to 10.0.0.5:5064 lost) (ECA_DISCONN)');
    // A put issued while the channel is down fails at once rather than waiting for a circuit.
    const late = outcome(new Promise<void>((resolve, reject) => rig.core.put(chans[0]!, 2, { wait: true }, { resolve, reject })));
    await settle();
    expect(late.error).toMatchObject({ status: ECA.DISCONN });
    expect((late.error as Error).message).toContain('put: channel is searching');
  });

  it('closing a channel completes its monitors, fails its requests and clears it on the wire', async () => {
    const { rig, server, chans } = connected({ 'PV:A': 1 });
    const mon = recorder();
    rig.core.subscribe(chans[0]!, undefined, mon);
    server.pump();
    const get = outcome(new Promise<CaValue>((resolve, reject) => rig.core.get(chans[0]!, undefined, { resolve, reject })));
    rig.core.closeChannel(chans[0]!);
    await settle();
    expect(mon.completed).toBe(true);
    expect(get.error).toMatchObject({ status: ECA.DISCONN });
    expect(server.pump().map((m) => m.kind)).toEqual(['READ_NOTIFY', 'CLEAR_CHANNEL']); // the get was already queued
    expect(chans[0]!.state).toBe('closed');
    expect(() => chans[0]!.move('found')).toThrow(ChannelStateError);
    expect(rig.core.nextDeadline()).toBeDefined(); // the circuit's watchdog still runs
    rig.core.close();
    expect(rig.core.nextDeadline()).toBeUndefined();
  });
});
