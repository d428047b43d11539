/** Worker thread of the histogram builder (see hist.ts): runs the shared-memory loop until told to exit. */
import { workerData } from 'node:worker_threads';
import { histWorkerLoop, type HistWorkerData } from './hist.ts';

histWorkerLoop(workerData as HistWorkerData);
