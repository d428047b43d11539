/**
 * Long work for the console runs in worker threads, so the UI thread only renders and handles keys. A thread runs
 * one job at a time and is kept warm for the next (loading the engine into a fresh thread costs ~0.5 s, more than a
 * quick backtest); overlapping jobs get threads of their own. Each job reports progress events and can be cancelled
 * (abort signal first; the thread is terminated if it does not stop within a grace period).
 */
import { Worker } from 'node:worker_threads';
import { EventBus } from '../src/events.ts';
import { workerEntry } from '../src/version.ts';
import type { JobControl, JobMessage, JobRequest } from './job-worker-main.ts';

export interface JobState {
  id: number;
  label: string;
  command: string;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  phase: string;
  done: number;
  total: number;
  message?: string;
  /** the latest progress event's structured detail (a training round's losses, a trial's result) */
  detail?: Record<string, unknown>;
  startedAt: number;
  finishedAt?: number;
  result?: unknown;
  text?: string;
  error?: string;
}

export type JobEvents = { update: JobState; finished: JobState };

/** idle workers kept warm for the next job (more start on demand when jobs overlap) */
const KEEP_IDLE = 1;

export class JobRunner extends EventBus<JobEvents> {
  private nextId = 1;
  private jobs = new Map<number, { state: JobState; worker: Worker; cancelRequested?: boolean }>();
  private idle: Worker[] = [];
  private prewarmTimer: NodeJS.Timeout | null = null;
  private closed = false;
  constructor(private graceMs = 2000) {
    super();
  }

  /** Start a worker now (or after `delayMs`) so the first job does not pay for loading the engine. */
  prewarm(delayMs = 0): void {
    if (this.prewarmTimer) return;
    this.prewarmTimer = setTimeout(() => {
      this.prewarmTimer = null;
      if (!this.closed && this.idle.length === 0 && this.running().length === 0) this.idle.push(this.spawn());
    }, delayMs);
    this.prewarmTimer.unref();
  }

  private spawn(): Worker {
    const w = new Worker(workerEntry('job-worker', 'commands/job-worker.mjs'));
    w.unref();
    w.on('message', (m: JobMessage & { id: number }) => this.onMessage(w, m));
    w.on('error', (e) => this.onWorkerGone(w, e.message));
    w.on('exit', () => this.onWorkerGone(w, 'worker exited without a result'));
    return w;
  }

  start(req: JobRequest, label = `${req.command} ${req.tokens.join(' ')}`.trim()): JobState {
    const id = this.nextId++;
    const worker = this.idle.pop() ?? this.spawn();
    const state: JobState = { id, label, command: req.command, status: 'running', phase: 'starting', done: 0, total: 0, startedAt: Date.now() };
    this.jobs.set(id, { state, worker });
    worker.postMessage({ type: 'run', id, req } satisfies JobControl);
    this.emit('update', state);
    return state;
  }

  private update(id: number, patch: Partial<JobState>): void {
    const cur = this.jobs.get(id);
    if (!cur || cur.state.status !== 'running') return;
    cur.state = { ...cur.state, ...patch };
    this.emit('update', cur.state);
    if (cur.state.status !== 'running') {
      // the thread is free again: keep it warm for the next job, or let it go
      if (!this.closed && this.idle.length < KEEP_IDLE && !this.busy(cur.worker)) this.idle.push(cur.worker);
      else if (!this.busy(cur.worker) && !this.idle.includes(cur.worker)) void cur.worker.terminate();
      this.emit('finished', cur.state);
    }
  }

  private busy(w: Worker): boolean {
    for (const j of this.jobs.values()) if (j.worker === w && j.state.status === 'running') return true;
    return false;
  }

  private onMessage(_w: Worker, m: JobMessage & { id: number }): void {
    const id = m.id;
    if (m.type === 'progress') this.update(id, { phase: m.phase, done: m.done, total: m.total, message: m.message, detail: m.detail });
    else if (m.type === 'result') this.update(id, { status: m.exitCode === 0 ? 'done' : 'failed', result: m.result, text: m.text, finishedAt: Date.now(), error: m.exitCode === 0 ? undefined : m.text.split('\n').at(-1) });
    else if (m.type === 'error') {
      const cancelled = this.jobs.get(id)?.cancelRequested || m.exitCode === 130;
      this.update(id, { status: cancelled ? 'cancelled' : 'failed', error: m.hint ? `${m.message} (${m.hint})` : m.message, finishedAt: Date.now() });
    }
  }

  private onWorkerGone(w: Worker, why: string): void {
    this.idle = this.idle.filter((x) => x !== w);
    for (const [id, j] of this.jobs) if (j.worker === w && j.state.status === 'running') this.update(id, { status: j.cancelRequested ? 'cancelled' : 'failed', error: j.cancelRequested ? 'cancelled' : why, finishedAt: Date.now() });
  }

  cancel(id: number): boolean {
    const j = this.jobs.get(id);
    if (!j || j.state.status !== 'running') return false;
    j.cancelRequested = true;
    j.worker.postMessage({ type: 'abort', id } satisfies JobControl);
    const t = setTimeout(() => {
      if (j.state.status === 'running') {
        // it did not stop in time: the thread goes, and the job with it
        this.idle = this.idle.filter((x) => x !== j.worker);
        void j.worker.terminate();
        this.update(id, { status: 'cancelled', finishedAt: Date.now(), error: 'cancelled' });
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
    this.closed = true;
    if (this.prewarmTimer) clearTimeout(this.prewarmTimer);
    const all = new Set([...this.idle, ...[...this.jobs.values()].map((j) => j.worker)]);
    this.idle = [];
    await Promise.all([...all].map((w) => w.terminate()));
  }
}
