import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** beamtwin's own version (package.json), for trace headers and reports. */
export const beamtwinVersion: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  try {
    return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
})();
