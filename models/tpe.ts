/**
 * Seeded Tree-structured Parzen Estimator (TPE) sampler and two pruners (median, asynchronous successive halving),
 * after Optuna's univariate `TPESampler`, `MedianPruner` and `SuccessiveHalvingPruner`. Pure: no I/O, no clock, no
 * Math.random. Ours rather than an npm package: the registry has no maintained, seedable TPE (`hyperparameters` is a
 * 2018-era hyperopt-style port whose source offers random and grid search only; `hyperopt` is a native dlib binding
 * for global optimisation, not TPE, and needs a C++ build; there is no `optuna` package).
 *
 * TPE, for trial `number` with the finished trials F (complete, and pruned as in Optuna; a history entry with the
 * same number is ignored):
 * - |F| < nStartupTrials (pruned trials count, as in Optuna): independent uniform draws (log-uniform for log params, uniform over the grid for ints/steps).
 * - otherwise rank F: complete trials by value (best first, ties by trial number), then pruned trials by (last step
 *   reported, descending; value there, best first; those that reported nothing last). Below = first γ(|F|) with
 *   γ(n) = min(⌈0.1 n⌉, 25); above = the rest. Running and failed trials are ignored (no constant liar).
 * - per parameter, independently, in the internal space u (u = ln x for log params; for log ints the range is
 *   [ln(low − ½), ln(high + ½)]; for steps the range is widened by step/2 each side): Parzen estimators l (below)
 *   and g (above) are mixtures of Gaussians truncated to [lo, hi], one per observation μᵢ plus a prior at
 *   (lo + hi)/2 with σ = hi − lo. Observation weights: 1 each when fewer than 25, else Optuna's ramp (oldest
 *   n − 25 from 1/n up to 1, the newest 25 at 1); the prior weighs priorWeight; all normalised.
 *   σᵢ = max distance to the neighbours in sorted [lo, μ…, prior, hi] (without considerEndpoints the outermost use
 *   their inner neighbour only), clipped to [(hi − lo)/min(100, 1 + n + 1), hi − lo] (Optuna's magic clip).
 *   Discrete params (ints, steps) use the mass of each grid cell [x − step/2, x + step/2] instead of the density.
 * - nEiCandidates draws from l; the one maximising log l(x) − log g(x) wins (first on ties); then rounded to the grid.
 * - categoricals: kernel i is the frequency row (priorWeight/K everywhere, +1 at the observed choice), normalised;
 *   the prior kernel is uniform; the mixture uses the same kernel weights as above.
 * Each trial's Rng is derived from (seed, number), so suggestions do not depend on call order.
 * Differences from Optuna: one Rng stream per trial (parameters drawn in the space's key order); the default seed is
 * 0, not random; erfc is a 1e-7-accurate approximation; no multivariate/group/constant-liar options.
 *
 * Pruners are stateless (they read everything from the history):
 * - MedianPruner: prunes when the trial's value at `step` is worse than the median (mean of the middle two for even
 *   counts) of the values other finished (complete or pruned) trials reported at that same step, once there are
 *   ≥ nStartupTrials finished trials and step ≥ nWarmupSteps; NaN is pruned. Optuna instead compares the trial's
 *   best value so far with completed trials only and counts only completed ones for the start-up.
 * - SuccessiveHalvingPruner: rung k sits at r_k = minResource · η^(k + minEarlyStoppingRate). A trial's rung-k value is
 *   its value at the first step it reported ≥ r_k (Optuna records it at that report). At such a report the trial
 *   competes with every other trial's (any state) rung-k value plus its own: with n values, it is kept iff its value is at least
 *   as good as the ⌊n/η⌋-th best (the best when n < η, as Optuna). Steps that are not a trial's first report past a
 *   rung never prune.
 */
import { Rng } from '../src/rng.ts';

export type ParamSpec =
  | { type: 'float'; low: number; high: number; log?: boolean; step?: number }
  | { type: 'int'; low: number; high: number; log?: boolean; step?: number }
  | { type: 'categorical'; choices: (string | number | boolean)[] };
export type SearchSpace = Record<string, ParamSpec>;
export type Params = Record<string, string | number | boolean>;
export interface TrialRecord {
  number: number;
  params: Params;
  state: 'complete' | 'pruned' | 'running' | 'failed';
  value?: number;
  /** intermediate values by step (e.g. boosting round) */
  intermediate?: Record<number, number>;
}
/** Defaults: seed 0, nStartupTrials 10, nEiCandidates 24, gamma n ↦ min(⌈0.1 n⌉, 25), minimize, priorWeight 1, no endpoints. */
export interface TpeOptions {
  seed?: number; nStartupTrials?: number; nEiCandidates?: number; gamma?: (n: number) => number;
  direction?: 'minimize' | 'maximize'; priorWeight?: number; considerEndpoints?: boolean;
}
type Direction = 'minimize' | 'maximize';
type NumericSpec = Exclude<ParamSpec, { type: 'categorical' }>;

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const SQRT1_2 = Math.SQRT1_2;

/** ln erfc(x) for x ≥ 0 (Numerical Recipes' erfcc, relative error < 1.2e-7), finite for any x. */
function logErfc(x: number): number {
  const t = 1 / (1 + 0.5 * x);
  const p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 +
    t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  return Math.log(t) - x * x + p;
}
/** ln(Φ(b) − Φ(a)) for standard-normal z-scores a < b, accurate in both tails. */
function logMass(a: number, b: number): number {
  if (b <= 0) return logMass(-b, -a);
  if (a >= 0) {
    const la = logErfc(a * SQRT1_2), lb = logErfc(b * SQRT1_2);
    const d = -Math.expm1(lb - la);
    return d > 1e-12 ? Math.log(0.5) + la + Math.log(d) : -0.5 * ((a + b) / 2) ** 2 - LOG_SQRT_2PI + Math.log(b - a);
  }
  return Math.log1p(-0.5 * Math.exp(logErfc(-a * SQRT1_2)) - 0.5 * Math.exp(logErfc(b * SQRT1_2)));
}
function logSumExp(xs: number[]): number {
  const m = Math.max(...xs);
  if (m === -Infinity) return m;
  let s = 0;
  for (const x of xs) s += Math.exp(x - m);
  return m + Math.log(s);
}
function decimals(x: number): number {
  const s = String(x);
  const e = s.match(/e-(\d+)$/);
  if (e) return Number(e[1]);
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}
const defaultGamma = (n: number) => Math.min(Math.ceil(0.1 * n), 25);
function rampWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = Array.from({ length: n - 25 }, (_, i) => (n - 25 === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (n - 26)));
  return [...ramp, ...new Array<number>(25).fill(1)];
}
function pick(rng: Rng, w: readonly number[]): number {
  let u = rng.next() * w.reduce((s, x) => s + x, 0);
  for (let i = 0; i < w.length; i++) if ((u -= w[i]) < 0) return i;
  return w.length - 1;
}

/** A numeric parameter in the internal space: range [lo, hi] (grid cells included), grid step or 0, and back-mapping. */
interface Numeric { lo: number; hi: number; step: number; toU(x: number): number; fromU(u: number): number }
function numeric(name: string, p: NumericSpec): Numeric {
  const { low, log } = p;
  if (!(Number.isFinite(low) && Number.isFinite(p.high) && low <= p.high)) throw new Error(`param "${name}": need finite low <= high`);
  if (log && low <= 0) throw new Error(`param "${name}": log scale needs low > 0`);
  const step = p.step ?? (p.type === 'int' ? 1 : 0);
  if (!(step >= 0) || (p.type === 'int' && (!Number.isInteger(step) || !Number.isInteger(low) || !Number.isInteger(p.high) || step < 1)))
    throw new Error(`param "${name}": int bounds and step must be integers, step >= 1`);
  if (log && step && !(p.type === 'int' && step === 1)) throw new Error(`param "${name}": log scale cannot have a step`);
  if (log) {
    const pad = p.type === 'int' ? 0.5 : 0;
    const high = p.type === 'int' ? Math.floor(p.high) : p.high;
    return {
      lo: Math.log(low - pad), hi: Math.log(high + pad), step: 0, toU: Math.log,
      fromU: (u) => Math.min(high, Math.max(low, p.type === 'int' ? Math.round(Math.exp(u)) : Math.exp(u))),
    };
  }
  if (!step) return { lo: low, hi: p.high, step: 0, toU: (x) => x, fromU: (u) => Math.min(p.high, Math.max(low, u)) };
  const k = Math.floor((p.high - low) / step + 1e-9), d = Math.max(decimals(low), decimals(step));
  const onGrid = (i: number) => (d > 0 && d <= 15 ? Number((low + i * step).toFixed(d)) : low + i * step);
  const high = onGrid(k);
  return {
    lo: low - step / 2, hi: high + step / 2, step, toU: (x) => x,
    fromU: (u) => onGrid(Math.min(k, Math.max(0, Math.round((u - low) / step)))),
  };
}

/** Truncated Gaussian mixture over [lo, hi]; with step > 0, log of the mass of the grid cell around u. */
class Parzen {
  private readonly logW: number[];
  constructor(readonly mus: number[], readonly sigmas: number[], readonly w: number[], readonly n: Numeric) {
    const s = w.reduce((a, b) => a + b, 0);
    this.logW = w.map((x) => Math.log(x / s));
  }
  static fit(obs: number[], weights: number[], n: Numeric, priorWeight: number, considerEndpoints: boolean): Parzen {
    const { lo, hi } = n, prior = 0.5 * (lo + hi), width = hi - lo;
    const mus = [...obs, prior];
    const order = mus.map((_, i) => i).sort((a, b) => mus[a] - mus[b]);
    const sorted = [lo, ...order.map((i) => mus[i]), hi];
    const sig = new Array<number>(mus.length);
    order.forEach((idx, j) => {
      const left = sorted[j + 1] - sorted[j], right = sorted[j + 2] - sorted[j + 1];
      let s = Math.max(left, right);
      if (!considerEndpoints && mus.length >= 2) {
        if (j === 0) s = right;
        else if (j === mus.length - 1) s = left;
      }
      sig[idx] = s;
    });
    const minS = width / Math.min(100, 1 + mus.length);
    const sigmas = sig.map((s) => Math.min(width, Math.max(minS, s)));
    sigmas[sigmas.length - 1] = width;
    return new Parzen(mus, sigmas, [...weights, priorWeight], n);
  }
  sample(rng: Rng): number {
    const i = pick(rng, this.w), { lo, hi } = this.n;
    for (let t = 0; t < 1000; t++) {
      const x = this.mus[i] + this.sigmas[i] * rng.normal();
      if (x >= lo && x <= hi) return x;
    }
    return lo + rng.next() * (hi - lo);
  }
  logPdf(u: number): number {
    const { lo, hi, step } = this.n;
    return logSumExp(this.mus.map((mu, i) => {
      const s = this.sigmas[i], norm = logMass((lo - mu) / s, (hi - mu) / s);
      if (step > 0) return this.logW[i] + logMass((u - step / 2 - mu) / s, (u + step / 2 - mu) / s) - norm;
      return this.logW[i] - 0.5 * ((u - mu) / s) ** 2 - Math.log(s) - LOG_SQRT_2PI - norm;
    }));
  }
}

export class TpeSampler {
  private readonly o: Required<Omit<TpeOptions, 'gamma'>> & { gamma: (n: number) => number };
  private readonly num: Record<string, Numeric> = {};
  constructor(private readonly space: SearchSpace, o: TpeOptions = {}) {
    this.o = {
      seed: o.seed ?? 0, nStartupTrials: o.nStartupTrials ?? 10, nEiCandidates: o.nEiCandidates ?? 24,
      gamma: o.gamma ?? defaultGamma, direction: o.direction ?? 'minimize', priorWeight: o.priorWeight ?? 1,
      considerEndpoints: o.considerEndpoints ?? false,
    };
    for (const [name, p] of Object.entries(space)) {
      if (p.type === 'categorical') {
        if (!p.choices.length) throw new Error(`param "${name}": no choices`);
      } else this.num[name] = numeric(name, p);
    }
  }

  /** Parameters for trial `number`; see the module comment. Pruned trials are ranked after complete ones, as Optuna. */
  suggest(number: number, history: readonly TrialRecord[]): Params {
    const { seed, nStartupTrials, direction } = this.o;
    let h = Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul(number + 1, 0x9e3779b1);
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
    const rng = new Rng((h ^ (h >>> 13)) >>> 0);
    const ranked = rankFinished(history.filter((t) => t.number !== number), direction);
    const out: Params = {};
    if (ranked.length < nStartupTrials) {
      for (const [name, p] of Object.entries(this.space)) {
        if (p.type === 'categorical') out[name] = p.choices[Math.floor(rng.next() * p.choices.length)];
        else {
          const n = this.num[name];
          out[name] = n.fromU(n.lo + rng.next() * (n.hi - n.lo));
        }
      }
      return out;
    }
    const nBelow = Math.max(0, Math.min(ranked.length, Math.floor(this.o.gamma(ranked.length))));
    const byNumber = (a: TrialRecord, b: TrialRecord) => a.number - b.number;
    const below = ranked.slice(0, nBelow).sort(byNumber), above = ranked.slice(nBelow).sort(byNumber);
    for (const [name, p] of Object.entries(this.space)) out[name] = this.sampleParam(name, p, below, above, rng);
    return out;
  }

  private sampleParam(name: string, p: ParamSpec, below: TrialRecord[], above: TrialRecord[], rng: Rng): string | number | boolean {
    const { priorWeight, nEiCandidates } = this.o;
    if (p.type === 'categorical') {
      const K = p.choices.length;
      const mix = (ts: TrialRecord[]) => {
        const idx = ts.map((t) => p.choices.indexOf(t.params[name])).filter((i) => i >= 0);
        const w = [...rampWeights(idx.length), priorWeight], total = w.reduce((a, b) => a + b, 0);
        const pk = new Array<number>(K).fill(priorWeight / total / K); // the prior kernel: uniform
        const fill = priorWeight / (idx.length + 1);
        idx.forEach((c, i) => {
          for (let k = 0; k < K; k++) pk[k] += ((w[i] / total) * (fill + (k === c ? 1 : 0))) / (K * fill + 1);
        });
        return pk;
      };
      const l = mix(below), g = mix(above);
      let best = -1, bestScore = -Infinity;
      for (let c = 0; c < nEiCandidates; c++) {
        const k = pick(rng, l), score = Math.log(l[k]) - Math.log(g[k]);
        if (score > bestScore || best < 0) [best, bestScore] = [k, score];
      }
      return p.choices[best];
    }
    const n = this.num[name], o = this.o;
    const fit = (ts: TrialRecord[]) => {
      const obs = ts.map((t) => t.params[name]).filter((x): x is number => typeof x === 'number').map(n.toU)
        .filter((u) => u >= n.lo && u <= n.hi); // values outside the current space are ignored, as Optuna
      return Parzen.fit(obs, rampWeights(obs.length), n, priorWeight, o.considerEndpoints);
    };
    const l = fit(below), g = fit(above);
    let best = NaN, bestScore = -Infinity;
    for (let c = 0; c < nEiCandidates; c++) {
      const u = n.step > 0 ? n.toU(n.fromU(l.sample(rng))) : l.sample(rng);
      const score = l.logPdf(u) - g.logPdf(u);
      if (score > bestScore || Number.isNaN(best)) [best, bestScore] = [u, score];
    }
    return n.fromU(best);
  }
}

/** Order by quality: < 0 when a is better than b, > 0 when worse. */
const cmp = (a: number, b: number, d: Direction): number => (d === 'minimize' ? a - b : b - a);
function lastStep(t: TrialRecord): number | undefined {
  const steps = Object.keys(t.intermediate ?? {}).map(Number).filter((s) => Number.isFinite(t.intermediate![s]));
  return steps.length ? Math.max(...steps) : undefined;
}
/** Complete trials best first, then pruned ones (furthest step first, then value there); Optuna's `_split_trials`. */
function rankFinished(history: readonly TrialRecord[], d: Direction): TrialRecord[] {
  const complete = history.filter((t) => t.state === 'complete' && Number.isFinite(t.value));
  complete.sort((a, b) => cmp(a.value!, b.value!, d) || a.number - b.number);
  const pruned = history.filter((t) => t.state === 'pruned').map((t) => ({ t, s: lastStep(t) }));
  pruned.sort((a, b) => {
    if (a.s === undefined || b.s === undefined) return (a.s === undefined ? 1 : 0) - (b.s === undefined ? 1 : 0) || a.t.number - b.t.number;
    return b.s - a.s || cmp(a.t.intermediate![a.s], b.t.intermediate![b.s], d) || a.t.number - b.t.number;
  });
  return [...complete, ...pruned.map((x) => x.t)];
}

/** Parse "name=int:8:128:log,lr=float:0.01:0.3:log,ff=float:0.5:1:step=0.1,growth=cat:leafwise|depthwise". */
export function parseSpace(text: string): SearchSpace {
  const space: SearchSpace = {};
  for (const raw of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const bad = (why: string): never => { throw new Error(`bad search-space entry "${raw}": ${why}`); };
    const eq = raw.indexOf('=');
    const name = raw.slice(0, eq).trim();
    if (eq <= 0 || !name) bad('expected name=type:...');
    if (name in space) bad(`duplicate parameter "${name}"`);
    const [type, ...rest] = raw.slice(eq + 1).split(':').map((s) => s.trim());
    if (type === 'cat' || type === 'categorical') {
      const choices = rest.join(':').split('|').map((s) => s.trim());
      if (!choices.length || choices.some((c) => !c)) bad('expected cat:a|b|c with non-empty choices');
      if (new Set(choices).size !== choices.length) bad('duplicate choices');
      space[name] = { type: 'categorical', choices: choices.map((c) => (c === 'true' ? true : c === 'false' ? false : c !== '' && Number.isFinite(Number(c)) ? Number(c) : c)) };
      continue;
    }
    if (type !== 'int' && type !== 'float') bad(`unknown type "${type}" (use int, float or cat)`);
    if (rest.length < 2) bad(`expected ${type}:low:high[:log][:step=S]`);
    const [low, high] = rest.slice(0, 2).map((s) => (s === '' || !Number.isFinite(Number(s)) ? bad(`"${s}" is not a number`) : Number(s)));
    const spec: NumericSpec = { type: type as 'int' | 'float', low, high };
    for (const flag of rest.slice(2)) {
      if (flag === 'log') spec.log = true;
      else if (/^step=/.test(flag) && Number(flag.slice(5)) > 0) spec.step = Number(flag.slice(5));
      else bad(`unknown option "${flag}" (use log or step=S)`);
    }
    try { numeric(name, spec); } catch (e) { bad((e as Error).message); }
    space[name] = spec;
  }
  if (!Object.keys(space).length) throw new Error('empty search space');
  return space;
}

export interface Pruner { shouldPrune(trial: TrialRecord, step: number, history: readonly TrialRecord[]): boolean }

export class MedianPruner implements Pruner {
  private readonly nStartup: number; private readonly nWarmup: number; private readonly dir: Direction;
  constructor(o: { nStartupTrials?: number; nWarmupSteps?: number; direction?: Direction } = {}) {
    [this.nStartup, this.nWarmup, this.dir] = [o.nStartupTrials ?? 5, o.nWarmupSteps ?? 0, o.direction ?? 'minimize'];
  }
  shouldPrune(trial: TrialRecord, step: number, history: readonly TrialRecord[]): boolean {
    const v = trial.intermediate?.[step];
    if (v === undefined || step < this.nWarmup) return false;
    const finished = history.filter((t) => t.number !== trial.number && (t.state === 'complete' || t.state === 'pruned'));
    if (finished.length < this.nStartup || finished.length === 0) return false;
    if (Number.isNaN(v)) return true;
    const vals = finished.map((t) => t.intermediate?.[step]).filter((x): x is number => x !== undefined && !Number.isNaN(x));
    if (!vals.length) return false;
    vals.sort((a, b) => a - b);
    const m = vals.length >> 1, median = vals.length % 2 ? vals[m] : (vals[m - 1] + vals[m]) / 2;
    return cmp(v, median, this.dir) > 0;
  }
}

export class SuccessiveHalvingPruner implements Pruner {
  private readonly minResource: number; private readonly eta: number; private readonly rate: number; private readonly dir: Direction;
  constructor(o: { minResource?: number; reductionFactor?: number; minEarlyStoppingRate?: number; direction?: Direction } = {}) {
    [this.minResource, this.eta, this.rate] = [o.minResource ?? 1, o.reductionFactor ?? 3, o.minEarlyStoppingRate ?? 0];
    this.dir = o.direction ?? 'minimize';
    if (!(this.minResource > 0 && this.eta >= 2 && this.rate >= 0)) throw new Error('SuccessiveHalvingPruner: need minResource > 0, reductionFactor >= 2, minEarlyStoppingRate >= 0');
  }
  /** The step of rung k: minResource · reductionFactor^(k + minEarlyStoppingRate). */
  rungStep(k: number): number { return this.minResource * this.eta ** (k + this.rate); }
  /** A trial's value at its first reported step ≥ the step of rung k, if any. */
  private rungValue(t: TrialRecord, k: number): number | undefined {
    const steps = Object.keys(t.intermediate ?? {}).map(Number).filter((s) => s >= this.rungStep(k));
    return steps.length ? t.intermediate![Math.min(...steps)] : undefined;
  }
  shouldPrune(trial: TrialRecord, step: number, history: readonly TrialRecord[]): boolean {
    const v = trial.intermediate?.[step];
    if (v === undefined) return false;
    const earlier = Object.keys(trial.intermediate!).map(Number).filter((s) => s < step);
    for (let k = 0; this.rungStep(k) <= step; k++) {
      const r = this.rungStep(k);
      if (earlier.some((s) => s >= r)) continue; // this rung was judged at an earlier report
      if (Number.isNaN(v)) return true;
      const vals = [v];
      for (const t of history) {
        const x = t.number === trial.number ? undefined : this.rungValue(t, k);
        if (x !== undefined && !Number.isNaN(x)) vals.push(x);
      }
      vals.sort((a, b) => cmp(a, b, this.dir));
      const idx = Math.max(0, Math.floor(vals.length / this.eta) - 1);
      if (cmp(v, vals[idx], this.dir) > 0) return true;
    }
    return false;
  }
}
