import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The project's root folder (tests live in test/, one level down). */
export const projectRoot = path.resolve(__dirname, '../..');

/** Every TypeScript source below `dir` (relative to the project root), declaration files and builds left out. */
export function tsFiles(dir: string): string[] {
  const abs = path.join(projectRoot, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs).flatMap((n) => {
    const p = path.join(dir, n);
    if (n === 'node_modules' || n === 'dist') return [];
    return statSync(path.join(projectRoot, p)).isDirectory() ? tsFiles(p) : n.endsWith('.ts') && !n.endsWith('.d.ts') ? [p] : [];
  });
}
