import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readTrace } from '../../aligner/io/read-trace.js';
import { renderHtmlReport } from '../../aligner/report/html.js';
import { scoreAllPresets } from '../../aligner/score.js';

const CHROMIUM = '/usr/bin/chromium';

// playwright-core drives Debian's chromium (apt-get install -y chromium; .ci/run installs it).
if (!existsSync(CHROMIUM)) throw new Error(`the HTML report test needs ${CHROMIUM} (apt-get install -y chromium)`);
const pw = await import('playwright-core');

function report(): { path: string; html: string } {
  const gt = readTrace('examples/traces/scan-gt.vision.json').events;
  const pred = readTrace('examples/traces/scan-pred.jsonl').events;
  const html = renderHtmlReport('vision', scoreAllPresets([gt], pred), ['scan-gt.vision.json'], 'scan-pred.jsonl');
  const path = join(mkdtempSync(join(tmpdir(), 'bt-html-')), 'report.html');
  writeFileSync(path, html);
  return { path, html };
}

describe('HTML report', () => {
  it('is one self-contained file: no script, no external reference', () => {
    const { html } = report();
    expect(html).not.toMatch(/<script|<link|src=|@import|url\(/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('renders in headless Chromium with lanes, links, gaps and curves, and no console error', async () => {
    const { path } = report();
    const browser = await pw!.chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(String(e)));
      page.on('request', (r) => requests.push(r.url()));
      await page.goto(pathToFileURL(path).href);
      const lanes = await page.locator('#timeline g.lane').count();
      expect(lanes).toBe(3); // setOrigin, the X motor, the detector; the temperature is a curve
      expect(await page.locator('#timeline line.link.match').count()).toBe(9);
      expect(await page.locator('#timeline line.link.mismatch').count()).toBe(1);
      expect(await page.locator('#timeline circle.event.gap').count()).toBe(1);
      expect(await page.locator('svg.continuous polyline.curve.gt').count()).toBe(1);
      expect(await page.locator('svg.continuous polyline.curve.pred').count()).toBe(1);
      const box = await page.locator('#timeline').boundingBox();
      expect(box!.width).toBeGreaterThan(1000);
      expect(box!.height).toBeGreaterThan(100);
      expect(await page.locator('#full-score').textContent()).toBe('0.8243');
      const shot = join(path, '..', 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      const png = readFileSync(shot);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.length).toBeGreaterThan(20_000);
      expect(problems).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
