/**
 * Portfolio rebalancing backtests: an optimiser from engine/optimize (max Sharpe, min volatility, efficient return /
 * risk, risk parity, HRP, Black-Litterman, equal weight, inverse volatility) run on a schedule inside the event engine
 * as an ordinary `universe` strategy, so fills, commission, slippage and the equity curve are the engine's own.
 *
 * Schedule (`parseRebalance`):
 *   weekly | monthly | quarterly   the first bar of a new ISO week (Monday-based) / calendar month / quarter, read in
 *                                  the strategy's time zone (param `tz`, default UTC; pass the series' zone), i.e. a
 *                                  step whose period differs from the previous step's;
 *   threshold:X                    at any bar where some symbol's weight (position × its last close / equity) is
 *                                  MORE than X (a fraction: 0.05 = 5 percentage points) away from its target, checked
 *                                  at every bar's close while no order is pending;
 *   monthly+threshold:0.05         either rule.
 * Before its first successful optimisation the strategy holds cash and tries at every bar (reason `initial`) from the
 * first bar at which some symbol has `min_history` bars (default: `lookback`). Nothing is placed on the data's last
 * bar (an order placed there could not fill).
 *
 * A rebalance at bar t: the symbols with at least `min_history` bars so far and a last close > 0 (and, except for
 * `equal`, at least 2 finite returns in the window) are optimised on the simple returns of the last `lookback` steps
 * of the run's timeline UP TO AND INCLUDING t (pandas pct_change without filling gaps: a return is NaN when either
 * close is missing; rows where every return is NaN are dropped) — nothing after t is read, and the context refuses
 * to read it anyway. Other symbols get weight 0. Then: open orders are canceled, and a `targetWeight` order is placed
 * for every symbol that is held or has a target > 0 (reductions first), tagged `rebalance`; the engine fills them at
 * each symbol's next bar (next open by default) with the run's commission, slippage and sizing, selling before buying.
 * If the optimiser fails (e.g. max Sharpe when no asset's expected return beats rf, an unreachable efficient-return
 * target), the current holdings are kept and the attempt is recorded with its error.
 *
 * Record of decisions: the strategy object returned by `rebalanceStrategy` has a `history` ({ symbols, records }),
 * reset at every `init` (each run) and filled with one `RebalanceRecord` per rebalance (time, reason, drift, target
 * weights per symbol, or the error); each rebalance also writes one line to the run's log (`ctx.log`). Read
 * `strategy.history` after `runStrategy` returns (in the same thread as the run).
 *
 * How the engine's sizing shows here: a targetWeight order is sized when it fills, from equity valued at the symbols'
 * marks at that moment (their previous closes, or the current close of symbols matched earlier in the same step), not
 * at the fill bar's opens. After a gap down every order of a rebalance can come out as a buy and the last ones find no
 * cash; and an order whose target is already met within a whole share is sized 0. Both end `canceled` (`zero_qty`)
 * and show in the run's rejections; the threshold rule then fires again while the drift remains.
 *
 * Wide price tables (date column + one column per ticker, e.g. PyPortfolioOpt's stock_prices.csv) become bar series
 * with `seriesFromWidePrices`: O = H = L = C = the price, volume NaN (unknown).
 */
import { UsageError } from '../src/errors.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import type { BarSeries } from '../src/types.ts';
import { checkTz, formatTs, utcToWall, wallToUtc } from '../src/tz.ts';
import { assetBounds, fitBounds, fraction, METHOD_HELP, optimizePortfolio, parseMethod, type MethodSpec } from './optimize/index.ts';

export { fitBounds, METHOD_HELP, parseMethod, type MethodSpec };
import { num } from './params.ts';
import { defineStrategy, type Strategy, type StrategyContext } from './strategy.ts';

export type CalendarRule = 'weekly' | 'monthly' | 'quarterly';

export interface RebalanceSpec {
  calendar?: CalendarRule;
  /** rebalance when some weight is more than this (fraction, 0 < x < 1) away from its target */
  threshold?: number;
  /** canonical text: 'monthly', 'threshold:0.05', 'monthly+threshold:0.05' */
  spec: string;
}

export const REBALANCE_HELP = 'weekly | monthly | quarterly | threshold:X (drift of any weight beyond X, e.g. 0.05 or 5%) | monthly+threshold:0.05 (either)';

function badRebalance(spec: string, why: string): UsageError {
  return new UsageError(`bad --rebalance '${spec}': ${why}; use ${REBALANCE_HELP}`);
}

/** Parse a rebalancing schedule (case-insensitive). Throws UsageError listing the forms. */
export function parseRebalance(spec: string): RebalanceSpec {
  const parts = spec.trim().toLowerCase().split('+').map((p) => p.trim());
  let calendar: CalendarRule | undefined;
  let threshold: number | undefined;
  for (const p of parts) {
    if (p === 'weekly' || p === 'monthly' || p === 'quarterly') {
      if (calendar) throw badRebalance(spec, 'give at most one calendar rule');
      calendar = p;
      continue;
    }
    const m = /^(?:threshold|drift):(.+)$/.exec(p);
    if (m) {
      if (threshold !== undefined) throw badRebalance(spec, 'give at most one threshold');
      const x = fraction(m[1]);
      if (!(x > 0 && x < 1)) throw badRebalance(spec, `the threshold is a fraction of equity, 0 < X < 1 (0.05 = 5 percentage points), got '${m[1]}'`);
      threshold = x;
      continue;
    }
    throw badRebalance(spec, p === '' ? 'empty schedule' : `unknown schedule '${p}'`);
  }
  const text = [calendar, threshold !== undefined ? `threshold:${threshold}` : undefined].filter(Boolean).join('+');
  return { ...(calendar ? { calendar } : {}), ...(threshold !== undefined ? { threshold } : {}), spec: text };
}

const DAY_MS = 86_400_000;

/** The calendar period (week, month or quarter) containing t, in tz, as an integer key. */
export function periodKey(t: number, rule: CalendarRule, tz = 'UTC'): number {
  const wall = tz === 'UTC' ? t : utcToWall(t, tz);
  if (rule === 'weekly') return Math.floor((Math.floor(wall / DAY_MS) + 3) / 7); // 1970-01-01 was a Thursday
  const d = new Date(wall);
  const m = d.getUTCFullYear() * 12 + d.getUTCMonth();
  return rule === 'monthly' ? m : Math.floor(m / 3);
}

// ------------------------------------------------------------------ weights

export interface OptimizeOptions {
  /** annual risk-free rate for max Sharpe and Black-Litterman; default 0.02 */
  rf?: number;
  /** [lo, hi] for every asset; default [0, 1] (long only) */
  bounds?: readonly [number, number];
  /** covariance estimator; default 'sample' */
  covariance?: 'sample' | 'ledoit_wolf';
  /** periods per year for annualising μ and Σ; default 252 */
  periods?: number;
  /** asset names (one per column), to resolve Black-Litterman views and market caps by symbol */
  symbols?: readonly string[];
}

/**
 * Portfolio weights from a return history (one column per asset, NaN = missing, all the same length), by
 * engine/optimize's `optimizePortfolio` (the same estimates and methods as `portfolio optimize`): weights summing to 1
 * within `bounds` (default long only). One asset gets weight 1 whatever the method. Throws what the optimiser throws
 * (plain Error) when there is no solution, UsageError for a bad view or market cap.
 */
export function optimizeWeights(method: MethodSpec | string, returns: readonly Float64Array[], opts: OptimizeOptions = {}): Float64Array {
  const m = typeof method === 'string' ? parseMethod(method) : method;
  const n = returns.length;
  if (n === 0) throw new Error('optimizeWeights: no assets');
  const T = returns[0].length;
  for (const r of returns) if (r.length !== T) throw new Error(`optimizeWeights: return columns differ in length (${T} vs ${r.length})`);
  const [lo, hi] = opts.bounds ?? [0, 1];
  assetBounds(n, { bounds: [lo, hi] });
  if (n === 1) return Float64Array.of(1);
  if (m.kind !== 'equal' && T < 2) throw new Error(`${m.kind}: needs at least 2 returns per asset, got ${T}`);
  const symbols = opts.symbols ? [...opts.symbols] : returns.map((_, i) => String(i));
  const w = optimizePortfolio({ symbols, returns: [...returns], method: m, rf: opts.rf ?? 0.02, frequency: opts.periods ?? 252, covariance: opts.covariance, constraints: { bounds: [lo, hi] } }).weights;
  let s = 0;
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(w[i])) throw new Error(`${m.kind}: the optimiser gave a non-finite weight for asset ${opts.symbols?.[i] ?? i} (too little data?)`);
    s += w[i];
  }
  if (!(Math.abs(s - 1) < 1e-6)) throw new Error(`${m.kind}: weights sum to ${s}, not 1`);
  // exact sum 1, and solver dust inside the bounds
  for (let i = 0; i < n; i++) w[i] = Math.min(hi, Math.max(lo, w[i] / s));
  return w;
}

// ------------------------------------------------------------------ the strategy

export type RebalanceReason = 'initial' | 'calendar' | 'threshold';

export interface RebalanceRecord {
  /** the bar (step) at whose close the weights were chosen: epoch ms, its text in the strategy's zone, its index */
  t: number;
  time: string;
  step: number;
  reason: RebalanceReason;
  /** max |current weight − target| over the symbols just before this rebalance (absent for `initial`) */
  drift?: number;
  /** target weight per symbol (history.symbols order; 0 = not held). After an error: the unchanged previous target */
  weights: number[];
  /** how many symbols had enough history and were optimised */
  assets: number;
  /** the optimiser's error (nothing traded); consecutive identical failures are counted in `repeats` */
  error?: string;
  repeats?: number;
}

export interface RebalanceHistory {
  symbols: string[];
  records: RebalanceRecord[];
}

export interface RebalanceOptions {
  method: MethodSpec | string;
  rebalance: RebalanceSpec | string;
  /** steps of closes (including the current bar) the estimates use; default 252 */
  lookback?: number;
  /** bars a symbol needs before it is included; default = lookback */
  minHistory?: number;
  covariance?: 'sample' | 'ledoit_wolf';
  /** annual risk-free rate; default 0.02 */
  rf?: number;
  /** weight bounds per asset; default [0, 1] */
  bounds?: readonly [number, number];
  /** periods per year; default 252 */
  periods?: number;
  /** zone of the calendar rules; default 'UTC' (pass the series' tz) */
  tz?: string;
}

export type RebalanceStrategy = Strategy & { readonly history: RebalanceHistory };

const str = (p: Record<string, unknown>, k: string): string => String(p[k]);

/** Black-Litterman views and market caps limited to the symbols being optimised (the others have no history yet). */
function restrictTo(m: MethodSpec, names: readonly string[]): MethodSpec {
  if (m.kind !== 'black_litterman' || (!m.views && !m.marketCaps)) return m;
  const pick = (r: Readonly<Record<string, number>> | undefined) => (r ? Object.fromEntries(Object.entries(r).filter(([k]) => names.includes(k))) : undefined);
  return { ...m, views: pick(m.views), marketCaps: pick(m.marketCaps) };
}

/**
 * A `universe` strategy that rebalances a portfolio to an optimiser's weights on a schedule (see the module comment).
 * The options are the defaults of its parameters (method, rebalance, lookback, min_history, covariance, rf,
 * min_weight, max_weight, periods, tz), so `--param` and sweeps can override them. Read `history` after the run.
 */
export function rebalanceStrategy(opts: RebalanceOptions): RebalanceStrategy {
  const method0 = typeof opts.method === 'string' ? parseMethod(opts.method) : opts.method;
  const reb0 = typeof opts.rebalance === 'string' ? parseRebalance(opts.rebalance) : opts.rebalance;
  const lookback0 = opts.lookback ?? 252;
  if (!(Number.isInteger(lookback0) && lookback0 >= 1)) throw new UsageError(`--lookback must be a whole number ≥ 1, got ${lookback0}`);
  if (opts.minHistory !== undefined && !(Number.isInteger(opts.minHistory) && opts.minHistory >= 1)) throw new UsageError(`min history must be a whole number ≥ 1, got ${opts.minHistory}`);
  const bounds0 = opts.bounds ?? [0, 1];
  const tz0 = checkTz(opts.tz ?? 'UTC');
  const history: RebalanceHistory = { symbols: [], records: [] };

  const strategy = defineStrategy({
    name: 'rebalance',
    description: `Portfolio rebalancing: on each ${reb0.spec} rebalance, weights from ${method0.spec} on the last \`lookback\` bars of returns, traded with targetWeight orders at the next bar.`,
    universe: 'universe',
    params: {
      method: { type: 'string', default: method0.spec, description: `optimiser: ${METHOD_HELP}` },
      rebalance: { type: 'string', default: reb0.spec, description: `schedule: ${REBALANCE_HELP}` },
      lookback: { type: 'int', default: lookback0, min: 1, max: 100_000, step: 21, description: 'bars of closes (incl. the current one) the estimates use' },
      min_history: { type: 'int', default: opts.minHistory ?? 0, min: 0, max: 100_000, step: 21, description: 'bars a symbol needs before it is included (0 = lookback)' },
      covariance: { type: 'string', default: opts.covariance ?? 'sample', choices: ['sample', 'ledoit_wolf'], description: 'covariance estimator' },
      rf: { type: 'float', default: opts.rf ?? 0.02, min: -1, max: 1, step: 0.01, description: 'annual risk-free rate (max Sharpe, Black-Litterman)' },
      min_weight: { type: 'float', default: bounds0[0], min: -10, max: 1, step: 0.05, description: 'lower weight bound per asset' },
      max_weight: { type: 'float', default: bounds0[1], min: 0, max: 10, step: 0.05, description: 'upper weight bound per asset' },
      periods: { type: 'int', default: opts.periods ?? 252, min: 1, max: 1_000_000, step: 1, description: 'bars per year (annualisation)' },
      tz: { type: 'string', default: tz0, description: 'time zone of the calendar rules' },
    },
    init(ctx: StrategyContext) {
      const p = ctx.params;
      const method = str(p, 'method') === method0.spec ? method0 : parseMethod(str(p, 'method'));
      const reb = str(p, 'rebalance') === reb0.spec ? reb0 : parseRebalance(str(p, 'rebalance'));
      const L = num(p, 'lookback');
      const minHist = num(p, 'min_history') || L;
      const covariance = str(p, 'covariance') as 'sample' | 'ledoit_wolf';
      const rf = num(p, 'rf');
      const lo = num(p, 'min_weight');
      const hi = num(p, 'max_weight');
      const periods = num(p, 'periods');
      const tz = checkTz(str(p, 'tz'));
      const symbols = [...ctx.symbols];
      const n = symbols.length;
      assetBounds(n, { bounds: [lo, hi] }); // feasible for the whole universe (subsets are checked at each rebalance)
      if (method.kind === 'black_litterman') {
        for (const k of [...Object.keys(method.views ?? {}), ...Object.keys(method.marketCaps ?? {})]) {
          if (!symbols.includes(k)) throw new UsageError(`black_litterman: '${k}' is not one of the run's symbols (${symbols.join(', ')})`);
        }
        const caps = method.marketCaps;
        if (caps) for (const s of symbols) if (!(s in caps)) throw new UsageError(`black_litterman: no market cap for ${s} (give one for every symbol, or none for equal caps)`);
      }
      history.symbols = symbols;
      history.records = [];
      const records = history.records;

      // closes of the last L steps, per symbol (NaN where the symbol had no bar at that step)
      const ring = new Float64Array(n * L).fill(NaN);
      const target = new Float64Array(n);
      let invested = false;
      let step = -1;
      let prevKey = NaN;
      const eligible: number[] = [];

      const weightOf = (c: StrategyContext, s: number, eq: number): number => {
        const q = c.position(s);
        return q === 0 ? 0 : (q * c.close(s)) / eq;
      };
      const maxDrift = (c: StrategyContext): number => {
        const eq = c.equity;
        let d = 0;
        for (let s = 0; s < n; s++) d = Math.max(d, Math.abs(weightOf(c, s, eq) - target[s]));
        return d;
      };

      /** the window's returns for the eligible symbols (rows where all are NaN dropped) */
      const windowReturns = (W: number): Float64Array[] => {
        const cols = eligible.map((s) => {
          const r = new Float64Array(W - 1);
          for (let j = 1; j < W; j++) {
            const a = ring[s * L + ((step - W + j + L) % L)];
            const b = ring[s * L + ((step - W + 1 + j + L) % L)];
            r[j - 1] = b / a - 1;
          }
          return r;
        });
        const keep: number[] = [];
        for (let j = 0; j < W - 1; j++) if (cols.some((col) => col[j] === col[j])) keep.push(j);
        return keep.length === W - 1 ? cols : cols.map((col) => Float64Array.from(keep, (j) => col[j]));
      };

      const finiteCount = (col: Float64Array): number => {
        let k = 0;
        for (let j = 0; j < col.length; j++) if (col[j] === col[j]) k++;
        return k;
      };

      const describe = (w: ArrayLike<number>): string => {
        const parts: string[] = [];
        for (let s = 0; s < n; s++) if (w[s] !== 0) parts.push(`${symbols[s]} ${(w[s] * 100).toFixed(2)}%`);
        return parts.join(', ') || 'all cash';
      };

      /** returns true when weights were chosen (and orders placed) */
      const rebalance = (c: StrategyContext, reason: RebalanceReason, drift: number | undefined): boolean => {
        eligible.length = 0;
        for (let s = 0; s < n; s++) {
          const px = c.close(s);
          if (c.count(s) >= minHist && px > 0) eligible.push(s);
        }
        if (eligible.length === 0) return false;
        const W = Math.min(L, step + 1);
        let cols: Float64Array[] = [];
        if (method.kind !== 'equal') {
          cols = windowReturns(W);
          // symbols with too few returns in the window cannot be estimated
          for (let k = eligible.length - 1; k >= 0; k--) {
            if (finiteCount(cols[k]) < 2) {
              eligible.splice(k, 1);
              cols.splice(k, 1);
            }
          }
          if (eligible.length === 0) return false;
        } else cols = eligible.map(() => new Float64Array(0));
        const t = c.t;
        const base = { t, time: formatTs(t, tz), step, reason, ...(drift !== undefined ? { drift } : {}), assets: eligible.length };
        let w: Float64Array;
        try {
          const names = eligible.map((s) => symbols[s]);
          w = optimizeWeights(restrictTo(method, names), cols, { rf, bounds: [lo, hi], covariance, periods, symbols: names });
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          const last = records[records.length - 1];
          if (last && last.error === msg && last.reason === reason) last.repeats = (last.repeats ?? 1) + 1;
          else {
            records.push({ ...base, weights: Array.from(target), error: msg });
            c.log(`rebalance (${reason}) failed, holdings kept: ${msg}`);
          }
          return false;
        }
        target.fill(0);
        for (let k = 0; k < eligible.length; k++) target[eligible[k]] = w[k];
        records.push({ ...base, weights: Array.from(target) });
        c.log(`rebalance (${reason}${drift !== undefined ? `, drift ${(drift * 100).toFixed(2)}%` : ''}): ${describe(target)}`);
        for (const o of c.openOrders()) c.cancel(o.id);
        // reductions first (they pay for the additions; with the close fill model orders fill in the order sent)
        const eq = c.equity;
        for (let pass = 0; pass < 2; pass++) {
          for (let s = 0; s < n; s++) {
            const q = c.position(s);
            if (target[s] === 0 && q === 0) continue;
            const reduce = q !== 0 && (target[s] === 0 || Math.sign(target[s]) !== Math.sign(q) || Math.abs(target[s] * eq) < Math.abs(q * c.close(s)));
            if (reduce === (pass === 0)) c.targetWeight(s, target[s], { tag: 'rebalance' });
          }
        }
        invested = true;
        return true;
      };

      return {
        onBar(c) {
          step++;
          const slot = step % L;
          for (let s = 0; s < n; s++) ring[s * L + slot] = NaN;
          for (let u = 0; u < c.nUpdated; u++) {
            const s = c.updated[u];
            ring[s * L + slot] = c.close(s);
          }
          let calendarFires = false;
          if (reb.calendar) {
            const key = periodKey(c.t, reb.calendar, tz);
            calendarFires = step > 0 && key !== prevKey;
            prevKey = key;
          }
          if (c.last) return;
          if (!invested) {
            rebalance(c, 'initial', undefined);
            return;
          }
          if (calendarFires) {
            rebalance(c, 'calendar', maxDrift(c));
            return;
          }
          if (reb.threshold !== undefined && c.openOrders().length === 0) {
            const d = maxDrift(c);
            if (d > reb.threshold) rebalance(c, 'threshold', d);
          }
        },
      };
    },
  });
  return Object.assign(strategy, { history });
}

// ------------------------------------------------------------------ wide price tables → bars

/**
 * Bar series from a wide price table (readPricesCsv / parsePricesCsv): one series per symbol, timeframe 1d (or
 * `timeframe`), O = H = L = C = the price, volume NaN (unknown: volume-based fill and slippage models do not apply).
 * Dates are YYYY-MM-DD (optionally with a time) read in `tz` (default UTC). Missing prices (NaN, ≤ 0) give no bar:
 * leading ones before a symbol's first price, trailing ones, and interior gaps alike — the engine then simply has no
 * bar for that symbol on that date (its position keeps its last close as mark, and its orders wait for its next bar);
 * returns across a gap are missing (NaN) in the strategy's estimates. A symbol with no price at all is an error.
 */
export function seriesFromWidePrices(p: { dates: readonly string[]; symbols: readonly string[]; prices: readonly Float64Array[] }, o: { tz?: string; timeframe?: string } = {}): BarSeries[] {
  const tz = checkTz(o.tz ?? 'UTC');
  const timeframe = parseTimeframe(o.timeframe ?? '1d');
  const T = p.dates.length;
  if (p.prices.length !== p.symbols.length) throw new UsageError(`${p.symbols.length} symbols but ${p.prices.length} price columns`);
  const ts = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    const d = p.dates[i].trim();
    const m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(d);
    if (!m) throw new UsageError(`row ${i + 1}: date '${d}' is not YYYY-MM-DD`);
    const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
    ts[i] = tz === 'UTC' ? wall : wallToUtc(wall, tz);
    if (i > 0 && !(ts[i] > ts[i - 1])) throw new UsageError(`row ${i + 1}: date '${d}' is not after the previous row's (dates must ascend)`);
  }
  return p.symbols.map((symbol, k) => {
    const col = p.prices[k];
    if (col.length !== T) throw new UsageError(`column ${symbol}: ${col.length} prices for ${T} dates`);
    const rows: number[] = [];
    for (let i = 0; i < T; i++) if (col[i] > 0 && Number.isFinite(col[i])) rows.push(i);
    if (rows.length === 0) throw new UsageError(`column ${symbol} has no prices`);
    const m = rows.length;
    const px = Float64Array.from(rows, (i) => col[i]);
    return {
      symbol,
      timeframe,
      tz,
      ts: Float64Array.from(rows, (i) => ts[i]),
      open: px,
      high: px.slice(),
      low: px.slice(),
      close: px.slice(),
      volume: new Float64Array(m).fill(NaN),
    };
  });
}
