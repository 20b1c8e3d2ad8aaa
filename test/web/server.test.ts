// The web view's HTTP API without a browser: what it serves, what it refuses, and that a web write is a
// put like any client's.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../ioc/clock.js';
import type { DbEvent } from '../../ioc/db/database.js';
import { loadProfile } from '../../devices/profile/profile.js';
import { Twin } from '../../devices/twin.js';
import { replayTrace } from '../../web/replay.js';
import { startWebView, type WebView } from '../../web/server.js';

const SP = 'XF:11BM-ES:{LINKAM}:SETPOINT:SET';
const CAM = 'XF:11BMB-ES{Det:PIL2M}:cam1:';

let twin: Twin;
let web: WebView;
const events: DbEvent[] = [];

beforeAll(async () => {
  twin = new Twin(loadProfile('cms'), { clock: new VirtualClock() }).start();
  twin.db.events.subscribe((e) => events.push(e));
  web = await startWebView({ twin, port: 0 });
});

afterAll(async () => {
  await web.close();
  twin.stop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(new URL(path, web.url), { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** A raw request, for headers fetch will not let a caller set (Host). */
function raw(path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: web.port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web view API', () => {
  it('serves the page, its script and its style, bound to loopback', async () => {
    expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const html = await fetch(web.url);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    expect(await html.text()).toContain('<script src="app.js">');
    const js = await (await fetch(new URL('app.js', web.url))).text();
    expect(js.length).toBeGreaterThan(5000);
    expect(js).not.toMatch(/\bimport\s*\(|https?:\/\/(?!www\.w3\.org)/); // one bundle, nothing fetched from elsewhere
    expect((await fetch(new URL('style.css', web.url))).headers.get('content-type')).toMatch(/text\/css/);
    expect((await fetch(new URL('nothing.js', web.url))).status).toBe(404);
  });

  it('searches and reads PVs, never fabricating a catch-all PV', async () => {
    const found = (await (await fetch(new URL('api/pvs?q=setpoint:set', web.url))).json()) as { names: string[] };
    expect(found.names).toContain(SP);
    const r = (await (await fetch(new URL(`api/pv?name=${encodeURIComponent(`${CAM}DetectorState_RBV`)}`, web.url))).json()) as { text: string; meta: { enums: string[]; writable: boolean } };
    expect(r.text).toBe('Idle');
    expect(r.meta.writable).toBe(false);
    const unknown = 'XF:11BMB-ES{Nothing:Here}Val';
    const miss = await fetch(new URL(`api/pv?name=${encodeURIComponent(unknown)}`, web.url));
    expect(miss.status).toBe(404);
    expect(twin.db.get(unknown)).toBeUndefined();
  });

  it('writes through the put path, recorded as a web put with the client address', async () => {
    const res = await post('api/put', { name: SP, value: '31.5' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, done: true, reading: { value: 31.5 } });
    const put = events.filter((e) => e.kind === 'put' && e.pv.name === SP).at(-1);
    expect(put?.kind === 'put' && put.ctx).toMatchObject({ origin: 'web', host: '127.0.0.1' });
    // Enum states by name, as caput takes them.
    expect((await post('api/put', { name: `${CAM}ImageMode`, value: 'Continuous' })).status).toBe(200);
    expect(twin.db.get(`${CAM}ImageMode`)!.value).toBe(2);
  });

  it('refuses bad writes with the reason', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ name: `${CAM}DetectorState_RBV`, value: 1 }, 400, /write access denied/],
      [{ name: SP, value: [1, 2] }, 400, /bad element count 2/],
      [{ name: SP, value: { x: 1 } }, 400, /a number, a text, or a list/],
      [{ name: `${CAM}ImageMode`, value: 'Sideways' }, 400, /./],
      [{ name: 'no:such:pv', value: 1 }, 404, /no PV no:such:pv/],
      ['{not json', 400, /not a JSON object/],
      ['x'.repeat(70_000), 413, /at most 65536 bytes/],
    ];
    for (const [body, status, message] of cases) {
      const res = await post('api/put', body);
      expect([res.status, ((await res.json()) as { error: string }).error]).toEqual([status, expect.stringMatching(message)]);
    }
  });

  it('refuses writes from other sites and requests for other host names', async () => {
    expect((await post('api/put', { name: SP, value: 1 }, { origin: 'http://evil.example' })).status).toBe(403);
    const form = await fetch(new URL('api/reset', web.url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(form.status).toBe(403);
    expect((await raw('/api/info', { host: 'evil.example:80' })).status).toBe(403);
    expect((await raw('/api/info', { host: `localhost:${web.port}` })).status).toBe(200);
  });

  it('adds markers and resets the twin', async () => {
    expect((await post('api/marker', { text: 'check' })).status).toBe(200);
    expect(twin.marker.value).toBe('check');
    expect((await post('api/marker', { text: ' ' })).status).toBe(400);
    twin.db.get(SP)!.set(50);
    expect((await post('api/reset', {})).status).toBe(200);
    expect(twin.db.get(SP)!.value).toBe(25);
  });

  it('a taken port is an error that leaves the database unobserved', async () => {
    const other = new Twin(loadProfile('cms'), { clock: new VirtualClock() }).start();
    try {
      await expect(startWebView({ twin: other, port: web.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(other.db.events.observed).toBe(false);
    } finally {
      other.stop();
    }
  });

  it('in a replay serves the trace and no live API', async () => {
    const replay = await startWebView({ port: 0, replay: replayTrace('t.jsonl', [], { layout: { profile: 'x', description: '', panels: [], tracked: [] }, meta: {} }) });
    try {
      expect(await (await fetch(new URL('api/info', replay.url))).json()).toEqual({ mode: 'replay' });
      expect(await (await fetch(new URL('api/trace', replay.url))).json()).toMatchObject({ file: 't.jsonl', events: [] });
      expect((await fetch(new URL('api/pvs?q=a', replay.url))).status).toBe(404);
      expect((await fetch(new URL('api/stream', replay.url))).status).toBe(404);
    } finally {
      await replay.close();
    }
  });
});
