// Run pytest modules of the real-client suites (test/interop/python) in the Python test environment and
// report each test's outcome from pytest's JUnit XML, so a vitest case can name what failed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { venvPython } from './python.js';

export interface PytestResult {
  readonly exitCode: number | null;
  readonly passed: string[];
  /** Failed or errored tests with pytest's message. */
  readonly failed: { name: string; message: string }[];
  readonly skipped: string[];
  /** pytest's console output, for the failure message. */
  readonly output: string;
}

export interface PytestOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Kill pytest after this long: a hung client fails the suite instead of hanging it. */
  readonly timeoutMs?: number;
  readonly args?: readonly string[];
}

export async function runPytest(targets: readonly string[], opts: PytestOptions): Promise<PytestResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'beamtwin-pytest-'));
  const xml = path.join(dir, 'junit.xml');
  const args = ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', '--junitxml', xml, ...(opts.args ?? []), ...targets];
  const proc = spawn(venvPython(), args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => proc.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
  const exitCode = await new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  clearTimeout(timer);
  const result = parseJunit(fs.existsSync(xml) ? fs.readFileSync(xml, 'utf8') : '');
  fs.rmSync(dir, { recursive: true, force: true });
  return { exitCode, output, ...result };
}

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** The testcases of a JUnit XML report: `module::name` with their outcome. */
export function parseJunit(xml: string): Pick<PytestResult, 'passed' | 'failed' | 'skipped'> {
  const passed: string[] = [];
  const failed: { name: string; message: string }[] = [];
  const skipped: string[] = [];
  const re = /<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g;
  for (const m of xml.matchAll(re)) {
    const attrs = m[1]!;
    const cls = /classname="([^"]*)"/.exec(attrs)?.[1] ?? '';
    const name = /\bname="([^"]*)"/.exec(attrs)?.[1] ?? '';
    const id = `${cls.split('.').pop()}::${unescape(name)}`;
    const body = m[3] ?? '';
    const bad = /<(failure|error)\b[^>]*?message="([^"]*)"/.exec(body) ?? (/<(failure|error)\b/.exec(body) ? [, , ''] : null);
    if (bad) failed.push({ name: id, message: unescape(bad[2] ?? '') });
    else if (/<skipped\b/.test(body)) skipped.push(id);
    else passed.push(id);
  }
  return { passed, failed, skipped };
}

/** A one-paragraph account of what went wrong, for expect(...) messages. */
export function describeFailures(r: PytestResult): string {
  const lines = r.failed.map((f) => `${f.name}: ${f.message.split('\n')[0]}`);
  return `pytest exit ${r.exitCode}; failed: ${lines.join('; ') || 'none'}\n${r.output.slice(-4000)}`;
}
