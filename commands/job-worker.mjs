// Worker-thread entry for console jobs when running from the sources: registers tsx (workers don't inherit the main
// thread's loader), then runs the TS job body. (With a fresh bundle, dist/job-worker.mjs is used instead.)
import { register } from 'tsx/esm/api';

register();
await import('./job-worker-main.ts');
