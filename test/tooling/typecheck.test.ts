// `npm test` type-checks the tests too: tsconfig.test.json (noEmit, strict) covers every file under test/,
// and the test script runs it before vitest (vitest itself only strips types).
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

it('tsconfig.test.json checks every test file, strictly and without emitting', () => {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.test.json'), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  expect(parsed?.errors).toEqual([]);
  expect(parsed!.options.noEmit).toBe(true);
  expect(parsed!.options.strict).toBe(true);
  const covered = new Set(parsed!.fileNames.map((f) => relative(root, f)));
  const missing = tsFiles(join(root, 'test'))
    .map((f) => relative(root, f))
    .filter((f) => !covered.has(f));
  expect(missing).toEqual([]);
});

it('npm test runs that type check before the tests', () => {
  const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<string, string>;
  const steps = scripts['test']!.split('&&').map((s) => s.trim());
  const check = steps.indexOf('tsc -p tsconfig.test.json');
  expect(check).toBeGreaterThanOrEqual(0);
  expect(check).toBeLessThan(steps.findIndex((s) => s.startsWith('vitest')));
  expect(scripts['typecheck']).toContain('tsc -p tsconfig.test.json');
});
