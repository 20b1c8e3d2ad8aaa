// An in-memory PVA client for the sans-I/O server circuit: builds requests with the protocol writers
// (in either byte order) and decodes what the circuit wrote.
import { RealClock } from '../../../../ioc/clock.js';
import { PvDatabase } from '../../../../ioc/db/database.js';
import { getLogger } from '../../../../ioc/log.js';
import {
  Cmd,
  PvaFramer,
  PvaReader,
  PvaWriter,
  buildPvRequest,
  writeClientValidation,
  writeCreateChannelRequest,
  writeOpInit,
  type PvaFrame,
} from '../../../../ioc/pva/protocol/index.js';
import { PvaServerCircuit, type PvaCircuitOptions } from '../../../../ioc/pva/server/circuit.js';

export class TestPeer {
  readonly framer = new PvaFramer();
  readonly frames: PvaFrame[] = [];
  /** Every write of the circuit, as the socket would get it. */
  readonly raw: Buffer[] = [];
  backlog = 0;
  closed = false;
  readonly circuit: PvaServerCircuit;

  constructor(
    readonly db: PvDatabase,
    readonly be = false,
    opts: Partial<PvaCircuitOptions> = {},
  ) {
    const self = this;
    this.circuit = new PvaServerCircuit(
      {
        write: (chunks) => {
          for (const b of chunks) {
            this.raw.push(Buffer.from(b));
            for (const f of this.framer.push(b)) this.frames.push({ ...f, payload: Buffer.from(f.payload) });
          }
        },
        get backlog() {
          return self.backlog;
        },
        close: () => {
          this.closed = true;
        },
      },
      { source: db, log: getLogger('test.pva'), peer: 'test', guid: Buffer.alloc(12, 7), tcpPort: 5075, ...opts },
    );
    this.circuit.start();
  }

  writer(): PvaWriter {
    return new PvaWriter(this.be, 0);
  }
  send(build: (w: PvaWriter) => void): void {
    const w = this.writer();
    build(w);
    this.circuit.recv(w.take());
  }
  /** Frames written since the last take(), application messages only. */
  take(): PvaFrame[] {
    return this.frames.splice(0).filter((f) => !(f.header.flags & 1));
  }
  reader(f: PvaFrame): PvaReader {
    return new PvaReader(f.payload, f.be);
  }

  validate(): void {
    this.send((w) => writeClientValidation(w, { method: 'ca', user: 'alice', host: 'lab' }));
    this.take();
  }
  /** Create a channel; returns the server's channel id. */
  channel(name: string, cid = 1): number {
    this.send((w) => writeCreateChannelRequest(w, cid, name));
    const [f] = this.take();
    const r = this.reader(f!);
    r.u32();
    return r.u32();
  }
  init(cmd: number, sid: number, ioid: number, request = '', pipelineQueue?: number): PvaFrame {
    this.send((w) => writeOpInit(w, cmd, sid, ioid, buildPvRequest(request), pipelineQueue));
    return this.take()[0]!;
  }
}

export const newDb = (): PvDatabase => new PvDatabase(new RealClock());
export { Cmd };
