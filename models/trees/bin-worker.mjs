// Worker-thread entry for parallel binning when running from the sources: registers tsx, then loads the TS body.
// (With a fresh bundle, dist/bin-worker.mjs is used instead: see workerEntry in src/version.ts.)
import { register } from 'tsx/esm/api';

register();
const m = await import('./bin-worker.ts');
export default m.default;
