// The live web view under load: every motor of the CMS profile moving (10 Hz position updates each) and
// the detector acquiring continuously at 2 frames/s. Prints the server's CPU without a page and with one
// page open, the page's update rate (stream messages, animation-frame draws and images per second) and
// the latency from a write to the page showing it, and the server's resident memory before and after the
// page was open. Needs /usr/bin/chromium.
// Run: npm run build && node dist/scripts/bench/web.js [seconds per phase, default 10]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const seconds = Number(process.argv[2] ?? 10);
const main = fileURLToPath(new URL('../../cli/main.js', import.meta.url));
const child = spawn(process.execPath, [main, 'serve', '--port', '0', '--interface', '127.0.0.1', '--web', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
const url = await new Promise<string>((resolve, reject) => {
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d;
    const m = /web view at (\S+)/.exec(err);
    if (m) resolve(m[1]!);
  });
  child.on('exit', () => reject(new Error(`serve ended: ${err}`)));
});

const put = async (name: string, value: number) => {
  const res = await fetch(new URL('api/put', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, value }) });
  if (!res.ok) throw new Error(`${name}: ${await res.text()}`);
};
const cpuTicks = () => {
  const f = fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime, in USER_HZ (100 per second)
};
const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Server CPU, percent of one core, over `s` seconds. */
async function cpuOver(s: number): Promise<number> {
  const c0 = cpuTicks();
  const t0 = performance.now();
  await sleep(s * 1000);
  return ((cpuTicks() - c0) / 100 / ((performance.now() - t0) / 1000)) * 100;
}

// The load: all ten motors travel for longer than the bench runs, frames at 2/s.
const motors = ['Chm:Smpl-Ax:X', 'Chm:Smpl-Ax:Z', 'Chm:Smpl-Ax:theta', 'BS-Ax:X', 'BS-Ax:Y', 'BS-Ax:Phi', 'SM:1-Ax:Srot', 'Chm:Smpl-Ax:chi', 'Chm:Smpl-Ax:phi', 'Chm:Smpl-Ax:Y'];
const cam = 'XF:11BMB-ES{Det:PIL2M}:cam1:';
await put(`${cam}AcquireTime`, 0.5);
await put(`${cam}AcquirePeriod`, 0.5);
await put(`${cam}ImageMode`, 2);
await put(`${cam}Acquire`, 1);
for (const m of motors) {
  await put(`XF:11BMB-ES{${m}}Mtr.VELO`, 0.1); // slow enough to move through every phase (500 s)
  await put(`XF:11BMB-ES{${m}}Mtr`, 50);
}
await sleep(1000);

const idle = await cpuOver(seconds);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
await page.goto(url);
await page.waitForSelector('tr[data-motor]');
await sleep(2000);
const rss0 = rssMb();
const stats = () => page.evaluate(() => ({ ...(window as unknown as { beamtwinStats: { messages: number; draws: number; images: number } }).beamtwinStats }));
const s0 = await stats();
const t0 = performance.now();
const watched = await cpuOver(seconds);
const s1 = await stats();
const dt = (performance.now() - t0) / 1000;
const rss1 = rssMb();
const moving = await page.locator('.badge.moving').count();
// Latency from a write (answered by the server) to the page showing the new value, under the same load.
const latencies: number[] = [];
for (let i = 1; i <= 10; i++) {
  const name = 'XF:11BM-ES{Shutter}';
  const t = performance.now();
  await put(name, i % 2);
  await page.waitForFunction(([n, v]) => document.querySelector(`[data-pv="${n}"]`)?.textContent === v, [name, (i % 2).toFixed(3)] as const, { polling: 'raf' });
  latencies.push(performance.now() - t);
}
latencies.sort((a, b) => a - b);

console.log(`load: ${moving} motors moving (10 Hz updates each), detector at 2 frames/s`);
console.log(`server CPU %, no page: ${idle.toFixed(1)}`);
console.log(`server CPU %, one page open: ${watched.toFixed(1)}`);
console.log(`page stream messages/s: ${((s1.messages - s0.messages) / dt).toFixed(1)}`);
console.log(`page draws/s: ${((s1.draws - s0.draws) / dt).toFixed(1)}`);
console.log(`page images/s: ${((s1.images - s0.images) / dt).toFixed(2)}`);
console.log(`write to page showing it ms, median of 10: ${latencies[5]!.toFixed(0)} (max ${latencies[9]!.toFixed(0)})`);
console.log(`server resident MB, page open for ${seconds} s: ${rss0.toFixed(1)} -> ${rss1.toFixed(1)}`);
await browser.close();
child.kill('SIGTERM');
