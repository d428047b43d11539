/**
 * Runs grid combinations for sweeps and walk-forward windows: in this thread (small jobs, tests) or on a piscina
 * pool of worker threads. Series go to workers as SharedArrayBuffer columns (`shareSeries` once; a window is a
 * `viewBars` subarray of them), so a task carries no bar data, only its grid indices.
 */
import { Piscina } from 'piscina';
import { UsageError } from '../src/errors.ts';
import { sharedF64, type BarSeries } from '../src/types.ts';
import { workerEntry } from '../src/version.ts';
import { builtinStrategy } from './strategies/index.ts';
import type { Strategy } from './strategy.ts';
import { pboCscv, pboFromLogits, sweepLocal, type ComboResult, type ParamGrid } from './sweep.ts';
import type { PboTask, SweepTask } from './sweep-worker.ts';

export type ComboOptions = SweepTask['options'];

/** Copy a series' columns into shared memory once: every task then reads them without a copy. */
export function shareSeries(s: BarSeries): BarSeries {
  const col = sharedF64;
  return { ...s, ts: col(s.ts), open: col(s.open), high: col(s.high), low: col(s.low), close: col(s.close), volume: col(s.volume) };
}

/** Bars [a, b) as views on the same memory (no copy; shared columns stay shared). */
export function viewBars(s: BarSeries, a: number, b: number): BarSeries {
  return { ...s, ts: s.ts.subarray(a, b), open: s.open.subarray(a, b), high: s.high.subarray(a, b), low: s.low.subarray(a, b), close: s.close.subarray(a, b), volume: s.volume.subarray(a, b) };
}

/** A pool of `threads` sweep workers, started now (their start-up can overlap loading the data). */
export function startSweepPool(threads: number): Piscina {
  return new Piscina({ filename: workerEntry('sweep-worker', 'engine/sweep-worker.mjs').href, minThreads: threads, maxThreads: threads, idleTimeout: 1000 });
}

export class ComboRunner {
  private pool: Piscina | null = null;
  private readonly ref: { builtin?: string; file?: string };

  constructor(
    private readonly o: { strategy: Strategy; threads: number; tmpDir?: string; signal?: AbortSignal; pool?: Piscina },
  ) {
    this.ref = builtinStrategy(o.strategy.name) === o.strategy ? { builtin: o.strategy.name } : { file: (o.strategy as { file?: string }).file };
    if (o.threads <= 1 && o.pool) void o.pool.destroy();
    if (o.threads > 1) {
      if (!this.ref.builtin && !this.ref.file) throw new UsageError(`${o.strategy.name}: cannot be sent to worker threads (no file)`);
      this.pool = o.pool && o.pool.options.maxThreads === o.threads ? o.pool : startSweepPool(o.threads);
      if (o.pool && this.pool !== o.pool) void o.pool.destroy();
      // one abort listener for the pool (one per task would be dozens on the signal); queued and running tasks then
      // reject, and the workers are stopped
      o.signal?.addEventListener('abort', () => void this.pool?.destroy(), { once: true });
    }
  }

  get threads(): number {
    return this.pool ? this.o.threads : 1;
  }

  /**
   * Results for `indices` of `grid` (in that order). `series` must be shared (shareSeries/viewBars) when the runner
   * has worker threads. `onDone(k)` is called as each chunk of k results arrives.
   */
  async run(series: BarSeries[], options: ComboOptions, grid: ParamGrid, indices: number[], onDone?: (k: number) => void): Promise<ComboResult[]> {
    const results: ComboResult[] = new Array(indices.length);
    const { strategy, signal } = this.o;
    if (!this.pool) {
      const chunk = Math.max(1, Math.ceil(indices.length / 100));
      for (let i = 0; i < indices.length; i += chunk) {
        if (signal?.aborted) throw new Error('canceled');
        const part = sweepLocal({ ...options, strategy, series, grid, indices: indices.slice(i, i + chunk) });
        part.forEach((r, j) => (results[i + j] = r));
        onDone?.(part.length);
        await new Promise((r) => setImmediate(r));
      }
      return results;
    }
    const chunk = Math.max(1, Math.ceil(indices.length / (this.o.threads * 8)));
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < indices.length; i += chunk) {
      const start = i;
      const task: SweepTask = { strategy: this.ref, tmpDir: this.o.tmpDir, series, options, grid, indices: indices.slice(i, i + chunk) };
      jobs.push(
        (this.pool.run(task) as Promise<ComboResult[]>).then((part) => {
          part.forEach((r, j) => (results[start + j] = r));
          onDone?.(part.length);
        }),
      );
    }
    await Promise.all(jobs).catch((e) => {
      throw signal?.aborted ? new Error('canceled') : e;
    });
    return results;
  }

  /**
   * PBO of the combinations (their CSCV block sums), the 12,870 splits shared among the threads; in this thread when
   * there is no pool.
   */
  async pbo(blocks: number[][]): Promise<{ pbo: number; splits: number } | null> {
    if (blocks.length < 2) return null;
    if (!this.pool) return pboCscv(blocks);
    const k = this.o.threads;
    const parts = await Promise.all(
      Array.from({ length: k }, (_, i) => {
        const masks: [number, number] = [Math.floor((i * 65536) / k), Math.floor(((i + 1) * 65536) / k)];
        return this.pool!.run({ pbo: { blocks, masks } } satisfies PboTask) as Promise<number[]>;
      }),
    );
    return pboFromLogits(parts);
  }

  async destroy(): Promise<void> {
    await this.pool?.destroy();
    this.pool = null;
  }
}
