// The web view's HTTP shell: the bundled page, one Server-Sent Events stream (the live feed), a small
// JSON API (search, read, write, reset, marker) and, for `beamtwin view`, a recorded trace to replay.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { PvDatabase } from '../ioc/db/database.js';
import type { Pv } from '../ioc/db/pv.js';
import type { Twin } from '../devices/twin.js';
import { loadPage } from './assets.js';
import { layoutOf } from './layout.js';
import { LiveFeed, type FeedOptions } from './live-feed.js';
import type { Layout, PvReading, ReplayTrace } from './protocol.js';
import { webPut, WebPutError } from './put.js';
import { metaOf, textOf, wireValue } from './wire.js';

export interface WebViewOptions {
  /** TCP port; 0 = any free one. */
  readonly port: number;
  /** Address to bind; default 127.0.0.1 (another interface only when asked, as for CA). */
  readonly host?: string;
  /** A running twin, or plain databases (no panels, no reset or markers) … */
  readonly twin?: Twin;
  readonly db?: PvDatabase;
  /** … or a recorded trace to replay. */
  readonly replay?: ReplayTrace;
  /** Feed tuning (tests, bench). */
  readonly feed?: Partial<Pick<FeedOptions, 'tickMs' | 'imageMs' | 'maxTickEvents' | 'history' | 'imageSide'>>;
}

export interface WebView {
  readonly url: string;
  readonly port: number;
  readonly feed: LiveFeed | undefined;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
const SEARCH_LIMIT = 200;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function startWebView(opts: WebViewOptions): Promise<WebView> {
  const assets = await loadPage();
  const twin = opts.twin;
  const db = twin?.db ?? opts.db;
  const find = (name: string): Pv | undefined => (twin ? twin.served(name) : db?.lookup(name));
  const layout: Layout | undefined = twin ? layoutOf(twin.profile) : db ? { profile: 'databases', description: '', panels: [], tracked: [] } : undefined;
  const feed =
    db && layout
      ? new LiveFeed({
          db,
          layout,
          find,
          ...(twin ? { isCatchAll: (pv: Pv) => twin.isCatchAllPv(pv), catchAll: twin.catchAllHits.map((h) => h.name) } : {}),
          ...opts.feed,
        })
      : undefined;

  const api = async (req: http.IncomingMessage, url: URL, res: http.ServerResponse): Promise<unknown> => {
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /api/info':
        return { mode: opts.replay ? 'replay' : 'live' };
      case 'GET /api/trace':
        if (!opts.replay) throw new HttpError(404, 'no trace: this view is live');
        return opts.replay;
      case 'GET /api/stream':
        if (!feed) throw new HttpError(404, 'no live stream: this view replays a trace');
        stream(req, res, feed);
        return undefined;
    }
    if (!db) throw new HttpError(404, `no ${url.pathname} in a replay`);
    switch (route) {
      case 'GET /api/pvs': {
        const q = (url.searchParams.get('q') ?? '').toLowerCase();
        const names: string[] = [];
        for (const n of db.names()) if (n.toLowerCase().includes(q) && names.push(n) >= SEARCH_LIMIT) break;
        return { names: names.sort(), more: names.length >= SEARCH_LIMIT };
      }
      case 'GET /api/pv': {
        const pv = find(url.searchParams.get('name') ?? '');
        if (!pv) throw new HttpError(404, `no PV ${url.searchParams.get('name')}`);
        return reading(pv);
      }
      case 'POST /api/put': {
        const body = (await jsonBody(req)) as { name?: unknown; value?: unknown };
        const pv = typeof body.name === 'string' ? find(body.name) : undefined;
        if (!pv) throw new HttpError(404, `no PV ${String(body.name)}`);
        return { ...(await putFromWeb(pv, body.value, req)), reading: reading(pv) };
      }
      case 'POST /api/reset':
      case 'POST /api/marker': {
        if (!twin) throw new HttpError(404, 'no twin control PVs when serving plain databases');
        const body = (await jsonBody(req)) as { text?: unknown };
        if (route === 'POST /api/reset') return putFromWeb(twin.resetPv, 1, req);
        if (typeof body.text !== 'string' || !body.text.trim()) throw new HttpError(400, 'a marker needs a text');
        return putFromWeb(twin.marker, body.text, req);
      }
    }
    throw new HttpError(404, `no ${route}`);
  };

  const host = opts.host ?? '127.0.0.1';
  const loopbackOnly = isLoopback(host);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    // Bound to this machine only: a page of another site that renamed itself to our address (DNS
    // rebinding) still sends its own host name, and is refused.
    if (loopbackOnly && !isLoopback(hostName(req.headers.host))) return send(res, 403, { error: 'this view answers to a loopback address only' });
    // Writes come from this page only: a JSON body (a cross-site form cannot send one without a CORS
    // preflight, which this server never grants) and, when the browser names it, our own origin.
    const origin = req.headers.origin;
    if (req.method === 'POST' && ((origin && origin !== `http://${req.headers.host}`) || !/^application\/json\b/.test(req.headers['content-type'] ?? ''))) {
      return send(res, 403, { error: 'writes take a JSON body from this page' });
    }
    if (url.pathname.startsWith('/api/')) {
      api(req, url, res).then(
        (out) => out !== undefined && send(res, 200, out),
        (e: unknown) => {
          if (e instanceof HttpError) send(res, e.status, { error: e.message });
          else if (e instanceof WebPutError) send(res, 400, { error: e.message });
          else send(res, 500, { error: (e as Error)?.message ?? String(e) });
        },
      );
      return;
    }
    const file = assets.files.get(url.pathname === '/' ? 'index.html' : url.pathname.slice(1));
    if (!file || req.method !== 'GET') return send(res, 404, { error: `no ${url.pathname}` });
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache' });
    res.end(file.body);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    feed?.close(); // a port that cannot be had: stop listening to the database too
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    port,
    feed,
    close: async () => {
      feed?.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\./.test(host);
}

function hostName(header: string | undefined): string {
  try {
    return new URL(`http://${header ?? ''}`).hostname;
  } catch {
    return '';
  }
}

function reading(pv: Pv): PvReading {
  return { name: pv.name, value: pv.count > 64 ? { length: pv.count } : wireValue(pv.value), text: textOf(pv), meta: metaOf(pv), severity: pv.severity, status: pv.status };
}

/** Start the put; answer when it completes or, for a long operation (a move), once it is under way. */
async function putFromWeb(pv: Pv, value: unknown, req: http.IncomingMessage): Promise<{ ok: true; done: boolean }> {
  const done = webPut(pv, value, { host: req.socket.remoteAddress ?? 'web' });
  done.catch(() => {}); // a failure after the answer is on the timeline (put-complete)
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([done.then(() => true), new Promise<false>((r) => (timer = setTimeout(() => r(false), 300)))]).finally(() => clearTimeout(timer));
  return { ok: true, done: settled };
}

function stream(req: http.IncomingMessage, res: http.ServerResponse, feed: LiveFeed): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const client = { write: (data: string) => res.write(`data: ${data}\n\n`) };
  res.on('drain', () => feed.drained(client));
  req.socket.setNoDelay(true);
  const gone = () => feed.remove(client);
  res.on('close', gone);
  res.on('error', gone);
  feed.add(client);
}

async function jsonBody(req: http.IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new HttpError(413, `a request body is at most ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  if (!size) return {};
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
    return v;
  } catch (e) {
    throw new HttpError(400, `the body is not a JSON object: ${(e as Error).message}`);
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' });
  res.end(text);
}
