/**
 * alpha_ml — trade the averaged class-1 probability of registry models (ours or imported ONNX): long when it is at
 * least `threshold`, flat below, and with `short=true` short when it is at most 1 − `threshold`.
 *
 * Inference runs once per run, before the bars are replayed (`prepareAlphaMl`): the models' features are computed
 * for the whole series by the feature pipeline — each feature at bar i uses bars ≤ i only, so this is the same value
 * a live run computes bar by bar — and fed to onnxruntime in batches; the strategy then reads bar i's probability
 * when bar i closes. Rows where any of a model's features is still in its warm-up (NaN) give no probability and
 * no decision. Orders change only when the target changes (like the built-ins' `moveTo`), in both engines.
 */
import { computeFeatures } from '../data/features/pipeline.ts';
import { bool, num, str } from '../engine/params.ts';
import { moveTo } from '../engine/strategies/common.ts';
import type { ParamValues, SparseTargets, Strategy } from '../engine/strategy.ts';
import { defineStrategy } from '../engine/strategy.ts';
import type { Workspace } from '../src/workspace.ts';
import { UsageError } from '../src/errors.ts';
import type { BarSeries } from '../src/types.ts';
import { ModelRegistry } from './registry.ts';

const BATCH = 65_536;

const PARAMS = {
  models: { type: 'string' as const, default: '', description: 'registry model ids, comma-separated (alphatrade models list)' },
  threshold: { type: 'float' as const, default: 0.55, min: 0.5, max: 1, step: 0.01, description: 'long when the mean probability is at least this' },
  short: { type: 'bool' as const, default: false, description: 'also short when the probability is at most 1 − threshold' },
};

/** The target (−1, 0, +1) for a probability, or NaN when there is none. */
export function mlTarget(p: number, threshold: number, short: boolean): number {
  if (!(p === p)) return NaN;
  if (p >= threshold) return 1;
  if (short && p <= 1 - threshold) return -1;
  return 0;
}

/** The registered strategy: it must be prepared (models loaded, probabilities computed) before a run. */
export const alphaMl: Strategy & { prepare(ws: Workspace, series: BarSeries[], params: ParamValues): Promise<Strategy> } = {
  ...defineStrategy({
    name: 'alpha_ml',
    description: 'Mean class-1 probability of registry models: long at or above threshold, flat below; short=true also shorts at or below 1 − threshold. Needs --param models=ID[,ID…].',
    universe: 'single',
    params: PARAMS,
    init() {
      throw new Error('alpha_ml runs through its prepare step (the backtest command does it)');
    },
  }),
  prepare: prepareAlphaMl,
};

/** Load the models, compute their features and probabilities for every series, and bind the strategy to them. */
export async function prepareAlphaMl(ws: Workspace, series: BarSeries[], params: ParamValues): Promise<Strategy> {
  const ids = str(params, 'models')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map(Number);
  if (ids.length === 0 || ids.some((x) => !(Number.isInteger(x) && x > 0))) throw new UsageError('alpha_ml needs --param models=ID[,ID…] (alphatrade models list)');
  const reg = new ModelRegistry(ws.db, ws.path('models'), ws.dir);
  const ort = await import('onnxruntime-node');
  const probs = series.map((s) => new Float64Array(s.ts.length).fill(0));
  const counts = series.map((s) => new Uint16Array(s.ts.length));
  for (const id of ids) {
    const m = reg.get(id);
    if (m.task !== 'binary') throw new UsageError(`model ${id} is a ${m.task} model; alpha_ml averages classifiers' probabilities`);
    const session = await ort.InferenceSession.create(reg.bytes(id));
    try {
      const F = m.features.length;
      for (let k = 0; k < series.length; k++) {
        const S = series[k];
        const fm = computeFeatures(S, m.features);
        const n = S.ts.length;
        for (let from = 0; from < n; from += BATCH) {
          const to = Math.min(n, from + BATCH);
          const rows = new Float32Array((to - from) * F);
          const ok = new Uint8Array(to - from).fill(1);
          for (let f = 0; f < F; f++) {
            const col = fm.columns[f];
            for (let i = from; i < to; i++) {
              const x = col[i];
              if (!(x === x)) ok[i - from] = 0;
              rows[(i - from) * F + f] = x;
            }
          }
          const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', rows, [to - from, F]) });
          const name = session.outputNames.includes('probabilities') ? 'probabilities' : session.outputNames[session.outputNames.length - 1];
          const t = out[name];
          const width = t.dims.length === 2 ? Number(t.dims[1]) : 1;
          const data = t.data as Float32Array;
          // the class-1 probability: column 1 of [N, 2] (ORT's `label` thresholds it and is not used)
          for (let i = from; i < to; i++) {
            if (!ok[i - from]) continue;
            probs[k][i] += data[(i - from) * width + (width >= 2 ? 1 : 0)];
            counts[k][i]++;
          }
        }
      }
    } finally {
      await session.release();
    }
  }
  const mean = probs.map((p, k) => Float64Array.from(p, (x, i) => (counts[k][i] === ids.length ? x / ids.length : NaN)));
  return probabilityStrategy(series, mean);
}

/**
 * alpha_ml bound to given probabilities (one column per series, NaN = no decision at that bar): used after
 * inference, and by `train` to backtest a fresh model's out-of-sample signal.
 */
export function probabilityStrategy(series: BarSeries[], mean: Float64Array[]): Strategy {
  const bySymbol = new Map(series.map((s, k) => [s, mean[k]]));
  return defineStrategy({
    name: 'alpha_ml',
    description: alphaMl.description,
    universe: 'single',
    params: PARAMS,
    init(ctx) {
      const threshold = num(ctx.params, 'threshold');
      const short = bool(ctx.params, 'short');
      const st = new Int8Array(ctx.symbols.length);
      const cols = ctx.symbols.map((_, s) => mean[s]);
      return {
        onBar(c) {
          for (let u = 0; u < c.nUpdated; u++) {
            const s = c.updated[u];
            const t = mlTarget(cols[s][c.count(s) - 1], threshold, short);
            if (t === t) st[s] = moveTo(c, s, st[s], t);
          }
        },
      };
    },
    vectorized({ series: ss }, p) {
      const threshold = num(p, 'threshold');
      const short = bool(p, 'short');
      return ss.map((S, k) => {
        const pr = bySymbol.get(S) ?? mean[k];
        const index: number[] = [];
        const value: number[] = [];
        let last = 0;
        for (let i = 0; i < pr.length; i++) {
          const t = mlTarget(pr[i], threshold, short);
          if (t === t && t !== last) {
            index.push(i);
            value.push(t);
            last = t;
          }
        }
        return { kind: 'sparse', length: pr.length, index: Int32Array.from(index), value: Float64Array.from(value), count: index.length } satisfies SparseTargets;
      });
    },
  });
}
