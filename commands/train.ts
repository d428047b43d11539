/**
 * `train`: fit a model on the feature pipeline's columns and a forward label, with a time-ordered split (rows whose
 * label window reaches into the test period are purged from training), score it out of sample, and store it in the
 * registry as ONNX (so backtests and trading serve it through onnxruntime: `backtest --strategy alpha_ml --param
 * models=ID`). This session's families: logreg; the tree learners of issue 8 plug into the same path.
 */
import { z } from 'zod';
import { DEFAULT_FEATURE_NAMES } from '../data/features/default-set.ts';
import { computeFeatures } from '../data/features/pipeline.ts';
import { direction } from '../data/features/labels.ts';
import { contentHash } from '../data/store.ts';
import { UsageError } from '../src/errors.ts';
import { num } from './format.ts';
import { loadRunSeries, seriesArgs } from './backtest.ts';
import { defineCommand } from './registry.ts';

export interface TrainOutput {
  model_id: number | null;
  model: string;
  label: { kind: 'direction'; horizon: number; dead_zone: number };
  features: number;
  /** features left out because they had no value anywhere */
  dropped: string[];
  rows: { train: number; test: number; purged: number; dead_zone: number };
  train_range: { from: string; to: string };
  test_range: { from: string; to: string };
  scores: { auc: number | null; accuracy: number | null; logloss: number | null; precision: number | null; recall: number | null; train_auc: number | null };
  train_seconds: number;
  /** cross-validation on the training period (--cv) */
  cv: { kind: string; folds: number; auc_mean: number | null; auc_sd: number | null; auc: (number | null)[] } | null;
  importance: { feature: string; weight: number }[];
}

const fin = (x: number) => (Number.isFinite(x) ? x : null);

export const train = defineCommand({
  name: 'train',
  summary: 'fit a model on features and a forward label, score it out of sample, store it in the registry (ONNX)',
  description:
    'Rows: every bar of the series where all features and the label exist. Label direction:H[:D]: 1 when the H-bar forward log return is above D, 0 when below −D, rows in between left out. The split is by time: the first --train-frac of the period trains, the rest tests; training rows whose label looks into the test period are purged.\n' +
    'Models: logreg (standardised features, L2, L-BFGS). The gradient-boosted trees of issue 8 are not built yet.',
  args: () =>
    z.object({
      ...seriesArgs(),
      model: z.string().default('logreg').describe('logreg'),
      label: z.string().default('direction:5').describe('direction:H[:DEAD_ZONE] (log return)'),
      only: z.string().optional().describe('features a,b,… (default: the 167 of the default set)'),
      trainFrac: z.number().gt(0).lt(1).default(0.8).describe('share of the period used for training'),
      lambda: z.number().min(0).default(1e-3).describe('L2 penalty (logreg)'),
      cv: z.enum(['none', 'purged', 'walkforward']).default('none').describe('cross-validate on the training period: purged k-fold with embargo, or walk-forward'),
      folds: z.number().int().min(2).default(5).describe('CV folds'),
      embargo: z.number().min(0).max(0.5).default(0.01).describe('purged CV: share of samples embargoed after each test fold'),
      name: z.string().optional().describe('registry name (default: model and symbols)'),
      save: z.boolean().default(true).describe('store the model in the registry (--no-save to only score it)'),
    }),
  examples: ['alphatrade train --symbol ORCL --model logreg --label direction:5 --json', 'alphatrade train --data prices.csv --only rsi_14,macd_hist_12_26_9,atr_14 --train-frac 0.7'],
  async run(ctx, a, progress): Promise<TrainOutput> {
    if (a.model !== 'logreg') throw new UsageError(`--model ${a.model} is not built yet`, 'this version trains logreg; gbdt, random_forest and the others arrive with issue 8');
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
    const dropped = names.filter((_, f) => !keep[f]);
    const used = names.filter((_, f) => keep[f]);
    const fidx = names.map((_, f) => f).filter((f) => keep[f]);
    // rows: features (column-major, concatenated over series), label, time, and the time the label ends at
    const cols: number[][] = used.map(() => []);
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
        for (const f of fidx) if (!(fm.columns[f][i] === fm.columns[f][i])) {
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
    if (y.length < 50) throw new UsageError(`only ${y.length} usable rows (features and label present): use more data or fewer features`);
    // time-ordered split at the --train-frac quantile of the rows' times
    const sorted = [...ts].sort((p, q) => p - q);
    const cut = sorted[Math.floor(a.trainFrac * (sorted.length - 1))];
    const trainRows: number[] = [];
    const testRows: number[] = [];
    let purged = 0;
    for (let r = 0; r < y.length; r++) {
      if (ts[r] > cut) testRows.push(r);
      else if (ends[r] > cut) purged++; // its label window reaches into the test period
      else trainRows.push(r);
    }
    if (testRows.length === 0 || trainRows.length === 0) throw new UsageError('the split left no training or no test rows: change --train-frac');
    const cols64 = cols.map((c) => Float64Array.from(c));
    const t0 = performance.now();
    progress({ job: 'train', phase: 'fitting', done: 0, total: 1 });
    const { fitLogReg, predictLogReg, logRegToOnnx } = await import('../models/logreg.ts');
    const model = fitLogReg(cols64, y, { lambda: a.lambda, rows: Int32Array.from(trainRows) });
    const seconds = (performance.now() - t0) / 1000;
    const { auc, classification, logLoss } = await import('../models/evaluate.ts');
    // cross-validation on the training rows in time order: purged k-fold (label windows overlapping a test fold are
    // dropped from its training, plus an embargo) or walk-forward
    let cv: TrainOutput['cv'] = null;
    if (a.cv !== 'none') {
      const { purgedKFold, walkForwardFolds } = await import('../models/purged-cv.ts');
      const ord = [...trainRows].sort((p, q) => ts[p] - ts[q] || p - q);
      const st = ord.map((r) => ts[r]);
      const en = ord.map((r) => ends[r]);
      const folds = a.cv === 'purged' ? purgedKFold(st, en, a.folds, a.embargo) : walkForwardFolds(st, en, a.folds);
      const aucs: number[] = [];
      for (const f of folds) {
        const tr2 = Int32Array.from(f.train, (i) => ord[i]);
        const te2 = Int32Array.from(f.test, (i) => ord[i]);
        if (tr2.length < 20) continue;
        const m2 = fitLogReg(cols64, y, { lambda: a.lambda, rows: tr2 });
        aucs.push(auc(predictLogReg(m2, cols64, te2), Array.from(te2, (r) => y[r])));
      }
      const mean = aucs.reduce((p, q) => p + q, 0) / aucs.length;
      const sd = Math.sqrt(aucs.reduce((p, q) => p + (q - mean) ** 2, 0) / Math.max(1, aucs.length - 1));
      cv = { kind: a.cv, folds: aucs.length, auc_mean: fin(mean), auc_sd: fin(sd), auc: aucs.map((x) => fin(x)) };
    }
    const pTest = predictLogReg(model, cols64, Int32Array.from(testRows));
    const yTest = testRows.map((r) => y[r]);
    const pTrain = predictLogReg(model, cols64, Int32Array.from(trainRows));
    const c = classification(pTest, yTest);
    const scores = { auc: fin(auc(pTest, yTest)), accuracy: fin(c.accuracy), logloss: fin(logLoss(pTest, yTest)), precision: fin(c.precision), recall: fin(c.recall), train_auc: fin(auc(pTrain, trainRows.map((r) => y[r]))) };
    const iso = (t: number) => new Date(t).toISOString();
    const tr = trainRows.map((r) => ts[r]);
    const te = testRows.map((r) => ts[r]);
    const importance = used.map((feature, f) => ({ feature, weight: model.w[f] })).sort((p, q) => Math.abs(q.weight) - Math.abs(p.weight));
    const out: TrainOutput = {
      model_id: null,
      model: 'logreg',
      label: { kind: 'direction', horizon: h, dead_zone: dead },
      features: used.length,
      dropped,
      rows: { train: trainRows.length, test: testRows.length, purged, dead_zone: deadRows },
      train_range: { from: iso(Math.min(...tr)), to: iso(Math.max(...tr)) },
      test_range: { from: iso(Math.min(...te)), to: iso(Math.max(...te)) },
      scores,
      train_seconds: seconds,
      cv,
      importance: importance.slice(0, 20),
    };
    if (a.save) {
      const { ModelRegistry } = await import('../models/registry.ts');
      const ws = ctx.workspace();
      const rec = new ModelRegistry(ws.db, ws.path('models'), ws.dir).save({
        name: a.name ?? `logreg ${series.map((s) => s.symbol).join(',')}`,
        kind: 'logreg',
        task: 'binary',
        features: used,
        meta: { label: out.label, train_range: out.train_range, test_range: out.test_range, rows: out.rows, params: { lambda: a.lambda, iterations: model.iterations }, scores, cv, importance, data_hash: Object.fromEntries(series.map((s) => [s.symbol, contentHash(s)])) },
        onnx: logRegToOnnx(model),
      });
      out.model_id = rec.id;
    }
    return out;
  },
  render: (r: TrainOutput) =>
    [
      `${r.model} on ${r.features} features · label direction over ${r.label.horizon} bars${r.label.dead_zone ? ` (dead zone ${r.label.dead_zone})` : ''}`,
      `train ${r.train_range.from.slice(0, 10)} → ${r.train_range.to.slice(0, 10)} (${r.rows.train.toLocaleString('en-US')} rows, ${r.rows.purged} purged) · test ${r.test_range.from.slice(0, 10)} → ${r.test_range.to.slice(0, 10)} (${r.rows.test.toLocaleString('en-US')} rows)`,
      `out of sample: AUC ${num(r.scores.auc, 3)} · accuracy ${num(r.scores.accuracy, 3)} · log-loss ${num(r.scores.logloss, 4)} · precision ${num(r.scores.precision, 3)} · recall ${num(r.scores.recall, 3)} (train AUC ${num(r.scores.train_auc, 3)}) · fitted in ${r.train_seconds.toFixed(2)} s`,
      r.cv ? `${r.cv.kind} CV on the training period, ${r.cv.folds} folds: AUC ${num(r.cv.auc_mean, 3)} ± ${num(r.cv.auc_sd, 3)}` : '',
      r.dropped.length ? `left out (no values): ${r.dropped.join(', ')}` : '',
      `largest weights: ${r.importance.slice(0, 5).map((x) => `${x.feature} ${x.weight >= 0 ? '+' : ''}${x.weight.toFixed(3)}`).join(', ')}`,
      r.model_id !== null ? `stored as model ${r.model_id} (backtest --strategy alpha_ml --param models=${r.model_id})` : '',
    ]
      .filter(Boolean)
      .join('\n'),
});
