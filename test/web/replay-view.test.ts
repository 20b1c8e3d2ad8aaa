// `beamtwin view`: a trace recorded from a twin (virtual time) replayed in the page with its slider.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { VirtualClock } from '../../ioc/clock.js';
import { loadProfile } from '../../devices/profile/profile.js';
import { Twin } from '../../devices/twin.js';
import { JsonlTraceWriter } from '../../recorder/jsonl.js';
import { readJsonLines } from '../../aligner/io/read-trace.js';
import type { TraceEvent, TraceHeader } from '../../recorder/event.js';
import { InProcessRecorder } from '../../recorder/tap.js';
import { replayPanels, replayTrace } from '../../web/replay.js';
import { startWebView, type WebView } from '../../web/server.js';
import { launch, openPage, screenshot } from './browser.js';

const X = 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr';
const SP = 'XF:11BM-ES:{LINKAM}:SETPOINT:SET';

/** A short session in virtual time: a marker, a move of 0.3, a setpoint change. */
async function recordTrace(): Promise<string> {
  const clock = new VirtualClock();
  const twin = new Twin(loadProfile('cms'), { clock }).start();
  const file = join(mkdtempSync(join(tmpdir(), 'bt-view-')), 'session.jsonl');
  const writer = new JsonlTraceWriter(file, { format: 'beamtwin-trace', version: 1, producer: 'test', profile: 'cms', clock: 'virtual', start: clock.now() / 1000, source: 'in-process' });
  const rec = new InProcessRecorder(twin.db, writer, { markerPv: twin.marker, ignore: [twin.resetPv] }).start();
  await twin.marker.put('start', { origin: 'ca' });
  clock.advance(1000);
  const move = twin.db.lookup(X)!.put(0.3, { origin: 'ca', user: 'bob', host: 'ws1', cid: 4 });
  clock.runUntil(() => twin.db.get(`${X}.DMOV`)!.value === 1 && clock.now() > Date.UTC(2026, 0, 1) + 1500, 20_000, 50);
  await move;
  clock.advance(1000);
  await twin.db.get(SP)!.put(30, { origin: 'ca' });
  clock.advance(3000);
  rec.stop();
  writer.close();
  twin.stop();
  return file;
}

/** Move the slider as a user drags it (an input event). */
const slide = (page: Page, to: number) =>
  page.evaluate((v) => {
    const s = document.getElementById('slider') as HTMLInputElement;
    s.value = String(v);
    s.dispatchEvent(new Event('input'));
  }, to);

let browser: Browser;
let web: WebView;
/** Slider position (of 1000) just after the first position update midway through the move. */
let midway = 0;

beforeAll(async () => {
  const file = await recordTrace();
  const trace = readJsonLines<TraceHeader, TraceEvent>(file);
  const ts = trace.events.map((e) => e.timestamp);
  const [start, end] = [Math.min(...ts), Math.max(...ts)];
  const mid = trace.events.find((e) => e.channel === `${X}.RBV` && Number(e.value) > 0 && Number(e.value) < 0.2)!;
  midway = Math.ceil(((mid.timestamp - start) / (end - start)) * 1000);
  web = await startWebView({ port: 0, replay: replayTrace('session.jsonl', trace.events, replayPanels(trace.header)) });
  browser = await launch();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
});

describe('replay view', () => {
  it('shows the state at the slider time, the trace up to it, and no console error', async () => {
    const { page, problems } = await openPage(browser, web.url);
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'replay');
    const rbv = page.locator(`[data-pv="${X}.RBV"]`).first();
    // The slider starts at the end: the motor has arrived, the setpoint is changed.
    expect(await rbv.textContent()).toBe('0.30000');
    expect(await page.locator(`[data-pv="${SP}"]`).first().textContent()).toBe('30.0');
    expect(await page.locator('#events tr.ev-marker td:nth-child(3)').textContent()).toBe('start');
    expect(await page.locator('#events tr.ev-put').first().locator('td:nth-child(5)').textContent()).toBe('ca');
    expect(await page.locator('#events tr.ev-put-complete').count()).toBe(0); // all succeeded
    await screenshot(page, 'replay-end');
    // Back to the start: before the move.
    await slide(page, 0);
    await page.waitForFunction(([pv]) => document.querySelector(`[data-pv="${pv}"]`)?.textContent !== '0.30000', [`${X}.RBV`]);
    expect(await page.locator('#events tr.ev-put').count()).toBe(0);
    // Midway through the move the position is between.
    await slide(page, midway);
    await page.waitForFunction(([pv]) => {
      const v = Number(document.querySelector(`[data-pv="${pv}"]`)?.textContent);
      return v > 0 && v < 0.3;
    }, [`${X}.RBV`]);
    expect(await page.locator(`#events tr.ev-put td:nth-child(5)`).first().textContent()).toBe('ca bob@ws1 cid 4');
    await screenshot(page, 'replay-mid');
    expect(problems).toEqual([]);
  });
});
