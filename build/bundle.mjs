// Bundles the CLI and console into dist/alphatrade.mjs (esbuild), so start-up reads one file instead of resolving
// hundreds of modules through a TypeScript loader: the console's first frame depends on it. Native and worker-side
// packages stay external. bin/alphatrade uses the bundle only while it is newer than every source it was built from.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = path.join(root, 'dist', 'alphatrade.mjs');
const result = await build({
  entryPoints: [path.join(root, 'bin', 'main.ts')],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: out,
  metafile: true,
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  external: ['better-sqlite3', 'nodejs-polars', 'piscina', 'tsx'],
  alias: { 'react-devtools-core': path.join(root, 'build', 'devtools-stub.mjs') },
  define: { 'process.env.NODE_ENV': '"production"' },
  banner: { js: "import { createRequire as __atCreateRequire } from 'node:module'; const require = __atCreateRequire(import.meta.url);" },
});
const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.includes('node_modules'));
fs.writeFileSync(path.join(root, 'dist', 'inputs.json'), JSON.stringify(inputs));
console.log(`bundled ${inputs.length} project files into ${path.relative(root, out)} (${(fs.statSync(out).size / 2 ** 20).toFixed(1)} MiB)`);
