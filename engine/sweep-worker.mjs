// Worker-thread entry for sweeps when running from the sources: registers tsx, then loads the TS body.
// (With a fresh bundle, dist/sweep-worker.mjs is used instead: see workerEntry in src/version.ts.)
import { register } from 'tsx/esm/api';

register();
const m = await import('./sweep-worker.ts');
export default m.default;
