import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot as root, tsFiles } from './helpers/source-files.js';

// The top-level layout of ../shared/design/architecture.md: what each folder may import from the others.
const MAY_IMPORT: Record<string, readonly string[]> = {
  ioc: [],
  devices: ['ioc'],
  recorder: ['ioc'],
  aligner: [],
  harness: ['ioc', 'devices', 'recorder', 'aligner'],
  web: ['ioc', 'devices', 'recorder'],
};
const FOLDERS = ['ioc', 'devices', 'recorder', 'aligner', 'harness', 'web', 'cli', 'scripts'];

/** The top-level folders a file imports from (static and dynamic relative imports). */
function foldersImportedBy(file: string): string[] {
  const text = readFileSync(path.join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => path.normalize(path.join(path.dirname(file), s)).split(path.sep)[0]!);
}

describe('the layout of the architecture', () => {
  it.each(Object.keys(MAY_IMPORT))('%s imports only what the architecture allows', (folder) => {
    const allowed = new Set([folder, ...MAY_IMPORT[folder]!]);
    const files = tsFiles(folder);
    expect(files.length).toBeGreaterThan(0);
    const offenders = files.flatMap((f) => foldersImportedBy(f).filter((d) => FOLDERS.includes(d) && !allowed.has(d)).map((d) => `${f} → ${d}/`));
    expect(offenders).toEqual([]);
  });

  it('the check sees a forbidden import (cli is imported by nobody but cli and scripts)', () => {
    // A file of cli/ imports harness/: proof that the matcher reads imports at all.
    expect(tsFiles('cli').flatMap(foldersImportedBy)).toContain('harness');
    const offenders = FOLDERS.filter((d) => d !== 'cli' && d !== 'scripts').flatMap((d) => tsFiles(d).filter((f) => foldersImportedBy(f).includes('cli')));
    expect(offenders).toEqual([]);
  });
});
