// Debian's Chromium through playwright-core, as the HTML report test drives it; screenshots go to
// test-artifacts/web/ (git-ignored) so a failing run leaves pictures to look at.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) throw new Error(`the web view tests need ${CHROMIUM} (apt-get install -y chromium)`);

export const ARTIFACTS = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts', 'web');

export async function launch(): Promise<Browser> {
  const pw = await import('playwright-core');
  return pw.chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

/** A page that collects console errors, page errors and every URL it requested. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; problems: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url);
  return { page, problems, requests };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
