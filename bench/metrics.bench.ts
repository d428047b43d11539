import { computeMetrics } from '../engine/metrics.ts';
import { Rng } from '../src/rng.ts';
import type { Bench, BenchResult } from './run.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Metrics for a 1,000,000-point return series (issue 6: ≤ 50 ms). */
export const METRIC_BENCHES: Bench[] = [
  {
    name: 'metrics',
    async run({ quick }) {
      const n = 1_000_000;
      const rng = new Rng(17);
      const r = new Float64Array(n);
      const b = new Float64Array(n);
      const ts = new Float64Array(n);
      // 15-minute bars, 26 a day in the NYSE session, weekdays only: periods per year inferred = 252 × 26
      let day = Date.UTC(1990, 0, 1);
      for (let i = 0; i < n; ) {
        const wd = new Date(day).getUTCDay();
        if (wd !== 0 && wd !== 6) for (let k = 0; k < 26 && i < n; k++, i++) ts[i] = day + 13.5 * 3_600_000 + k * 900_000;
        day += 86_400_000;
      }
      for (let i = 0; i < n; i++) {
        b[i] = (rng.next() - 0.5) * 0.004;
        r[i] = 0.00002 + 0.8 * b[i] + (rng.next() - 0.5) * 0.003;
      }
      const reps = quick ? 5 : 11;
      let cold = NaN;
      const time = (f: () => unknown) => {
        const t0 = performance.now();
        f();
        if (cold !== cold) cold = performance.now() - t0; // the very first call: unoptimised code (a one-shot CLI run)
        for (let k = 0; k < 3; k++) f(); // warm up the JIT
        const xs: number[] = [];
        for (let k = 0; k < reps; k++) {
          const t = performance.now();
          f();
          xs.push(performance.now() - t);
        }
        return xs;
      };
      const out: BenchResult[] = [];
      const a = time(() => computeMetrics({ returns: r, ts }));
      out.push({ name: 'metrics, 1,000,000 returns', value: median(a), unit: 'ms', target: '≤ 50 ms', note: `median of ${reps} (min ${Math.min(...a).toFixed(1)}, first call ${cold.toFixed(0)} ms); all return and drawdown metrics, months and periods per year from the time stamps` });
      const c = time(() => computeMetrics({ returns: r, ts, benchmark: b, rf: 0.02 }));
      out.push({ name: 'metrics, 1,000,000 returns + benchmark', value: median(c), unit: 'ms', note: `median of ${reps} (min ${Math.min(...c).toFixed(1)}); adds alpha, beta, correlation, IR, tracking error` });
      return out;
    },
  },
];
