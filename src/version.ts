import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The project root, from this module's location: the nearest folder above it with the project's package.json
 * (src/version.ts and dist/NAME.mjs sit one folder below the root, a bundle chunk in dist/chunks/ two).
 */
export const ROOT_URL = findRoot(new URL('..', import.meta.url));

function findRoot(start: URL): URL {
  let u = start;
  for (let k = 0; k < 4; k++) {
    if (fs.existsSync(new URL('package.json', u))) return u;
    u = new URL('..', u);
  }
  return start;
}
export const PROJECT_ROOT: string = fileURLToPath(ROOT_URL);
export const VERSION: string = (JSON.parse(fs.readFileSync(new URL('package.json', ROOT_URL), 'utf8')) as { version: string }).version;

/** A file of the project by its path from the root (worker entry points, bundled data). */
export function projectUrl(rel: string): URL {
  return new URL(rel, ROOT_URL);
}

const freshness = new Map<string, boolean>();

/** Is dist/NAME.mjs newer than every project file it was built from (dist/NAME.inputs.json)? */
export function bundleIsFresh(name: string): boolean {
  let ok = freshness.get(name);
  if (ok !== undefined) return ok;
  ok = false;
  if (!process.env.ALPHATRADE_NO_BUNDLE) {
    try {
      const built = fs.statSync(new URL(`dist/${name}.mjs`, ROOT_URL)).mtimeMs;
      const inputs = JSON.parse(fs.readFileSync(new URL(`dist/${name}.inputs.json`, ROOT_URL), 'utf8')) as string[];
      ok = inputs.every((f) => fs.statSync(new URL(f, ROOT_URL)).mtimeMs <= built);
    } catch {
      ok = false;
    }
  }
  freshness.set(name, ok);
  return ok;
}

/**
 * The entry file for a worker thread: the bundled dist/NAME.mjs while it is fresh (starts in a few ms), else the
 * sources through tsx (`srcEntry`, a .mjs that registers tsx; starts in about a second).
 */
export function workerEntry(name: 'import-worker' | 'feature-worker' | 'job-worker' | 'sweep-worker' | 'hist-worker' | 'trial-worker' | 'bin-worker', srcEntry: string): URL {
  return bundleIsFresh(name) ? new URL(`dist/${name}.mjs`, ROOT_URL) : projectUrl(srcEntry);
}
