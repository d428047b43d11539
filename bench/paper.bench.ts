/**
 * Issue 9's speed figures: replaying 72,000 bars through a paper session at full speed, journal included (≤ 5 s),
 * and the bar-to-order latency inside the engine (p99 ≤ 1 ms): from the start of a bar's step to the order accepted
 * into the book, and to its intent committed to the journal (synchronous=FULL: an fsync per order).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateUniverse } from '../data/synthetic.ts';
import { Journal, openJournal } from '../engine/live/journal.ts';
import { runSession } from '../engine/live/session.ts';
import { buildConfig } from '../engine/run.ts';
import { builtinStrategy } from '../engine/strategies/index.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import type { Bench } from './run.ts';

const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

export const PAPER_BENCHES: Bench[] = [
  {
    name: 'paper',
    async run({ quick }) {
      const bars = quick ? 20_000 : 72_000;
      const tf = parseTimeframe('15m');
      const [s] = generateUniverse({ symbols: 1, bars, timeframe: tf, seed: 5 });
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'at-bench-paper-'));
      try {
        const db = openJournal(path.join(dir, 'journal.sqlite'));
        db.prepare("INSERT INTO sessions (id, strategy, symbols, broker, feed, config, started_at, status) VALUES ('b1', 'sma_cross', ?, 'paper', 'replay', '{}', ?, 'running')").run(s.symbol, new Date().toISOString());
        const cfg = buildConfig({ strategy: builtinStrategy('sma_cross')!, params: { fast: 10, slow: 30 }, series: [s], commission: 'pct:0.001' });
        const decision: number[] = [];
        const committed: number[] = [];
        const t0 = performance.now();
        const r = await runSession({ journal: new Journal(db, 'b1'), cfg, barMs: tf.ms, speed: 'max', onLatency: (d, c) => (decision.push(d), committed.push(c)) });
        const secs = (performance.now() - t0) / 1000;
        db.close();
        return [
          { name: `paper replay ${bars.toLocaleString('en-US')} bars, max speed, journal`, value: secs, unit: 's', target: bars === 72_000 ? '≤ 5 s' : undefined, note: `${r.orders} orders, ${r.fills} fills, every intent fsynced` },
          { name: 'paper bar-to-order latency p99 (decision)', value: pct(decision, 0.99), unit: 'ms', target: '≤ 1 ms', note: `median ${pct(decision, 0.5).toFixed(3)} ms over ${decision.length} orders` },
          { name: 'paper bar-to-order latency p99 (intent committed)', value: pct(committed, 0.99), unit: 'ms', note: `median ${pct(committed, 0.5).toFixed(3)} ms: the journal's fsync before the order may be sent` },
        ];
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
