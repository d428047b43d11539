// Worker-thread entry for multi-file imports when running from the sources: registers tsx, then loads the TS body.
// (With a fresh bundle, dist/import-worker.mjs is used instead: see workerEntry in src/version.ts.)
import { register } from 'tsx/esm/api';

register();
const m = await import('./import-worker.ts');
export default m.default;
