import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * The project root, from this module's location. Works both from the sources (src/version.ts) and from the
 * bundle (dist/alphatrade.mjs): each sits one folder below the root.
 */
export const ROOT_URL = new URL('..', import.meta.url);
export const PROJECT_ROOT: string = fileURLToPath(ROOT_URL);
export const VERSION: string = (JSON.parse(fs.readFileSync(new URL('package.json', ROOT_URL), 'utf8')) as { version: string }).version;

/** A file of the project by its path from the root (worker entry points, bundled data). */
export function projectUrl(rel: string): URL {
  return new URL(rel, ROOT_URL);
}
