import { computeFeatures, computeUniverse, FeatureStream } from '../data/features/pipeline.ts';
import { DEFAULT_FEATURE_NAMES } from '../data/features/default-set.ts';
import { generateUniverse } from '../data/synthetic.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import type { Bench, BenchResult } from './run.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export const FEATURE_BENCHES: Bench[] = [
  {
    name: 'features',
    async run({ quick }) {
      const out: BenchResult[] = [];
      const names = DEFAULT_FEATURE_NAMES;
      const symbols = quick ? 6 : 46;
      const uni = generateUniverse({ symbols, bars: 72_000, timeframe: parseTimeframe('15m'), seed: 11 });
      const one = uni[0];
      // warm up the JIT (and the batch scope's pooled buffers), then the median of 7: this VM is noisy (±30 %)
      for (let i = 0; i < 2; i++) computeFeatures(one, names);
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const t = performance.now();
        computeFeatures(one, names);
        times.push(performance.now() - t);
      }
      out.push({ name: `${names.length} features, 1 symbol × 72,000 bars`, value: median(times), unit: 'ms', target: '≤ 60 ms', note: `median of 7 (min ${Math.min(...times).toFixed(0)}), one thread` });
      let t = performance.now();
      const mats = await computeUniverse(uni, names, { threads: 2 });
      const uniS = (performance.now() - t) / 1000;
      const bytes64 = mats.reduce((a, m) => a + m.columns.reduce((b, c) => b + c.byteLength, 0), 0);
      out.push({ name: `${names.length} features, ${symbols} × 72,000 bars`, value: uniS, unit: 's', target: symbols === 46 ? '≤ 3 s' : undefined, note: `2 worker threads` });
      out.push({ name: 'feature matrix of the universe', value: bytes64 / 2 ** 20, unit: 'MiB', note: `Float64; Float32 storage halves it (${(bytes64 / 2 / 2 ** 20).toFixed(0)} MiB)` });
      // Incremental: all features for one new bar (median of 3 fresh streams over bars 2,000..20,000).
      const n = 20_000;
      const perBar: number[] = [];
      for (let rep = 0; rep < 3; rep++) {
        const s = new FeatureStream(names, one.tz);
        for (let i = 0; i < 2_000; i++) s.update(one.open[i], one.high[i], one.low[i], one.close[i], one.volume[i], one.ts[i]);
        t = performance.now();
        for (let i = 2_000; i < n; i++) s.update(one.open[i], one.high[i], one.low[i], one.close[i], one.volume[i], one.ts[i]);
        perBar.push(((performance.now() - t) * 1000) / (n - 2_000));
      }
      out.push({ name: `incremental update, all ${names.length}`, value: median(perBar), unit: 'µs/bar', target: '≤ 20 µs', note: 'median of 3' });
      return out;
    },
  },
];
