// Worker-thread entry for console jobs: registers tsx (workers don't inherit the main thread's loader), then runs
// the TypeScript job body.
import { register } from 'tsx/esm/api';

register();
await import('./job-worker-main.ts');
