// `beamtwin eval` runs each command's twin on a thread of its own (issue 18): twins side by side share
// no event loop. These tests load the built thread (dist/, made by `npm test` before the tests run).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProfile } from '../../devices/profile/profile.js';
import { threadStatFile } from '../../harness/stall-meter.js';
import { TwinThreads } from '../../harness/eval/twin-threads.js';

const THREAD = new URL('../../dist/harness/eval/twin-thread.js', import.meta.url);
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function scratch(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'bt-threads-'));
  dirs.push(d);
  return d;
}

describe('TwinThreads', () => {
  it('runs two commands at once, each twin on a thread of its own (not this one), and records their traces', async () => {
    const threads = new TwinThreads(2, THREAD);
    const dir = scratch();
    const profile = loadProfile('cms');
    // At --speed 2 the command is told which thread runs its twin (the stall meter's counter).
    const job = (name: string) => ({
      argv: ['sh', '-c', 'echo "twin=$BEAMTWIN_TWIN_SCHEDSTAT"; sleep 0.3'],
      profile,
      record: path.join(dir, `${name}.jsonl`),
      speed: 2,
    });
    const outputs = ['', ''];
    try {
      const results = await Promise.all([0, 1].map((i) => threads.run(job(`c${i}`), (s) => (outputs[i] += s))));
      for (const r of results) expect(r).toMatchObject({ exitCode: 0, signal: null, timedOut: false });
      const stats = outputs.map((o) => /twin=(\S+)/.exec(o)?.[1]);
      expect(stats[0]).toMatch(/^\/proc\/\d+\/task\/\d+\/schedstat$/);
      expect(stats[1]).toMatch(/^\/proc\/\d+\/task\/\d+\/schedstat$/);
      expect(stats[0]).not.toBe(stats[1]);
      expect(stats).not.toContain(threadStatFile());
      for (const i of [0, 1]) expect(JSON.parse(fs.readFileSync(path.join(dir, `c${i}.jsonl`), 'utf8').split('\n')[0]!)).toMatchObject({ format: 'beamtwin-trace', speed: 2 });
    } finally {
      await threads.close();
    }
  });

  it('keeps a thread for the next command, and passes Ctrl-C on to the running command', async () => {
    const threads = new TwinThreads(1, THREAD);
    const dir = scratch();
    const profile = loadProfile('cms');
    try {
      const first = await threads.run({ argv: ['sh', '-c', 'exit 3'], profile, record: path.join(dir, 'a.jsonl') }, () => {});
      expect(first.exitCode).toBe(3);
      let out = '';
      let told: () => void;
      const started = new Promise<void>((r) => (told = r));
      const second = threads.run({ argv: ['sh', '-c', 'echo started; exec sleep 30'], profile, record: path.join(dir, 'b.jsonl') }, (s) => {
        out += s;
        if (out.includes('started')) told();
      });
      await started;
      // What a terminal's Ctrl-C does to this process: its listeners run (no real signal is sent).
      process.emit('SIGINT', 'SIGINT');
      const r = await second;
      expect(r.signal).toBe('SIGINT');
      expect(r.exitCode).toBe(130);
    } finally {
      await threads.close();
    }
  });

  it('from the TypeScript sources, runs commands on this thread', () => {
    expect(new TwinThreads(1).threaded).toBe(false);
    expect(new TwinThreads(1, THREAD).threaded).toBe(true);
  });
});
