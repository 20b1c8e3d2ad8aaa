// The live web view against a served twin, driven by pyepics (Debian's libca) and headless Chromium.
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbEvent } from '../../ioc/db/database.js';
import { TwinSession } from '../../harness/twin-session.js';
import { startWebView, type WebView } from '../../web/server.js';
import { PythonSession, runPython } from '../interop/pyepics.js';
import { launch, openPage, screenshot } from './browser.js';

const X = 'XF:11BMB-ES{Chm:Smpl-Ax:X}Mtr';
const CAM = 'XF:11BMB-ES{Det:PIL2M}:cam1:';
const SP = 'XF:11BM-ES:{LINKAM}:SETPOINT:SET';

let session: TwinSession;
let web: WebView;
let browser: Browser;
let page: Page;
let problems: string[];
let requests: string[];
const events: DbEvent[] = [];

beforeAll(async () => {
  session = await TwinSession.start({ profile: 'cms' });
  session.twin.db.events.subscribe((e) => events.push(e));
  web = await startWebView({ twin: session.twin, port: 0 });
  browser = await launch();
  ({ page, problems, requests } = await openPage(browser, web.url));
  await page.waitForSelector('tr[data-motor]');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await session?.stop();
});

/** The text of the cell showing `pv`. */
const cell = (pv: string) => page.locator(`[data-pv="${pv}"]`).first();

describe('live web view', () => {
  it('builds its panels from the profile and loads with no console error, offline', async () => {
    expect(await page.locator('tr[data-motor]').count()).toBe(10);
    expect(await page.locator('canvas.image').count()).toBe(1);
    expect(await page.locator('section.linkam canvas.chart').count()).toBe(1);
    expect(await page.locator('section.shutter dd').count()).toBe(3);
    expect(await cell(`${X}.RBV`).textContent()).toBe('0.00000');
    await page.waitForFunction(() => document.getElementById('status')?.textContent === 'live');
    expect(problems).toEqual([]);
    expect(requests.filter((u) => !u.startsWith(web.url))).toEqual([]);
  });

  it('shows a motor moved by pyepics at its new position, and the put with its client on the timeline', async () => {
    await runPython(`epics.caput(${JSON.stringify(X)}, 1.5, wait=True, timeout=20)\nout({'rbv': epics.caget(${JSON.stringify(X + '.RBV')})})`, { env: session.clientEnv() });
    await page.waitForFunction(([pv]) => document.querySelector(`[data-pv="${pv}"]`)?.textContent === '1.50000', [`${X}.RBV`]);
    expect(await cell(X).textContent()).toBe('1.50000');
    await page.waitForFunction(
      ([pv]) => [...document.querySelectorAll('#events tr')].some((tr) => tr.children[2]?.textContent === pv && /^ca /.test(tr.children[4]?.textContent ?? '')),
      [X],
    );
    expect(Number(await page.locator('#timeline').getAttribute('data-lanes'))).toBeGreaterThan(0);
    await screenshot(page, 'live-after-move');
  });

  it('draws a new image after an acquisition, with its statistics', async () => {
    const before = Number((await page.locator('canvas.image').getAttribute('data-counter')) || -1);
    await runPython(
      `epics.caput(${JSON.stringify(CAM + 'AcquireTime')}, 0.05, wait=True)\nepics.caput(${JSON.stringify(CAM + 'Acquire')}, 1, wait=True, timeout=20)\nout({'n': epics.caget(${JSON.stringify(CAM + 'ArrayCounter_RBV')})})`,
      { env: session.clientEnv() },
    );
    const counter = Number(session.twin.db.get(`${CAM}ArrayCounter_RBV`)!.value);
    expect(counter).toBeGreaterThan(before);
    await page.waitForFunction((n) => Number(document.querySelector('canvas.image')?.getAttribute('data-counter')) >= n, counter);
    // Pixels are drawn, and not one flat colour (the synthetic frame has a peak).
    const spread = await page.evaluate(() => {
      const c = document.querySelector('canvas.image') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      const seen = new Set<number>();
      for (let i = 0; i < d.length; i += 4) seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
      return { w: c.width, colours: seen.size };
    });
    expect(spread.w).toBe(256);
    expect(spread.colours).toBeGreaterThan(2);
    expect(await page.locator('section.detector .stats').textContent()).toMatch(new RegExp(`^frame ${counter}: 1024×1024, min \\S+, max \\S+, mean`));
    await screenshot(page, 'live-after-acquire');
  });

  it('writes a PV from the page through the put path: pyepics sees it, the trace names the web client', async () => {
    const py = await PythonSession.start(
      `seen = []
pv = epics.PV(${JSON.stringify(SP)}, callback=lambda value=None, **kw: seen.append(value))
pv.wait_for_connection(5)
wait_until(lambda: len(seen) > 0)
out({'ready': seen[-1]})
wait_until(lambda: 42.5 in seen, timeout=20)
out({'seen': seen[-1]})`,
      { env: session.clientEnv() },
    );
    try {
      await py.next((m) => 'ready' in m);
      await page.fill('#pv-search', 'SETPOINT:SET');
      await page.locator(`#pv-list li[data-pv="${SP}"]`).click();
      await page.waitForFunction(() => document.getElementById('pv-name')?.textContent !== '');
      await page.fill('#pv-input', '42.5');
      await page.click('#pv-write button');
      expect(await py.next((m) => 'seen' in m)).toEqual({ seen: 42.5 });
      await py.finish();
    } finally {
      py.kill();
    }
    await page.waitForFunction(() => /^wrote 42.5/.test(document.getElementById('pv-result')?.textContent ?? ''));
    const put = events.find((e) => e.kind === 'put' && e.pv.name === SP);
    expect(put && put.kind === 'put' && put.ctx.origin).toBe('web');
    // The Linkam panel follows it.
    await page.waitForFunction(([pv]) => document.querySelector(`[data-pv="${pv}"]`)?.textContent === '42.5', [SP]);
  });

  it('refuses a bad write with the reason, and nothing is put', async () => {
    await page.fill('#pv-search', 'DetectorState_RBV');
    await page.locator(`#pv-list li[data-pv="${CAM}DetectorState_RBV"]`).click();
    await page.fill('#pv-input', '1');
    const puts = events.filter((e) => e.kind === 'put').length;
    const logged = problems.length;
    await page.click('#pv-write button');
    await page.waitForFunction(() => /write access denied/.test(document.getElementById('pv-result')?.textContent ?? ''));
    expect(events.filter((e) => e.kind === 'put').length).toBe(puts);
    // The browser logs the refused request (HTTP 400) itself; nothing else may appear.
    expect(problems.splice(logged)).toEqual(['Failed to load resource: the server responded with a status of 400 (Bad Request)']);
  });

  it('adds a marker and resets the twin from the buttons', async () => {
    await page.fill('#marker-text', 'web-check');
    await page.click('#marker');
    await page.waitForFunction(() => [...document.querySelectorAll('#events tr')].some((tr) => tr.children[1]?.textContent === 'marker' && tr.children[2]?.textContent === 'web-check'));
    await page.click('#reset');
    await page.waitForFunction(([pv]) => document.querySelector(`[data-pv="${pv}"]`)?.textContent === '0.00000', [`${X}.RBV`]);
    expect(session.twin.db.get(`${X}.RBV`)!.value).toBe(0);
    const reset = events.find((e) => e.kind === 'put' && e.pv === session.twin.resetPv);
    expect(reset && reset.kind === 'put' && reset.ctx.origin).toBe('web');
    const shot = await screenshot(page, 'live-after-reset');
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    expect(problems).toEqual([]);
  });
});
