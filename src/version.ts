import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkgPath = fileURLToPath(new URL('../package.json', import.meta.url));
export const VERSION: string = (JSON.parse(fs.readFileSync(pkgPath, 'utf8')) as { version: string }).version;
export const PROJECT_ROOT: string = fileURLToPath(new URL('..', import.meta.url));
