/**
 * Backtester speed (issue 5): event-driven sma_cross bars/s on one symbol, vectorized sma_cross bars/s, and every
 * built-in strategy over the 46 × 72,000-bar universe in one portfolio. Figures are medians of repeated runs after a
 * warm-up (this machine's first touch of fresh memory is slow, and the JIT needs a few runs).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSeries, generateUniverse } from '../data/synthetic.ts';
import { BUILTIN_STRATEGIES } from '../engine/strategies/index.ts';
import { requireBuiltin } from '../engine/strategies/index.ts';
import { runStrategy, type RunOptions } from '../engine/run.ts';
import { Rng } from '../src/rng.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import type { Bench, BenchResult } from './run.ts';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeRuns(o: RunOptions, reps: number): { ms: number; trades: number } {
  let trades = 0;
  const t: number[] = [];
  for (let k = 0; k < reps + 2; k++) {
    const t0 = performance.now();
    const r = runStrategy(o);
    const dt = performance.now() - t0;
    if (k >= 2) t.push(dt);
    trades = r.trades.length;
  }
  return { ms: median(t), trades };
}

export const BACKTEST_BENCHES: Bench[] = [
  {
    name: 'backtest',
    async run({ quick }) {
      const out: BenchResult[] = [];
      const n = quick ? 200_000 : 1_000_000;
      const S = generateSeries('SYN', { symbols: 1, bars: n, timeframe: parseTimeframe('1m'), seed: 1 }, new Rng(1));
      const sma = requireBuiltin('sma_cross');
      const base = { strategy: sma, series: [S], commission: 'pct:0.001', sizer: 'all_in' };
      const ev = timeRuns({ ...base, mode: 'event' }, quick ? 3 : 7);
      out.push({ name: `event sma_cross 1 × ${n.toLocaleString('en-US')} 1m`, value: n / ev.ms / 1000, unit: 'M bars/s', target: '≥ 3', note: `${ev.ms.toFixed(0)} ms, ${ev.trades} trades, commission pct, all-in` });
      const vec = timeRuns({ ...base, mode: 'vectorized' }, quick ? 5 : 15);
      out.push({ name: `vectorized sma_cross 1 × ${n.toLocaleString('en-US')} 1m`, value: n / vec.ms / 1000, unit: 'M bars/s', target: '≥ 50', note: `${vec.ms.toFixed(1)} ms incl. the SMAs, ${vec.trades} trades` });
      // one symbol of the universe's size (72,000 bars), many repetitions: the per-run cost a sweep pays
      const S72 = generateSeries('SYN72', { symbols: 1, bars: 72_000, timeframe: parseTimeframe('15m'), seed: 3 }, new Rng(3));
      const v72 = timeRuns({ ...base, series: [S72], mode: 'vectorized' }, quick ? 30 : 200);
      out.push({ name: 'vectorized sma_cross 1 × 72,000 15m', value: 72_000 / v72.ms / 1000, unit: 'M bars/s', target: '≥ 50', note: `${v72.ms.toFixed(2)} ms median, ${v72.trades} trades` });
      const slow = { ...base, params: { fast: 50, slow: 200 } };
      const vec2 = timeRuns({ ...slow, mode: 'vectorized' }, quick ? 5 : 15);
      out.push({ name: `vectorized sma_cross 50/200 1 × ${n.toLocaleString('en-US')} 1m`, value: n / vec2.ms / 1000, unit: 'M bars/s', target: '≥ 50', note: `${vec2.ms.toFixed(1)} ms, ${vec2.trades} trades` });

      // a 1,000-combination sma_cross sweep on one 72,000-bar symbol, the whole command (process start, worker pool,
      // deflated Sharpe and PBO included)
      {
        const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'at-bench-sweep-'));
        const binary = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'alphatrade');
        execFileSync(process.execPath, [binary, '--workspace', ws, 'data', 'generate', '--symbols', '1', '--bars', '72000', '--timeframe', '15m', '--seed', '3'], { stdio: 'ignore' });
        const times: number[] = [];
        for (let k = 0; k < (quick ? 1 : 3); k++) {
          const t0 = performance.now();
          execFileSync(process.execPath, [binary, '--workspace', ws, 'sweep', '--strategy', 'sma_cross', '--symbol', 'SYN000', '--grid', 'fast=2:101:1', '--grid', 'slow=110:200:10', '--commission', 'pct:0.001', '--json'], { stdio: 'ignore' });
          times.push(performance.now() - t0);
        }
        out.push({ name: 'sweep sma_cross 1,000 combinations × 72,000 bars', value: median(times) / 1000, unit: 's', target: '≤ 2', note: `whole command, ${os.availableParallelism()} worker threads; runs: ${times.map((t) => (t / 1000).toFixed(2)).join(', ')} s` });
      }
      const symbols = quick ? 8 : 46;
      const bars = quick ? 20_000 : 72_000;
      const uni = generateUniverse({ symbols, bars, timeframe: parseTimeframe('15m'), seed: 7 });
      for (const st of BUILTIN_STRATEGIES) {
        const series = st.universe === 'pair' ? uni.slice(0, 2) : uni;
        const r = timeRuns({ strategy: st, series, commission: 'pct:0.0005', sizer: st.universe === 'single' ? 'percent:2' : 'all_in' }, quick ? 1 : 3);
        out.push({
          name: `event ${st.name} ${series.length} × ${bars.toLocaleString('en-US')} 15m, one portfolio`,
          value: r.ms / 1000,
          unit: 's',
          target: series.length === 46 ? '≤ 3' : undefined,
          note: `${((series.length * bars) / r.ms / 1000).toFixed(2)} M bar-events/s, ${r.trades} trades`,
        });
      }
      return out;
    },
  },
];
