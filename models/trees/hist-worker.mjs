// Worker-thread entry for the histogram builder when running from the sources: registers tsx, then loads the TS body.
// (With a fresh bundle, dist/hist-worker.mjs is used instead: see workerEntry in src/version.ts.)
import { register } from 'tsx/esm/api';

register();
await import('./hist-worker.ts');
