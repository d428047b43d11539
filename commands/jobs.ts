/**
 * Long work for the console runs in worker threads, one per job, so the UI thread only renders and handles keys.
 * Each job reports progress events and can be cancelled (abort signal first; the thread is terminated if it does
 * not stop within a grace period).
 */
import { Worker } from 'node:worker_threads';
import { EventBus } from '../src/events.ts';
import { workerEntry } from '../src/version.ts';
import type { JobMessage, JobRequest } from './job-worker-main.ts';

export interface JobState {
  id: number;
  label: string;
  command: string;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  phase: string;
  done: number;
  total: number;
  message?: string;
  startedAt: number;
  finishedAt?: number;
  result?: unknown;
  text?: string;
  error?: string;
}

export type JobEvents = { update: JobState; finished: JobState };

export class JobRunner extends EventBus<JobEvents> {
  private nextId = 1;
  private jobs = new Map<number, { state: JobState; worker: Worker }>();
  constructor(private graceMs = 2000) {
    super();
  }

  start(req: JobRequest, label = `${req.command} ${req.tokens.join(' ')}`.trim()): JobState {
    const id = this.nextId++;
    const worker = new Worker(workerEntry('job-worker', 'commands/job-worker.mjs'), { workerData: req });
    const state: JobState = { id, label, command: req.command, status: 'running', phase: 'starting', done: 0, total: 0, startedAt: Date.now() };
    this.jobs.set(id, { state, worker });
    const update = (patch: Partial<JobState>) => {
      const cur = this.jobs.get(id);
      if (!cur) return;
      cur.state = { ...cur.state, ...patch };
      this.emit('update', cur.state);
      if (cur.state.status !== 'running') this.emit('finished', cur.state);
    };
    worker.on('message', (m: JobMessage) => {
      if (m.type === 'progress') update({ phase: m.phase, done: m.done, total: m.total, message: m.message });
      else if (m.type === 'result') update({ status: m.exitCode === 0 ? 'done' : 'failed', result: m.result, text: m.text, finishedAt: Date.now(), error: m.exitCode === 0 ? undefined : m.text.split('\n').at(-1) });
      else if (m.type === 'error') {
        const cancelled = this.jobs.get(id)?.state.status === 'cancelled' || m.exitCode === 130;
        update({ status: cancelled ? 'cancelled' : 'failed', error: m.hint ? `${m.message} (${m.hint})` : m.message, finishedAt: Date.now() });
      }
    });
    worker.on('error', (e) => update({ status: 'failed', error: e.message, finishedAt: Date.now() }));
    worker.on('exit', () => {
      const cur = this.jobs.get(id);
      if (cur && cur.state.status === 'running') update({ status: 'failed', error: 'worker exited without a result', finishedAt: Date.now() });
    });
    this.emit('update', state);
    return state;
  }

  cancel(id: number): boolean {
    const j = this.jobs.get(id);
    if (!j || j.state.status !== 'running') return false;
    j.worker.postMessage({ type: 'abort' });
    const t = setTimeout(() => {
      if (j.state.status === 'running') {
        void j.worker.terminate();
        j.state = { ...j.state, status: 'cancelled', finishedAt: Date.now(), error: 'cancelled' };
        this.emit('update', j.state);
        this.emit('finished', j.state);
      }
    }, this.graceMs);
    t.unref();
    return true;
  }

  list(): JobState[] {
    return [...this.jobs.values()].map((j) => j.state);
  }

  running(): JobState[] {
    return this.list().filter((j) => j.status === 'running');
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((j) => j.worker.terminate()));
  }
}
