// `npm run build`'s last step: bundle the page into dist/web/page/ so the package serves it offline.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundlePage, PAGE_FILES } from './assets.js';

const here = path.dirname(fileURLToPath(import.meta.url)); // dist/web
const source = path.resolve(here, '..', '..', 'web', 'page');
const target = path.join(here, 'page');
fs.mkdirSync(target, { recursive: true });
// bundlePage() reads the sources beside the module it runs from; from dist/ that is dist/web/page, so
// bundle from the source tree explicitly.
const js = await bundlePage(source);
fs.writeFileSync(path.join(target, 'app.js'), js);
for (const name of Object.keys(PAGE_FILES)) if (name !== 'app.js') fs.copyFileSync(path.join(source, name), path.join(target, name));
process.stdout.write(`beamtwin: page bundled into ${path.relative(process.cwd(), target)} (app.js ${Math.round(js.length / 1024)} kB)\n`);
