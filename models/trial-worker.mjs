// Worker-thread entry for search trials when running from the sources: registers tsx, then loads the TS body.
// (With a fresh bundle, dist/trial-worker.mjs is used instead: see workerEntry in src/version.ts.)
import { register } from 'tsx/esm/api';

register();
const m = await import('./trial-worker.ts');
export default m.default;
