import { spawnSync } from 'node:child_process';
import { DEBIAN_PYTHON } from '../../helpers/python.js';

/** Debian's python3 has the distribution's numpy/scipy (CI installs python3-scipy). */
export { DEBIAN_PYTHON };

/** Run one python3 program with a JSON document on stdin and parse the JSON it prints. */
export function runPython<T>(program: string, input: unknown, python = DEBIAN_PYTHON): T {
  const r = spawnSync(python, ['-c', program], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`python3 failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** A small deterministic PRNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
