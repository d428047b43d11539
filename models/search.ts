/**
 * Hyperparameter search: a study of trials, each a fit on the training rows scored by its validation log-loss
 * (lower is better), parameters proposed by the TPE sampler (tpe.ts) and unpromising trials stopped early by a
 * median or successive-halving pruner on the per-round validation loss.
 *
 * Trials run in parallel on worker threads (a piscina pool; each trial fits single-threaded). The features are
 * binned once here, on the training rows, into shared memory, so a trial carries no data. A worker judges pruning
 * against the history as it was when its trial started (Optuna's behaviour with parallel workers).
 *
 * Studies live in the workspace catalog (tables studies/trials, migration 4): every trial is written when it starts
 * and when it ends, so an interrupted search resumes where it stopped — finished trials are kept, a trial that was
 * running is marked failed and its number is not reused. One seed gives one sequence of trials with one thread;
 * with several, the order trials finish in (and so what the sampler has seen) can vary, as in any parallel TPE.
 */
import type { DB } from '../src/catalog.ts';
import { UsageError } from '../src/errors.ts';
import { sharedF64 } from '../src/types.ts';
import { workerEntry } from '../src/version.ts';
import { fitModel, treeParams, type HyperParams, type ModelKind } from './fit.ts';
import { TpeSampler, type Params, type SearchSpace, type TrialRecord } from './tpe.ts';
import { binRows, chooseEdges, type BinnedMatrix } from './trees/binning.ts';
import type { TrialTask, TrialResult } from './trial-worker.ts';

/** Default search spaces per family (LightGBM-style ranges). */
export function defaultSpace(kind: ModelKind): SearchSpace {
  switch (kind) {
    case 'logreg':
      return { lambda: { type: 'float', low: 1e-5, high: 10, log: true } };
    case 'gbdt':
      return {
        num_leaves: { type: 'int', low: 4, high: 128, log: true },
        learning_rate: { type: 'float', low: 0.01, high: 0.3, log: true },
        min_data_in_leaf: { type: 'int', low: 5, high: 200, log: true },
        feature_fraction: { type: 'float', low: 0.3, high: 1 },
        lambda_l2: { type: 'float', low: 1e-3, high: 10, log: true },
      };
    case 'gbdt_depthwise':
    case 'gbdt_oblivious':
      return {
        max_depth: { type: 'int', low: 2, high: 8 },
        learning_rate: { type: 'float', low: 0.01, high: 0.3, log: true },
        lambda_l2: { type: 'float', low: 1e-3, high: 10, log: true },
        feature_fraction: { type: 'float', low: 0.3, high: 1 },
      };
    case 'random_forest':
    case 'extra_trees':
      return {
        num_leaves: { type: 'int', low: 8, high: 512, log: true },
        min_data_in_leaf: { type: 'int', low: 1, high: 100, log: true },
        feature_fraction_bynode: { type: 'float', low: 0.05, high: 0.6 },
      };
  }
}

export interface StudyOptions {
  name: string;
  kind: ModelKind;
  space: SearchSpace;
  /** finished trials (complete or pruned) the study should have */
  trials: number;
  pruner: 'median' | 'halving' | 'none';
  seed: number;
  threads: number;
  /** hyperparameters fixed for every trial (flags) */
  fixed: HyperParams;
  data: { cols: Float64Array[]; y: ArrayLike<number>; train: Int32Array; valid: Int32Array };
  signal?: AbortSignal;
  onTrial?: (t: TrialRecord, finished: number) => void;
}

export interface StudyResult {
  best: TrialRecord;
  trials: TrialRecord[];
  /** finished trials found from an earlier run */
  resumed: number;
}

interface TrialRow {
  number: number;
  state: TrialRecord['state'];
  params: string;
  value: number | null;
  intermediate: string | null;
}

export async function runStudy(db: DB, o: StudyOptions): Promise<StudyResult> {
  if (o.data.valid.length === 0) throw new UsageError('--optimize needs validation rows: raise --valid-frac or use more data');
  for (const k of Object.keys(o.space)) if (k === 'max_bin') throw new UsageError('max_bin cannot be searched (the features are binned once per study): give --max-bin');
  // one study per name; its space, family and data must match to resume it
  const fingerprint = JSON.stringify({ kind: o.kind, space: o.space, fixed: o.fixed, rows: [o.data.train.length, o.data.valid.length], features: o.data.cols.length });
  let st = db.prepare('SELECT id, fingerprint FROM studies WHERE name = ?').get(o.name) as { id: number; fingerprint: string } | undefined;
  if (st && st.fingerprint !== fingerprint) throw new UsageError(`study '${o.name}' exists with another model, search space or data`, 'give a new --study name, or the same flags as before to resume it');
  if (!st) {
    const r = db.prepare('INSERT INTO studies (name, kind, fingerprint, config, created_at) VALUES (?, ?, ?, ?, ?)').run(o.name, o.kind, fingerprint, JSON.stringify({ space: o.space, fixed: o.fixed, pruner: o.pruner, seed: o.seed }), new Date().toISOString());
    st = { id: Number(r.lastInsertRowid), fingerprint };
  }
  const studyId = st.id;
  // a trial left running by an interrupted run failed
  db.prepare("UPDATE trials SET state = 'failed', finished_at = ? WHERE study_id = ? AND state = 'running'").run(new Date().toISOString(), studyId);
  const rows = db.prepare('SELECT number, state, params, value, intermediate FROM trials WHERE study_id = ? ORDER BY number').all(studyId) as TrialRow[];
  const history: TrialRecord[] = rows.map((r) => ({ number: r.number, state: r.state, params: JSON.parse(r.params) as Params, value: r.value ?? undefined, intermediate: r.intermediate ? (JSON.parse(r.intermediate) as Record<number, number>) : undefined }));
  const finished = () => history.filter((t) => t.state === 'complete' || t.state === 'pruned').length;
  const resumed = finished();
  const sampler = new TpeSampler(o.space, { seed: o.seed });
  let next = history.length ? Math.max(...history.map((t) => t.number)) + 1 : 0;
  const insert = db.prepare("INSERT INTO trials (study_id, number, state, params, started_at) VALUES (?, ?, 'running', ?, ?)");
  const finish = db.prepare('UPDATE trials SET state = ?, value = ?, intermediate = ?, finished_at = ? WHERE study_id = ? AND number = ?');

  // trees: bin once, shared with every worker; logreg trials run here (they are quick and need the raw columns)
  const trees = o.kind !== 'logreg';
  let shared: { X: BinnedMatrix; y: Float64Array; V: BinnedMatrix; vy: Float64Array } | null = null;
  if (trees) {
    const maxBin = Number(o.fixed.max_bin ?? 255);
    const e = chooseEdges(o.data.cols, o.data.train, { maxBin, seed: o.seed });
    shared = {
      X: binRows(o.data.cols, o.data.train, e, true),
      y: sharedF64(Array.from(o.data.train, (i) => o.data.y[i])),
      V: binRows(o.data.cols, o.data.valid, e, true),
      vy: sharedF64(Array.from(o.data.valid, (i) => o.data.y[i])),
    };
  }
  const threads = Math.max(1, o.threads);
  const { Piscina } = await import('piscina');
  const pool = trees && threads > 1 ? new Piscina({ filename: workerEntry('trial-worker', 'models/trial-worker.mjs').href, minThreads: threads, maxThreads: threads, idleTimeout: 1000 }) : null;
  const running = new Set<Promise<void>>();
  try {
    const launch = (): Promise<void> | null => {
      if (finished() + running.size >= o.trials || o.signal?.aborted) return null;
      const number = next++;
      const params = sampler.suggest(number, history);
      const rec: TrialRecord = { number, params, state: 'running' };
      history.push(rec);
      insert.run(studyId, number, JSON.stringify(params), new Date().toISOString());
      const snapshot = history.map((t) => ({ ...t }));
      const hp = { ...o.fixed, ...params };
      const task: TrialTask | null = shared ? { kind: o.kind, params: treeParams(o.kind as Exclude<ModelKind, 'logreg'>, hp, 1), X: shared.X, y: shared.y, V: shared.V, vy: shared.vy, pruner: o.pruner, history: snapshot, number } : null;
      const exec: Promise<TrialResult> = task ? (pool ? (pool.run(task, { signal: o.signal }) as Promise<TrialResult>) : import('./trial-worker.ts').then((w) => w.default(task))) : logregTrial(o, hp);
      const p = exec
        .then((r) => {
          rec.state = r.state;
          rec.value = r.value ?? undefined;
          rec.intermediate = r.intermediate;
        })
        .catch((e: unknown) => {
          if (o.signal?.aborted) return;
          rec.state = 'failed';
          rec.value = undefined;
          void e;
        })
        .then(() => {
          if (rec.state === 'running') rec.state = 'failed';
          finish.run(rec.state, rec.value ?? null, rec.intermediate ? JSON.stringify(rec.intermediate) : null, new Date().toISOString(), studyId, number);
          running.delete(p);
          o.onTrial?.(rec, finished());
        });
      running.add(p);
      return p;
    };
    for (let k = 0; k < (pool ? threads : 1); k++) launch();
    while (running.size) {
      await Promise.race(running);
      while (running.size < (pool ? threads : 1) && launch());
    }
  } finally {
    await pool?.destroy();
  }
  if (o.signal?.aborted) throw new UsageError(`search cancelled: study '${o.name}' keeps its ${finished()} finished trials; run the same command to resume it`);
  const done = history.filter((t) => t.state === 'complete' && t.value !== undefined && Number.isFinite(t.value));
  if (!done.length) throw new UsageError(`study '${o.name}': no trial completed`);
  const best = done.reduce((p, q) => (q.value! < p.value! ? q : p));
  return { best, trials: history, resumed };
}

async function logregTrial(o: StudyOptions, hp: HyperParams): Promise<TrialResult> {
  const m = await fitModel({ kind: 'logreg', cols: o.data.cols, y: o.data.y, train: o.data.train, hp: { lambda: hp.lambda ?? 1e-3 } });
  const p = m.predict(o.data.cols, o.data.valid);
  let l = 0;
  o.data.valid.forEach((r, i) => {
    const q = Math.min(1 - 1e-15, Math.max(1e-15, p[i]));
    l -= o.data.y[r] > 0.5 ? Math.log(q) : Math.log(1 - q);
  });
  return { state: 'complete', value: l / o.data.valid.length };
}
