/**
 * `npm run build [-- --out-dir <dir>]`: the server compiled to plain JavaScript (default `dist/`),
 * so a production start is one `node` process per role with no TypeScript loader:
 * `node dist/server/portal/main.js` (`npm run start:prod`), which starts
 * `dist/server/game_main.js`, whose audit worker runs `dist/server/audit/worker/main.js`. The
 * browser client's files are copied beside the code (`<dir>/web/`), where the compiled front end
 * looks for them, and a package.json says the files are ES modules, so the output is the whole
 * server but for node_modules (found from wherever the directory is, as for any package). The
 * directory is emptied first: no file of a removed module is left to be imported.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

function outDir(argv: readonly string[]): string {
  const at = argv.indexOf('--out-dir');
  if (at < 0) return path.join(ROOT, 'dist');
  const dir = argv[at + 1];
  if (!dir) {
    process.stderr.write('usage: npm run build [-- --out-dir <dir>]\n');
    process.exit(2);
  }
  return path.resolve(dir);
}

/** Left in every build's output, so that only a directory a build made is ever emptied. */
const MARKER = '.mud-build';

const out = outDir(process.argv.slice(2));
if (out === ROOT || ROOT.startsWith(`${out}${path.sep}`)) {
  process.stderr.write(`error: refusing to build into ${out}: it holds the source.\n`);
  process.exit(2);
}
// Emptied first, but only if a build made it (or it is empty): `--out-dir /srv/mud/data`, a
// home directory or / must never be wiped by a typo.
if (fs.existsSync(out)) {
  const entries = fs.readdirSync(out);
  if (entries.length > 0 && !entries.includes(MARKER)) {
    process.stderr.write(`error: refusing to build into ${out}: it is not empty and no earlier build made it (no ${MARKER} file). Give an empty or new directory.\n`);
    process.exit(2);
  }
  fs.rmSync(out, { recursive: true, force: true });
}
try {
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', out], { cwd: ROOT, stdio: 'inherit' });
} catch {
  process.stderr.write('error: the build failed (the TypeScript errors are above).\n');
  process.exit(1);
}
// The page's files; not web/ansi.d.ts, which only tells the type checker about ansi.js.
fs.cpSync(path.join(ROOT, 'web'), path.join(out, 'web'), { recursive: true, filter: (file) => !file.endsWith('.d.ts') });
// ES modules wherever the directory is put (node_modules is found from there, as usual).
fs.writeFileSync(path.join(out, MARKER), 'Made by npm run build; the next build empties this directory.\n');
fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify({ private: true, type: 'module' }, null, 2)}\n`);
const shown = (file: string) => (path.relative(process.cwd(), file).startsWith('..') ? file : path.relative(process.cwd(), file));
process.stdout.write(`Built into ${shown(out)}/: node ${shown(path.join(out, 'server', 'portal', 'main.js'))} starts it.\n`);
