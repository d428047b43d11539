/**
 * `train`: fit a model on the feature pipeline's columns (or a given feature matrix) and a forward label, with a
 * time-ordered split (rows whose label window reaches into the test period are purged from training), score it out
 * of sample, and store it in the registry as ONNX (so backtests and trading serve it through onnxruntime:
 * `backtest --strategy alpha_ml --param models=ID`). Families: logreg and the histogram tree learner's gbdt,
 * gbdt_depthwise, gbdt_oblivious, random_forest, extra_trees (models/fit.ts). `--compare-models` trains every family
 * on the same split; `--optimize` runs a TPE search (models/search.ts) before the final fit.
 */
import os from 'node:os';
import { z } from 'zod';
import { DEFAULT_FEATURE_NAMES } from '../data/features/default-set.ts';
import { computeFeatures } from '../data/features/pipeline.ts';
import { direction } from '../data/features/labels.ts';
import { contentHash } from '../data/store.ts';
import { DataError, UsageError } from '../src/errors.ts';
// feature columns live in shared memory: binning and histogram threads read them without a copy
import { sharedF64 } from '../src/types.ts';
import type { ProgressFn } from '../src/events.ts';
import { ALL_MODELS, HYPERPARAM_NAMES, isModelKind, type FittedModel, type HyperParams, type ModelKind } from '../models/fit.ts';
import { num } from './format.ts';
import { loadRunSeries, seriesArgs } from './backtest.ts';
import { defineCommand, type CommandContext } from './registry.ts';

type Scores = { auc: number | null; accuracy: number | null; logloss: number | null; precision: number | null; recall: number | null; train_auc: number | null };

export interface TrainOutput {
  model_id: number | null;
  model: ModelKind;
  /** out-of-sample AUC and accuracy (also in scores), for scripts */
  auc: number | null;
  accuracy: number | null;
  label: { kind: 'direction'; horizon: number; dead_zone: number } | { kind: 'column'; column: string };
  features: number;
  /** features left out because they had no value anywhere */
  dropped: string[];
  rows: { train: number; valid: number; test: number; purged: number; dead_zone: number; missing_label: number };
  train_range: { from: string; to: string };
  test_range: { from: string; to: string };
  scores: Scores;
  train_seconds: number;
  params: Record<string, unknown>;
  /** cross-validation on the training period (--cv) */
  cv: { kind: string; folds: number; auc_mean: number | null; auc_sd: number | null; auc: (number | null)[] } | null;
  /** trees: split count, total gain and out-of-sample permutation importance (AUC drop); logreg: weights */
  importance: { feature: string; weight?: number; split?: number; gain?: number; permutation?: number | null }[];
  /** per boosting round: training and validation log-loss */
  curve: { train: number[]; valid: number[] } | null;
  /**
   * the predictions traded: alpha_ml's rule (long when p ≥ --signal-threshold, flat below) over the test period,
   * by the vectorized engine with --commission and --slippage; buy-and-hold over the same bars for comparison
   */
  signal: { threshold: number; total_return: number | null; sharpe: number | null; max_drawdown: number | null; trades: number; exposure: number | null; buy_hold_return: number | null } | null;
  /** --optimize: the search */
  search: { study: string; best_round: number | null; trials: number; completed: number; pruned: number; resumed: number; best_value: number | null; best_params: HyperParams } | null;
}

export interface CompareOutput {
  compare: TrainOutput[];
  best: ModelKind | null;
}

const fin = (x: number) => (Number.isFinite(x) ? x : null);
const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

/** The rows of a training set: features (column-major, all rows), labels, times and label-end times. */
export interface TrainData {
  names: string[];
  dropped: string[];
  cols: Float64Array[];
  y: Float64Array;
  ts: Float64Array;
  ends: Float64Array;
  label: TrainOutput['label'];
  deadRows: number;
  missingLabel: number;
  /** how to show a row time */
  showTime: (t: number) => string;
  hash: Record<string, string>;
  source: string;
  /** series-based data: the bars and every bar's features (for the signal backtest) */
  bars?: { series: import('../src/types.ts').BarSeries[]; columns: ArrayLike<number>[][] };
}

function fromSeries(ctx: CommandContext, a: { label: string; only?: string } & Parameters<typeof loadRunSeries>[1], progress: ProgressFn): TrainData {
  const m = /^direction:(\d+)(?::([\d.]+))?$/.exec(a.label);
  if (!m) throw new UsageError(`--label takes direction:H[:DEAD_ZONE], got '${a.label}'`);
  const h = Number(m[1]);
  const dead = m[2] ? Number(m[2]) : 0;
  const names = a.only ? a.only.split(',').map((s) => s.trim()).filter(Boolean) : [...DEFAULT_FEATURE_NAMES];
  const { series } = loadRunSeries(ctx, a);
  // features of every series; a feature with no value anywhere (a benchmark feature without --benchmark, an intraday
  // calendar feature on daily bars) is left out and reported, rather than emptying every row
  const mats = series.map((S, k) => {
    progress({ job: 'train', phase: 'features', done: k, total: series.length });
    return computeFeatures(S, names);
  });
  const keep = names.map((_, f) => mats.some((fm) => fm.columns[f].some((x) => x === x)));
  const fidx = names.map((_, f) => f).filter((f) => keep[f]);
  const cols: number[][] = fidx.map(() => []);
  const y: number[] = [];
  const ts: number[] = [];
  const ends: number[] = [];
  let deadRows = 0;
  for (let k = 0; k < series.length; k++) {
    const S = series[k];
    const fm = mats[k];
    const lab = direction(S.close, h, dead);
    for (let i = 0; i < S.ts.length; i++) {
      const v = lab.values[i];
      if (!(v === v)) continue;
      if (v === 0) {
        deadRows++;
        continue;
      }
      let ok = true;
      for (const f of fidx)
        if (!(fm.columns[f][i] === fm.columns[f][i])) {
          ok = false;
          break;
        }
      if (!ok) continue;
      fidx.forEach((f, j) => cols[j].push(fm.columns[f][i]));
      y.push(v > 0 ? 1 : 0);
      ts.push(S.ts[i]);
      ends.push(S.ts[lab.end[i]]);
    }
  }
  return {
    names: fidx.map((f) => names[f]),
    dropped: names.filter((_, f) => !keep[f]),
    cols: cols.map(sharedF64),
    y: Float64Array.from(y),
    ts: Float64Array.from(ts),
    ends: Float64Array.from(ends),
    label: { kind: 'direction', horizon: h, dead_zone: dead },
    deadRows,
    missingLabel: 0,
    showTime: (t) => new Date(t).toISOString(),
    hash: Object.fromEntries(series.map((s) => [s.symbol, contentHash(s)])),
    source: series.map((s) => s.symbol).join(','),
    bars: { series, columns: mats.map((fm) => fidx.map((f) => fm.columns[f])) },
  };
}

/**
 * A feature matrix file (CSV or Parquet): rows in time order, one numeric column per feature, a 0/1 label column;
 * empty cells are missing values; text columns (a date, a symbol) are not features and are reported as ignored.
 */
async function fromMatrix(file: string, labelColumn: string): Promise<TrainData> {
  const { createRequire } = await import('node:module');
  const pl = createRequire(import.meta.url)('nodejs-polars') as typeof import('nodejs-polars');
  const fs = await import('node:fs');
  if (!fs.existsSync(file)) throw new UsageError(`--matrix ${file}: no such file`);
  let df: import('nodejs-polars').DataFrame;
  try {
    df = /\.parquet$/i.test(file) ? pl.readParquet(file) : pl.readCSV(file, { inferSchemaLength: 100_000 });
  } catch (e) {
    throw new DataError(`${file}: cannot read it as ${/\.parquet$/i.test(file) ? 'Parquet' : 'CSV'}: ${(e as Error).message}`);
  }
  if (!df.columns.includes(labelColumn)) throw new DataError(`${file}: no label column '${labelColumn}' (columns: ${df.columns.slice(0, 12).join(', ')}${df.columns.length > 12 ? ', …' : ''})`);
  const numeric = (c: string) => {
    const t = (df.getColumn(c).dtype as { variant?: string }).variant ?? '';
    return /^(Float|Int|UInt|Bool)/.test(t);
  };
  if (!numeric(labelColumn)) throw new DataError(`${file}: label column '${labelColumn}' is not numeric`);
  const toF64 = (c: string) => Float64Array.from(df.getColumn(c).cast(pl.Float64).toArray() as (number | null)[], (v) => (v === null || v === undefined ? NaN : v));
  const lab = toF64(labelColumn);
  const featureCols = df.columns.filter((c) => c !== labelColumn && numeric(c));
  const ignored = df.columns.filter((c) => c !== labelColumn && !numeric(c));
  if (featureCols.length === 0) throw new DataError(`${file}: no numeric feature columns besides '${labelColumn}'`);
  const rows: number[] = [];
  let missing = 0;
  for (let i = 0; i < lab.length; i++) {
    const v = lab[i];
    if (v !== v) {
      missing++;
      continue;
    }
    if (v !== 0 && v !== 1) throw new DataError(`${file}: line ${i + 2}, field '${labelColumn}': the label must be 0 or 1, got ${v}`);
    rows.push(i);
  }
  const all = featureCols.map(toF64);
  return {
    names: featureCols,
    dropped: ignored,
    cols: all.map((c) => sharedF64(Array.from(rows, (r) => c[r]))),
    y: Float64Array.from(rows, (r) => lab[r]),
    ts: Float64Array.from(rows),
    ends: Float64Array.from(rows),
    label: { kind: 'column', column: labelColumn },
    deadRows: 0,
    missingLabel: missing,
    showTime: (t) => `row ${t + 1}`,
    hash: { [file]: (await import('node:crypto')).createHash('sha256').update(fs.readFileSync(file)).digest('hex').slice(0, 16) },
    source: file,
  };
}

/** Rows with time ≤ the `frac` quantile of times train (purged of labels reaching past it), later rows test. */
export function timeSplit(ts: ArrayLike<number>, ends: ArrayLike<number>, rows: ArrayLike<number>, frac: number): { train: Int32Array; test: Int32Array; purged: number } {
  const times = Array.from(rows, (r) => ts[r]).sort((p, q) => p - q);
  const cut = times[Math.floor(frac * (times.length - 1))];
  const train: number[] = [];
  const test: number[] = [];
  let purged = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (ts[r] > cut) test.push(r);
    else if (ends[r] > cut) purged++; // its label window reaches into the later period
    else train.push(r);
  }
  return { train: Int32Array.from(train), test: Int32Array.from(test), purged };
}

const treeArgs = () => ({
  rounds: z.number().int().min(1).optional().describe('trees: boosting rounds or forest size (default 100)'),
  learningRate: z.number().gt(0).optional().describe('boosting shrinkage (gbdt 0.1, depthwise 0.3, oblivious 0.1)'),
  numLeaves: z.number().int().min(2).optional().describe('leaf-wise trees: leaves per tree (gbdt 31, forests 255)'),
  maxDepth: z.number().int().optional().describe('maximum depth (depthwise and oblivious 6; leaf-wise none)'),
  minDataInLeaf: z.number().int().min(1).optional().describe('rows per leaf at least (gbdt 20)'),
  lambdaL1: z.number().min(0).optional().describe('L1 penalty on leaf values'),
  lambdaL2: z.number().min(0).optional().describe('L2 penalty on leaf values (depthwise 1, oblivious 3)'),
  featureFraction: z.number().gt(0).max(1).optional().describe('share of features per tree'),
  baggingFraction: z.number().gt(0).max(1).optional().describe('share of rows per tree'),
  maxBin: z.number().int().min(2).max(255).optional().describe('value bins per feature (255)'),
  earlyStopping: z.number().int().min(0).optional().describe('stop boosting after N rounds without a better validation loss (uses --valid-frac of the training period)'),
  seed: z.number().int().optional().describe('seed of subsampling and search (42)'),
});

/** Hyperparameters given by flags, by their snake_case names. */
function flagParams(a: Record<string, unknown>, kind: ModelKind): HyperParams {
  const hp: HyperParams = {};
  const map: Record<string, string> = { rounds: 'rounds', learningRate: 'learning_rate', numLeaves: 'num_leaves', maxDepth: 'max_depth', minDataInLeaf: 'min_data_in_leaf', lambdaL1: 'lambda_l1', lambdaL2: 'lambda_l2', featureFraction: 'feature_fraction', baggingFraction: 'bagging_fraction', maxBin: 'max_bin', earlyStopping: 'early_stopping_rounds', seed: 'seed' };
  if (kind === 'logreg') {
    hp.lambda = a.lambda as number;
    return hp;
  }
  for (const [flag, name] of Object.entries(map)) if (a[flag] !== undefined) hp[name] = a[flag] as number;
  return hp;
}

export const train = defineCommand({
  name: 'train',
  summary: 'fit a model on features and a forward label, score it out of sample, store it in the registry (ONNX)',
  description:
    'Rows: every bar of the series where all features and the label exist (or the rows of --matrix). Label direction:H[:D]: 1 when the H-bar forward log return is above D, 0 when below −D, rows in between left out. The split is by time: the first --train-frac of the period trains, the rest tests; training rows whose label looks into the test period are purged. Early stopping and --optimize validate on the last --valid-frac of the training period (purged the same way).\n' +
    `Models: ${ALL_MODELS.join(', ')}. Trees are our histogram learner (models/trees); logreg is L2 logistic regression on standardised features.\n` +
    'Importance: split count and total gain per feature, and permutation importance (out-of-sample AUC drop) for the 20 features with the most gain.',
  args: () =>
    z.object({
      ...seriesArgs(),
      matrix: z.string().optional().describe('a feature matrix (CSV or Parquet): numeric feature columns and --label-column, rows in time order'),
      labelColumn: z.string().default('label').describe('--matrix: the 0/1 label column'),
      model: z.string().default('gbdt').describe(ALL_MODELS.join('|')),
      label: z.string().default('direction:5').describe('direction:H[:DEAD_ZONE] (log return)'),
      only: z.string().optional().describe('features a,b,… (default: the 167 of the default set)'),
      trainFrac: z.number().gt(0).lt(1).default(0.8).describe('share of the period used for training'),
      validFrac: z.number().gt(0).lt(0.5).default(0.15).describe('share of the training period for validation (early stopping, --optimize)'),
      lambda: z.number().min(0).default(1e-3).describe('L2 penalty (logreg)'),
      ...treeArgs(),
      threads: z.number().int().min(1).optional().describe('threads for histograms and search trials (default: the cores)'),
      cv: z.enum(['none', 'purged', 'walkforward']).default('none').describe('cross-validate on the training period: purged k-fold with embargo, or walk-forward'),
      folds: z.number().int().min(2).default(5).describe('CV folds'),
      embargo: z.number().min(0).max(0.5).default(0.01).describe('purged CV: share of samples embargoed after each test fold'),
      compareModels: z.boolean().default(false).describe('train every model family on the same split and compare them'),
      optimize: z.boolean().default(false).describe('search hyperparameters (TPE) on the validation period before the final fit'),
      trials: z.number().int().min(1).default(30).describe('--optimize: trials'),
      space: z.string().optional().describe('--optimize: search space, e.g. num_leaves=int:8:128:log,learning_rate=float:0.01:0.3:log (default: per family)'),
      pruner: z.enum(['median', 'halving', 'none']).default('median').describe('--optimize: stop unpromising trials early'),
      study: z.string().optional().describe('--optimize: study name in the catalog (an interrupted study with the same name resumes)'),
      signalThreshold: z.number().min(0.5).max(1).default(0.5).describe('signal backtest: long when the probability is at least this'),
      commission: z.string().default('none').describe('signal backtest: commission model (as backtest --commission)'),
      slippage: z.string().default('none').describe('signal backtest: slippage model (as backtest --slippage)'),
      name: z.string().optional().describe('registry name (default: model and symbols)'),
      save: z.boolean().default(true).describe('store the model in the registry (--no-save to only score it)'),
    }),
  examples: [
    'alphatrade train --symbol ORCL --model gbdt --label direction:5 --json',
    'alphatrade train --symbol ORCL,GE --model gbdt --optimize --trials 30 --cv purged',
    'alphatrade train --matrix features.parquet --label-column label --model gbdt --rounds 200 --num-leaves 31 --learning-rate 0.05 --json',
    'alphatrade train --symbol ORCL --compare-models',
  ],
  async run(ctx, a, progress): Promise<TrainOutput | CompareOutput> {
    if (!isModelKind(a.model)) throw new UsageError(`--model ${a.model}: unknown model`, `models: ${ALL_MODELS.join(', ')}`);
    if (a.matrix && (a.symbol || a.data)) throw new UsageError('give --matrix or --symbol/--data, not both');
    const d = a.matrix ? await fromMatrix(a.matrix, a.labelColumn) : fromSeries(ctx, a, progress);
    if (d.y.length < 50) throw new UsageError(`only ${d.y.length} usable rows (features and label present): use more data or fewer features`);
    const all = Int32Array.from({ length: d.y.length }, (_, i) => i);
    const split = timeSplit(d.ts, d.ends, all, a.trainFrac);
    if (split.test.length === 0 || split.train.length === 0) throw new UsageError('the split left no training or no test rows: change --train-frac');
    const threads = a.threads ?? Math.max(1, Math.min(os.availableParallelism(), 8));
    const kinds: ModelKind[] = a.compareModels ? [...ALL_MODELS] : [a.model];
    const outs: TrainOutput[] = [];
    for (const kind of kinds) {
      if (ctx.signal.aborted) break;
      outs.push(await trainOne(ctx, a, d, split, kind, threads, progress));
    }
    if (!a.compareModels) return outs[0];
    const ranked = outs.filter((o) => o.auc !== null).sort((p, q) => (q.auc ?? 0) - (p.auc ?? 0));
    return { compare: outs, best: ranked[0]?.model ?? null };
  },
  render: (r: TrainOutput | CompareOutput) => ('compare' in r ? renderCompare(r) : renderOne(r)),
});

type TrainArgs = Parameters<typeof train.run>[1];

async function trainOne(ctx: CommandContext, a: TrainArgs, d: TrainData, split: ReturnType<typeof timeSplit>, kind: ModelKind, threads: number, progress: ProgressFn): Promise<TrainOutput> {
  const { fitModel, permutationImportance } = await import('../models/fit.ts');
  const { auc, classification, logLoss } = await import('../models/evaluate.ts');
  let hp = flagParams(a as unknown as Record<string, unknown>, kind);
  const needValid = kind !== 'logreg' && (a.optimize || Number(hp.early_stopping_rounds ?? 0) > 0);
  // validation: the last --valid-frac of the training period, purged like the test split
  const inner = needValid ? timeSplit(d.ts, d.ends, split.train, 1 - a.validFrac) : { train: split.train, test: new Int32Array(0), purged: 0 };
  let search: TrainOutput['search'] = null;
  if (a.optimize) {
    const { runStudy, defaultSpace } = await import('../models/search.ts');
    const { parseSpace } = await import('../models/tpe.ts');
    const ws = ctx.workspace();
    const studyName = a.study ?? `${kind} ${d.source} ${d.label.kind === 'direction' ? `direction:${d.label.horizon}` : d.label.column}`;
    const r = await runStudy(ws.db, {
      name: studyName,
      kind,
      space: a.space ? parseSpace(a.space) : defaultSpace(kind),
      trials: a.trials,
      pruner: a.pruner,
      seed: Number(hp.seed ?? 42),
      threads,
      fixed: hp,
      data: { cols: d.cols, y: d.y, train: inner.train, valid: inner.test },
      signal: ctx.signal,
      onTrial: (t, done) => progress({ job: 'train', phase: 'trial', done, total: a.trials, message: `trial ${t.number + 1}: ${t.state}${t.value !== undefined ? ` ${t.value.toFixed(4)}` : ''}`, detail: { trial: t.number, state: t.state, value: t.value ?? null, params: t.params } }),
    });
    hp = { ...hp, ...r.best.params };
    // boosting: keep the rounds of the best trial's best validation round (what early stopping would keep)
    const inter = r.best.intermediate ?? {};
    const steps = Object.keys(inter).map(Number);
    const bestRound = steps.length ? steps.reduce((p, q) => (inter[q] < inter[p] ? q : p)) : null;
    if (bestRound !== null && !hp.early_stopping_rounds && !kind.startsWith('random') && kind !== 'extra_trees') hp.rounds = bestRound;
    search = { study: studyName, best_round: bestRound, trials: r.trials.length, completed: r.trials.filter((t) => t.state === 'complete').length, pruned: r.trials.filter((t) => t.state === 'pruned').length, resumed: r.resumed, best_value: r.best.value ?? null, best_params: r.best.params };
  }
  // the final fit
  const valid = needValid ? inner.test : undefined;
  const trainRows = needValid ? inner.train : split.train;
  let last = 0;
  let pend = { train: [] as number[], valid: [] as number[], first: 1 };
  const m: FittedModel = await fitModel({
    kind,
    cols: d.cols,
    y: d.y,
    train: trainRows,
    valid,
    hp,
    threads,
    shouldStop: () => ctx.signal.aborted,
    onRound: (r) => {
      // the rounds' losses go out in batches (at most every 100 ms): the Train pane draws the curves from them
      pend.train.push(r.train);
      if (r.valid !== null) pend.valid.push(r.valid);
      const now = performance.now();
      if (now - last > 100 || r.round === r.rounds) {
        last = now;
        progress({ job: 'train', phase: 'round', done: r.round, total: r.rounds, message: `${kind} round ${r.round}/${r.rounds}`, detail: { model: kind, round: r.round, rounds: r.rounds, ...pend } });
        pend = { train: [], valid: [], first: 0 };
      }
    },
  });
  if (ctx.signal.aborted) throw new UsageError('training cancelled');
  // cross-validation on the training rows in time order: purged k-fold (label windows overlapping a test fold are
  // dropped from its training, plus an embargo) or walk-forward, with the chosen hyperparameters
  let cv: TrainOutput['cv'] = null;
  if (a.cv !== 'none') {
    const { purgedKFold, walkForwardFolds } = await import('../models/purged-cv.ts');
    const ord = [...split.train].sort((p, q) => d.ts[p] - d.ts[q] || p - q);
    const st = ord.map((r) => d.ts[r]);
    const en = ord.map((r) => d.ends[r]);
    const folds = a.cv === 'purged' ? purgedKFold(st, en, a.folds, a.embargo) : walkForwardFolds(st, en, a.folds);
    const aucs: number[] = [];
    for (const [k, f] of folds.entries()) {
      const tr2 = Int32Array.from(f.train, (i) => ord[i]);
      const te2 = Int32Array.from(f.test, (i) => ord[i]);
      if (tr2.length < 20) continue;
      progress({ job: 'train', phase: 'cv', done: k, total: folds.length, message: `fold ${k + 1}/${folds.length}` });
      const { early_stopping_rounds: _es, ...cvHp } = hp; // no validation set inside a fold
      const m2 = await fitModel({ kind, cols: d.cols, y: d.y, train: tr2, hp: cvHp, threads });
      aucs.push(auc(m2.predict(d.cols, te2), Array.from(te2, (r) => d.y[r])));
    }
    const mean = aucs.reduce((p, q) => p + q, 0) / aucs.length;
    const sd = Math.sqrt(aucs.reduce((p, q) => p + (q - mean) ** 2, 0) / Math.max(1, aucs.length - 1));
    cv = { kind: a.cv, folds: aucs.length, auc_mean: fin(mean), auc_sd: fin(sd), auc: aucs.map((x) => fin(x)) };
  }
  const pTest = m.predict(d.cols, split.test);
  const yTest = Array.from(split.test, (r) => d.y[r]);
  const pTrain = m.predict(d.cols, trainRows);
  const c = classification(pTest, yTest);
  const scores: Scores = { auc: fin(auc(pTest, yTest)), accuracy: fin(c.accuracy), logloss: fin(logLoss(pTest, yTest)), precision: fin(c.precision), recall: fin(c.recall), train_auc: fin(auc(pTrain, Array.from(trainRows, (r) => d.y[r]))) };
  const signal = d.bars ? await signalBacktest(d, m, split.test, a) : null;
  // importance
  let importance: TrainOutput['importance'];
  if (m.importance.weight) {
    const w = m.importance.weight;
    importance = d.names.map((feature, f) => ({ feature, weight: w[f] })).sort((p, q) => Math.abs(q.weight) - Math.abs(p.weight));
  } else {
    const split2 = m.importance.split!;
    const gain = m.importance.gain!;
    const order = d.names.map((_, f) => f).sort((p, q) => gain[q] - gain[p]);
    progress({ job: 'train', phase: 'importance', done: 0, total: 1 });
    const perm = permutationImportance(m, d.cols, d.y, split.test, order.slice(0, 20).filter((f) => gain[f] > 0));
    importance = order.map((f) => ({ feature: d.names[f], split: split2[f], gain: gain[f], permutation: perm.has(f) ? fin(perm.get(f)!) : null }));
  }
  const tr = Array.from(trainRows, (r) => d.ts[r]);
  const te = Array.from(split.test, (r) => d.ts[r]);
  const range = (xs: number[]) => ({ from: d.showTime(Math.min(...xs)), to: d.showTime(Math.max(...xs)) });
  const out: TrainOutput = {
    model_id: null,
    model: kind,
    auc: scores.auc,
    accuracy: scores.accuracy,
    label: d.label,
    features: d.names.length,
    dropped: d.dropped,
    rows: { train: trainRows.length, valid: valid?.length ?? 0, test: split.test.length, purged: split.purged + inner.purged, dead_zone: d.deadRows, missing_label: d.missingLabel },
    train_range: range(tr),
    test_range: range(te),
    scores,
    train_seconds: m.seconds,
    params: m.params,
    cv,
    importance: importance.slice(0, 30),
    signal,
    curve: m.history ? { train: m.history.train.map((x) => (Number.isFinite(x) ? x : NaN)), valid: m.history.valid } : null,
    search,
  };
  if (a.save) {
    const { ModelRegistry } = await import('../models/registry.ts');
    const ws = ctx.workspace();
    const rec = new ModelRegistry(ws.db, ws.path('models'), ws.dir).save({
      name: a.name ?? `${kind} ${d.source}`,
      kind,
      task: 'binary',
      features: d.names,
      meta: { label: out.label, train_range: out.train_range, test_range: out.test_range, rows: out.rows, params: m.params, scores, cv, importance: out.importance, data_hash: d.hash, search, curve: out.curve },
      onnx: await m.onnx(d.names),
    });
    out.model_id = rec.id;
  }
  return out;
}

/**
 * Backtest of the predictions on the test period: probabilities for every bar from the test period's first bar on
 * (NaN before it, and where a feature is still warming up), traded by alpha_ml's rule on the vectorized engine.
 */
async function signalBacktest(d: TrainData, m: FittedModel, test: Int32Array, a: TrainArgs): Promise<TrainOutput['signal']> {
  const { probabilityStrategy } = await import('../models/alpha-ml.ts');
  const { runStrategy } = await import('../engine/run.ts');
  const { runSummary } = await import('../engine/report.ts');
  const start = Math.min(...Array.from(test, (r) => d.ts[r]));
  const { series, columns } = d.bars!;
  const probs = series.map((S, k) => {
    const cols = columns[k];
    const p = m.predict(cols, undefined);
    for (let i = 0; i < S.ts.length; i++) if (S.ts[i] < start || cols.some((c) => !(c[i] === c[i]))) p[i] = NaN;
    return p;
  });
  // the run covers the test period only (metrics of that period, not diluted by the flat training years)
  const { viewBars } = await import('../engine/sweep-pool.ts');
  const from = series.map((S) => {
    let i0 = 0;
    while (i0 < S.ts.length && S.ts[i0] < start) i0++;
    return i0;
  });
  const tseries = series.map((S, k) => viewBars(S, from[k], S.ts.length));
  const tprobs = probs.map((p, k) => p.subarray(from[k]));
  const r = runStrategy({ strategy: probabilityStrategy(tseries, tprobs), params: { threshold: a.signalThreshold }, series: tseries, commission: a.commission, slippage: a.slippage, mode: 'vectorized' });
  const sum = runSummary(r);
  // buy and hold over the same bars, equal weights, from the first test bar's close
  let bh = 0;
  for (const S of tseries) if (S.ts.length) bh += S.close[S.ts.length - 1] / S.close[0] - 1;
  const mt = sum.metrics;
  return { threshold: a.signalThreshold, total_return: mt.total_return ?? null, sharpe: mt.sharpe ?? null, max_drawdown: mt.max_drawdown ?? null, trades: r.trades.length, exposure: mt.exposure_time ?? null, buy_hold_return: fin(bh / series.length) };
}

function renderOne(r: TrainOutput): string {
  const lab = r.label.kind === 'direction' ? `direction over ${r.label.horizon} bars${r.label.dead_zone ? ` (dead zone ${r.label.dead_zone})` : ''}` : `column ${r.label.column}`;
  const top = r.importance.slice(0, 5);
  return [
    `${r.model} on ${r.features} features · label ${lab}`,
    `train ${r.train_range.from.slice(0, 10)} → ${r.train_range.to.slice(0, 10)} (${r.rows.train.toLocaleString('en-US')} rows${r.rows.valid ? `, ${r.rows.valid.toLocaleString('en-US')} validation` : ''}, ${r.rows.purged} purged) · test ${r.test_range.from.slice(0, 10)} → ${r.test_range.to.slice(0, 10)} (${r.rows.test.toLocaleString('en-US')} rows)`,
    `out of sample: AUC ${num(r.scores.auc, 3)} · accuracy ${num(r.scores.accuracy, 3)} · log-loss ${num(r.scores.logloss, 4)} · precision ${num(r.scores.precision, 3)} · recall ${num(r.scores.recall, 3)} (train AUC ${num(r.scores.train_auc, 3)}) · fitted in ${r.train_seconds.toFixed(2)} s`,
    r.signal ? `signal (long at p ≥ ${r.signal.threshold}) over the test period: return ${pct(r.signal.total_return)} · Sharpe ${num(r.signal.sharpe, 2)} · max drawdown ${pct(r.signal.max_drawdown)} · ${r.signal.trades} trades · in the market ${pct(r.signal.exposure)} (buy and hold ${pct(r.signal.buy_hold_return)})` : '',
    r.search ? `search "${r.search.study}": ${r.search.completed} complete, ${r.search.pruned} pruned${r.search.resumed ? ` (${r.search.resumed} from before)` : ''}; best validation log-loss ${num(r.search.best_value, 4)}${r.search.best_round ? ` at round ${r.search.best_round}` : ''} with ${Object.entries(r.search.best_params).map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toPrecision(4) : v}`).join(' ')}` : '',
    r.cv ? `${r.cv.kind} CV on the training period, ${r.cv.folds} folds: AUC ${num(r.cv.auc_mean, 3)} ± ${num(r.cv.auc_sd, 3)}` : '',
    r.dropped.length ? `left out: ${r.dropped.join(', ')}` : '',
    r.rows.missing_label ? `${r.rows.missing_label} rows without a label left out` : '',
    top.length && top[0].weight !== undefined
      ? `largest weights: ${top.map((x) => `${x.feature} ${x.weight! >= 0 ? '+' : ''}${x.weight!.toFixed(3)}`).join(', ')}`
      : `most gain: ${top.map((x) => `${x.feature} (${x.split} splits${x.permutation !== null && x.permutation !== undefined ? `, perm ${x.permutation >= 0 ? '+' : ''}${x.permutation.toFixed(3)}` : ''})`).join(', ')}`,
    r.model_id !== null ? `stored as model ${r.model_id} (backtest --strategy alpha_ml --param models=${r.model_id})` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

function renderCompare(r: CompareOutput): string {
  const head = `${'model'.padEnd(16)}${'AUC'.padStart(7)}${'accuracy'.padStart(10)}${'log-loss'.padStart(10)}${'train AUC'.padStart(11)}${'seconds'.padStart(9)}  id`;
  const lines = r.compare.map((o) => `${o.model.padEnd(16)}${num(o.scores.auc, 3).padStart(7)}${num(o.scores.accuracy, 3).padStart(10)}${num(o.scores.logloss, 4).padStart(10)}${num(o.scores.train_auc, 3).padStart(11)}${o.train_seconds.toFixed(2).padStart(9)}  ${o.model_id ?? '-'}`);
  const o = r.compare[0];
  return [`${r.compare.length} models, same split: train ${o.train_range.from.slice(0, 10)} → ${o.train_range.to.slice(0, 10)}, test ${o.test_range.from.slice(0, 10)} → ${o.test_range.to.slice(0, 10)} (${o.rows.test} rows)`, head, ...lines, r.best ? `best out-of-sample AUC: ${r.best}` : ''].filter(Boolean).join('\n');
}

export { HYPERPARAM_NAMES };
