// The one place that picks a Python interpreter for a test.
//
// Two interpreters, for two reasons:
//  - `venvPython`: the project's test environment (.venv, built by .ci/run from test/requirements.txt):
//    pyepics with its bundled libca, ophyd, bluesky, ophyd-async, p4p, caproto, pythonSoftIOC.
//  - `DEBIAN_PYTHON`: Debian's interpreter with python3-pyepics on Debian's libca, the reference C client
//    library as distributions ship it.
// BEAMTWIN_PYTHON overrides the venv interpreter (e.g. a conda environment with the same packages).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The repository root: this file is test/helpers/python.ts (or dist/test/helpers/python.js). */
function repoRoot(): string {
  for (let dir = here; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return resolve(here, '..', '..');
  }
}

/** Debian's python3 with python3-pyepics (Debian's libca). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/** The test environment's interpreter; fails loudly when it is missing instead of skipping tests. */
export function venvPython(): string {
  const override = process.env['BEAMTWIN_PYTHON'];
  if (override) return override;
  const candidate = join(repoRoot(), '.venv', 'bin', 'python');
  if (!existsSync(candidate)) {
    throw new Error(`no Python test environment at ${candidate}: run \`bash .ci/run\` (or build .venv from test/requirements.txt)`);
  }
  return candidate;
}
