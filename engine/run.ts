/**
 * One entry point for a backtest from plain options (the CLI's, the console's, sweeps', the look-ahead check's):
 * parses the model specs, resolves parameters, checks the strategy's universe, and runs the event or vectorized
 * engine.
 */
import { UsageError } from '../src/errors.ts';
import type { BarSeries } from '../src/types.ts';
import { runBacktest, type BacktestConfig, type BacktestResult } from './backtest.ts';
import { parseCommission, parseSizer, parseSlippage } from './costs.ts';
import { resolveParams } from './params.ts';
import type { ParamValues, Strategy } from './strategy.ts';
import type { FillModelSpec, Sizer } from './types.ts';
import { runVectorized } from './vectorized.ts';
import type { RiskManager } from './risk/manager.ts';

export const FILL_HELP = 'next_open (default: the next bar’s open) | close (same bar’s close: cheat-on-close, flagged) | vwap (next bar’s typical price (H+L+C)/3) | volume:X (next open, at most X of each bar’s volume, the rest carried over)';

export function parseFill(spec: string): FillModelSpec {
  const s = spec.trim().toLowerCase();
  if (s === 'next_open' || s === 'open') return { kind: 'next_open', spec: 'next_open' };
  if (s === 'close' || s === 'coc' || s === 'cheat_on_close') return { kind: 'close', spec: 'close' };
  if (s === 'vwap' || s === 'typical') return { kind: 'vwap', spec: 'vwap' };
  const m = /^volume:([0-9.]+)(%?)$/.exec(s);
  if (m) {
    let x = Number(m[1]);
    if (m[2] === '%') x /= 100;
    if (!(x > 0 && x <= 1)) throw new UsageError(`--fill volume:X needs 0 < X ≤ 1 (a fraction of each bar's volume), got '${spec}'`);
    return { kind: 'volume', participation: x, spec: `volume:${x}` };
  }
  throw new UsageError(`unknown fill model '${spec}'; use ${FILL_HELP}`);
}

export interface RunOptions {
  strategy: Strategy;
  /** parameter overrides (raw strings from the CLI or typed values) */
  params?: Record<string, string | number | boolean>;
  series: BarSeries[];
  cash?: number;
  commission?: string;
  slippage?: string;
  fill?: string;
  sizer?: string;
  leverage?: number;
  mode?: 'event' | 'vectorized';
  integer?: boolean;
  recordFills?: boolean;
  /** trading starts at this bar time; earlier bars are warm-up (BacktestConfig.tradeFrom) */
  tradeFrom?: number;
  /** BacktestConfig.equityBuffer */
  equityBuffer?: Float64Array;
  /** limits and breakers (BacktestConfig.risk) */
  risk?: RiskManager;
  progress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export const RUN_DEFAULTS = { cash: 100_000, commission: 'none', slippage: 'none', fill: 'next_open', sizer: 'all_in', leverage: 1, mode: 'event' } as const;

export function buildConfig(o: RunOptions): BacktestConfig {
  const params: ParamValues = resolveParams(o.strategy, o.params ?? {});
  const cash = o.cash ?? RUN_DEFAULTS.cash;
  if (!(cash > 0 && Number.isFinite(cash))) throw new UsageError(`--cash must be a positive amount, got ${cash}`);
  const leverage = o.leverage ?? RUN_DEFAULTS.leverage;
  if (!(leverage >= 1 && Number.isFinite(leverage))) throw new UsageError(`--leverage must be ≥ 1, got ${leverage}`);
  const u = o.strategy.universe;
  if (u === 'pair' && o.series.length !== 2) throw new UsageError(`${o.strategy.name} trades a pair: give exactly two symbols (got ${o.series.length})`);
  if (u === 'universe' && o.series.length < 2) throw new UsageError(`${o.strategy.name} ranks a universe: give at least two symbols`);
  const weightSizers = new Map<number, Sizer>();
  return {
    strategy: o.strategy,
    params,
    series: o.series,
    cash,
    commission: parseCommission(o.commission ?? RUN_DEFAULTS.commission),
    slippage: parseSlippage(o.slippage ?? RUN_DEFAULTS.slippage),
    fill: parseFill(o.fill ?? RUN_DEFAULTS.fill),
    sizer: parseSizer(o.sizer ?? RUN_DEFAULTS.sizer),
    leverage,
    integer: o.integer ?? true,
    recordFills: o.recordFills ?? true,
    tradeFrom: o.tradeFrom,
    equityBuffer: o.equityBuffer,
    risk: o.risk,
    progress: o.progress,
    signal: o.signal,
    weightSizer: (w) => {
      let s = weightSizers.get(w);
      if (!s) {
        s = parseSizer(`weight:${w}`);
        weightSizers.set(w, s);
      }
      return s;
    },
  };
}

export function runStrategy(o: RunOptions): BacktestResult {
  const cfg = buildConfig(o);
  return (o.mode ?? RUN_DEFAULTS.mode) === 'vectorized' ? runVectorized(cfg) : runBacktest(cfg);
}
