// Bundles the program and its worker threads into dist/ (esbuild), so start-up reads one file instead of resolving
// hundreds of modules through a TypeScript loader: the console's first frame and every worker's start depend on it.
// Native and pool packages stay external. Each output records the project files it was built from
// (dist/NAME.inputs.json); bin/alphatrade and workerEntry() use a bundle only while it is newer than all of them.
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entries = {
  alphatrade: 'bin/main.ts',
  'import-worker': 'data/import-worker.ts',
  'feature-worker': 'data/features/feature-worker.ts',
  'job-worker': 'commands/job-worker-main.ts',
  'sweep-worker': 'engine/sweep-worker.ts',
  'hist-worker': 'models/trees/hist-worker.ts',
  'trial-worker': 'models/trial-worker.ts',
  'bin-worker': 'models/trees/bin-worker.ts',
};
const result = await build({
  entryPoints: Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, path.join(root, v)])),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: path.join(root, 'dist'),
  outExtension: { '.js': '.mjs' },
  metafile: true,
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
  external: ['better-sqlite3', 'nodejs-polars', 'piscina', 'tsx', 'esbuild', 'onnxruntime-node'],
  alias: { 'react-devtools-core': path.join(root, 'build', 'devtools-stub.mjs') },
  define: { 'process.env.NODE_ENV': '"production"' },
  banner: { js: "import { createRequire as __atCreateRequire } from 'node:module'; const require = __atCreateRequire(import.meta.url);" },
});
for (const [out, meta] of Object.entries(result.metafile.outputs)) {
  const name = path.basename(out, '.mjs');
  const inputs = Object.keys(meta.inputs).filter((f) => !f.includes('node_modules'));
  fs.writeFileSync(path.join(root, 'dist', `${name}.inputs.json`), JSON.stringify(inputs));
  console.log(`bundled ${inputs.length} project files into dist/${name}.mjs (${(fs.statSync(path.join(root, out)).size / 2 ** 20).toFixed(1)} MiB)`);
}
