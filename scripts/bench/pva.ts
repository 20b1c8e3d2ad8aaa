// pvAccess server throughput, measured with a lean pipelining client built on the protocol core, and the
// detector frames also with p4p. Prints one figure per line. Usage: node dist/scripts/bench/pva.js [channels]
// (BEAMTWIN_PYTHON overrides .venv/bin/python)
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { BitSet } from '../../ioc/pva/protocol/bitset.js';
import { Cmd, Sub } from '../../ioc/pva/protocol/constants.js';
import { readFieldDesc, type StructureDesc } from '../../ioc/pva/protocol/field-desc.js';
import { PvaFramer, type PvaFrame } from '../../ioc/pva/protocol/framer.js';
import { buildPvRequest } from '../../ioc/pva/protocol/pv-request.js';
import { readCreateChannelResponse, readOpResponse, writeBitsAndValue, writeClientValidation, writeCreateChannelRequest, writeOpInit } from '../../ioc/pva/protocol/messages.js';
import { PvaReader } from '../../ioc/pva/protocol/reader.js';
import { PvaWriter } from '../../ioc/pva/protocol/writer.js';

const N = Number(process.argv[2] ?? 10000);
const serverScript = fileURLToPath(new URL('./pva-server.js', import.meta.url));
// The server gets this process's node flags: `node --cpu-prof dist/scripts/bench/pva.js` profiles both sides.
const child = spawn(process.execPath, [...process.execArgv, serverScript, String(N)], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<number>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));

const sock = net.connect(port, '127.0.0.1');
sock.setNoDelay(true);
await new Promise((r) => sock.once('connect', r));
let onFrame: (f: PvaFrame) => void = () => {};
const framer = new PvaFramer(1 << 30);
sock.on('data', (c) => {
  for (const f of framer.push(c)) onFrame(f);
});
const w = new PvaWriter(false, 0, 1 << 20);
const send = () => {
  if (w.length) sock.write(w.take());
};
const reader = (f: PvaFrame) => new PvaReader(f.payload, f.be);

/** Issue `total` requests in windows; resolve with the elapsed ms when all replies of `cmd` arrived. */
function pipeline(total: number, cmd: number, issue: (i: number) => void, window = 4096): Promise<number> {
  return new Promise((resolve) => {
    let sent = 0;
    let got = 0;
    const t0 = performance.now();
    const pump = () => {
      while (sent < total && sent - got < window) issue(sent++);
      send();
    };
    onFrame = (f) => {
      if (f.header.command !== cmd) return;
      got++;
      if (got === total) resolve(performance.now() - t0);
      else if (sent - got < window / 2) pump();
    };
    pump();
  });
}

// Handshake: the server speaks first; answer, wait for CONNECTION_VALIDATED.
await new Promise<void>((resolve) => {
  onFrame = (f) => {
    if (f.header.command === Cmd.CONNECTION_VALIDATION && !(f.header.flags & 1)) {
      writeClientValidation(w, { method: 'anonymous' });
      send();
    } else if (f.header.command === Cmd.CONNECTION_VALIDATED) resolve();
  };
});

const sids: number[] = new Array(N);
const tConnect = await pipeline(N, Cmd.CREATE_CHANNEL, (i) => writeCreateChannelRequest(w, i, `bench:${i}`));
// The server numbers a fresh circuit's channels 1, 2, … in request order.
for (let i = 0; i < N; i++) sids[i] = i + 1;

// One GET per channel, initialised once, then executed again and again.
const GET_OPS = Math.min(N, 1000);
await pipeline(GET_OPS, Cmd.GET, (i) => writeOpInit(w, Cmd.GET, sids[i]!, i + 1, buildPvRequest('field(value)')));
const GETS = 300_000;
const tGets = await pipeline(GETS, Cmd.GET, (i) => w.begin(Cmd.GET).u32(sids[i % GET_OPS]!).u32((i % GET_OPS) + 1).u8(0).finish());

// Monitor bench:0, then have the server post UPDATES values; count what arrives until the last value.
const UPDATES = 200_000;
let mDesc!: StructureDesc;
await new Promise<void>((resolve) => {
  onFrame = (f) => {
    if (f.header.command !== Cmd.MONITOR) return;
    const r = reader(f);
    const resp = readOpResponse(r);
    if (resp.sub & Sub.INIT) {
      mDesc = readFieldDesc(r) as StructureDesc;
      resolve();
    }
  };
  writeOpInit(w, Cmd.MONITOR, sids[0]!, 900_001, buildPvRequest('record[queueSize=64]field(value)'));
  send();
});
const { tMon, delivered } = await new Promise<{ tMon: number; delivered: number }>((resolve) => {
  let count = 0;
  let t0 = 0;
  onFrame = (f) => {
    if (f.header.command !== Cmd.MONITOR) return;
    count++;
    if (count === 1) {
      // The initial value: start the clock and the server's burst.
      t0 = performance.now();
      return;
    }
    const r = reader(f);
    r.u32(); // ioid
    r.u8(); // subcommand
    BitSet.read(r); // changed: the value
    const v = r.f64();
    if (v === UPDATES) resolve({ tMon: performance.now() - t0, delivered: count - 1 });
  };
  w.begin(Cmd.MONITOR).u32(sids[0]!).u32(900_001).u8(0x44).finish();
  // Put UPDATES to bench:trigger (a fresh channel and PUT).
  writeCreateChannelRequest(w, 800_001, 'bench:trigger');
  send();
  const prev = onFrame;
  onFrame = (f) => {
    if (f.header.command === Cmd.CREATE_CHANNEL) {
      const { sid } = readCreateChannelResponse(reader(f));
      writeOpInit(w, Cmd.PUT, sid, 800_002, buildPvRequest('field(value)'));
      send();
      onFrame = (g) => {
        if (g.header.command === Cmd.PUT) {
          const r = reader(g);
          readOpResponse(r);
          const desc = readFieldDesc(r) as StructureDesc;
          onFrame = prev;
          w.begin(Cmd.PUT).u32(sid).u32(800_002).u8(0);
          writeBitsAndValue(w, desc, { value: UPDATES }, BitSet.of(1));
          w.finish();
          send();
        } else prev(g);
      };
    } else prev(f);
  };
});

// Frames: pipelined monitor of bench:image (1024×1024 Int32, 4 MiB), the server posting as fast as it can.
const FRAME_SECONDS = 3;
const frames = await new Promise<{ n: number; ms: number; bytes: number }>((resolve) => {
  let n = 0;
  let bytes = 0;
  let t0 = 0;
  const IOID = 700_001;
  onFrame = (f) => {
    if (f.header.command === Cmd.CREATE_CHANNEL) {
      const { sid } = readCreateChannelResponse(reader(f));
      if (sid && f.payload.readUInt32LE(0) === 700_000) {
        writeOpInit(w, Cmd.MONITOR, sid, IOID, buildPvRequest('record[queueSize=4,pipeline=true]'), 4);
        w.begin(Cmd.MONITOR).u32(sid).u32(IOID).u8(0x44).finish();
        send();
        imageSid = sid;
      } else if (sid) {
        writeOpInit(w, Cmd.PUT, sid, 700_003, buildPvRequest('field(value)'));
        send();
        framesSid = sid;
      }
      return;
    }
    if (f.header.command === Cmd.PUT) {
      const r = reader(f);
      const resp = readOpResponse(r);
      if (resp.sub & Sub.INIT) {
        const desc = readFieldDesc(r) as StructureDesc;
        w.begin(Cmd.PUT).u32(framesSid).u32(700_003).u8(0);
        writeBitsAndValue(w, desc, { value: 1 }, BitSet.of(1));
        w.finish();
        send();
      }
      return;
    }
    if (f.header.command !== Cmd.MONITOR || f.payload.readUInt32LE(0) !== IOID || f.payload[4] !== 0) return;
    n++;
    bytes += f.payload.length;
    if (n === 2) t0 = performance.now();
    // Ack each frame (pipeline), as p4p does.
    w.begin(Cmd.MONITOR).u32(imageSid).u32(IOID).u8(Sub.PIPELINE).u32(1).finish();
    send();
    if (n > 2 && performance.now() - t0 > FRAME_SECONDS * 1000) resolve({ n: n - 2, ms: performance.now() - t0, bytes });
  };
  let imageSid = 0;
  let framesSid = 0;
  writeCreateChannelRequest(w, 700_000, 'bench:image');
  writeCreateChannelRequest(w, 700_002, 'bench:frames');
  send();
});

// The lean client stops acknowledging, so its pipeline window closes and the server sends it nothing more.
onFrame = () => {};

// The same frames to p4p (pvxs, what Python image viewers use), when the test environment's Python is there.
const p4pFrames = await new Promise<string>((resolve) => {
  const python = process.env['BEAMTWIN_PYTHON'] ?? fileURLToPath(new URL('../../../.venv/bin/python', import.meta.url));
  const script = fileURLToPath(new URL('../../../scripts/bench/pva-p4p-frames.py', import.meta.url));
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('EPICS_')) env[k] = v;
  Object.assign(env, { EPICS_PVA_NAME_SERVERS: `127.0.0.1:${port}`, EPICS_PVA_ADDR_LIST: '', EPICS_PVA_AUTO_ADDR_LIST: 'NO' });
  const p = spawn(python, [script, String(FRAME_SECONDS)], { stdio: ['ignore', 'pipe', 'inherit'], env });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += String(d)));
  p.on('error', (e) => resolve(`not measured (${e.message})`));
  p.on('close', (code) => resolve(code === 0 ? out.trim() : `not measured (p4p exited ${code})`));
});

const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);
process.stdout.write(`channel connects/s: ${rate(N, tConnect)}\n`);
process.stdout.write(`gets/s: ${rate(GETS, tGets)}\n`);
process.stdout.write(`monitor updates/s: ${rate(delivered, tMon)} (${delivered} of ${UPDATES} posted values delivered${delivered < UPDATES ? ', the rest coalesced' : ''})\n`);
process.stdout.write(`1024x1024 NTNDArray frames/s: ${((frames.n / frames.ms) * 1000).toFixed(1)} (${((frames.bytes / frames.ms) * 1000 / 1e6).toFixed(0)} MB/s)\n`);
process.stdout.write(`1024x1024 NTNDArray frames/s to a p4p subscriber: ${p4pFrames}\n`);
sock.destroy();
child.kill('SIGTERM');
