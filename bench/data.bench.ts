import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importData } from '../data/importer.ts';
import { resample } from '../data/resample.ts';
import { BarStore } from '../data/store.ts';
import { generateUniverse, toCsv } from '../data/synthetic.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import { Workspace } from '../src/workspace.ts';
import type { Bench, BenchResult } from './run.ts';

const mb = (x: number) => x / 2 ** 20;

export const DATA_BENCHES: Bench[] = [
  {
    name: 'data',
    async run({ quick }) {
      const symbols = quick ? 8 : 46;
      const bars = quick ? 20_000 : 72_000;
      const tf = parseTimeframe('15m');
      const out: BenchResult[] = [];
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'at-bench-'));
      const csvDir = path.join(dir, 'csv');
      fs.mkdirSync(csvDir);
      let t = performance.now();
      const uni = generateUniverse({ symbols, bars, timeframe: tf, seed: 7 });
      out.push({ name: `generate ${symbols}×${bars} 15m`, value: (performance.now() - t) / 1000, unit: 's' });
      for (const s of uni) fs.writeFileSync(path.join(csvDir, `${s.symbol}.csv`), toCsv(s));
      const csvBytes = fs.readdirSync(csvDir).reduce((a, f) => a + fs.statSync(path.join(csvDir, f)).size, 0);
      uni.length = 0;
      const ws = Workspace.open(path.join(dir, 'ws'), {});
      const store = new BarStore(ws);
      t = performance.now();
      const rep = await importData(ws, store, { paths: [csvDir], tz: 'America/New_York', adjust: false, onError: 'fail', timeframe: tf });
      const importS = (performance.now() - t) / 1000;
      if (rep.status !== 'ok') throw new Error(`import failed: ${rep.message}`);
      out.push({ name: 'import CSV (validate + store)', value: importS, unit: 's', target: symbols === 46 ? '≤ 6 s' : undefined, note: `${rep.totals.rowsStored.toLocaleString('en-US')} bars, ${mb(csvBytes).toFixed(0)} MiB CSV, ${(rep.totals.rowsStored / importS / 1e6).toFixed(2)} M bars/s` });
      // Load everything back with a cold cache, in a fresh store.
      const store2 = new BarStore(ws);
      const rssBefore = process.memoryUsage().rss;
      t = performance.now();
      let total = 0;
      const loaded = store2.list().map((s) => store2.load(s.symbol, s.timeframe));
      for (const l of loaded) total += l.ts.length;
      const loadS = (performance.now() - t) / 1000;
      const rssAfter = process.memoryUsage().rss;
      const buffers = new Set<ArrayBufferLike>();
      for (const l of loaded) for (const a of [l.ts, l.open, l.high, l.low, l.close, l.volume]) buffers.add(a.buffer);
      const held = [...buffers].reduce((a, b) => a + b.byteLength, 0);
      out.push({ name: 'load universe from store', value: loadS, unit: 's', target: symbols === 46 ? '≤ 0.5 s' : undefined, note: `${total.toLocaleString('en-US')} bars, cold cache, zero-copy Arrow views` });
      out.push({ name: 'universe in RAM', value: mb(held), unit: 'MiB', note: `file buffers held by the columns (${(total * 6 * 8 / 2 ** 20).toFixed(0)} MiB of float64 data); RSS +${mb(rssAfter - rssBefore).toFixed(0)} MiB on load, peak RSS of the whole run ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB` });
      t = performance.now();
      let n1h = 0;
      for (const l of loaded) n1h += resample(l, parseTimeframe('1h')).ts.length;
      out.push({ name: 'resample universe 15m → 1h', value: (performance.now() - t) / 1000, unit: 's', note: `${n1h.toLocaleString('en-US')} bars out` });
      ws.close();
      fs.rmSync(dir, { recursive: true, force: true });
      return out;
    },
  },
];
