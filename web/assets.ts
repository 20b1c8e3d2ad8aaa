// The page's files. Built packages carry the bundle beside this module (dist/web/page/, made by
// `npm run build`, see build-page.ts); run from the sources (tests, development), the page is bundled
// here and now from web/page/ with esbuild, a development dependency loaded only then.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PageAssets {
  readonly files: ReadonlyMap<string, { readonly type: string; readonly body: Buffer }>;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const pageDir = path.join(here, 'page');
export const PAGE_FILES = { 'index.html': 'text/html; charset=utf-8', 'app.js': 'text/javascript; charset=utf-8', 'style.css': 'text/css; charset=utf-8' } as const;

/** Bundle web/page/main.ts into one script (no source map: the page ships small). */
export async function bundlePage(sources = pageDir): Promise<string> {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    entryPoints: [path.join(sources, 'main.ts')],
    bundle: true,
    format: 'iife',
    target: 'es2022',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** Where the page's sources are: beside this module (run from sources), else the package's web/page. */
function sourceDir(): string | undefined {
  for (const dir of [pageDir, path.resolve(here, '..', '..', 'web', 'page')]) if (fs.existsSync(path.join(dir, 'main.ts'))) return dir;
  return undefined;
}

let cached: Promise<PageAssets> | undefined;

export function loadPage(): Promise<PageAssets> {
  cached ??= (async () => {
    const built = fs.existsSync(path.join(pageDir, 'app.js'));
    const dir = built ? pageDir : sourceDir();
    if (!dir) throw new Error('the web page is not built: run `npm run build`');
    const files = new Map<string, { type: string; body: Buffer }>();
    for (const [name, type] of Object.entries(PAGE_FILES)) {
      files.set(name, { type, body: name === 'app.js' && !built ? Buffer.from(await bundlePage(dir)) : fs.readFileSync(path.join(dir, name)) });
    }
    return { files };
  })();
  return cached;
}
