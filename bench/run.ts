/**
 * Benchmarks (not tests): `npm run bench [-- --json] [-- --quick] [-- --only NAME]`.
 * Prints a table; with --json also writes bench/results/latest.json.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BACKTEST_BENCHES } from './backtest.bench.ts';
import { CONSOLE_BENCHES } from './console.bench.ts';
import { DATA_BENCHES } from './data.bench.ts';
import { FEATURE_BENCHES } from './features.bench.ts';
import { METRIC_BENCHES } from './metrics.bench.ts';
import { ML_BENCHES } from './ml.bench.ts';
import { PAPER_BENCHES } from './paper.bench.ts';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  target?: string;
  note?: string;
}

export interface Bench {
  name: string;
  run(opts: { quick: boolean }): Promise<BenchResult[]>;
}

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const quick = argv.includes('--quick');
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
const benches: Bench[] = [...DATA_BENCHES, ...FEATURE_BENCHES, ...BACKTEST_BENCHES, ...METRIC_BENCHES, ...ML_BENCHES, ...PAPER_BENCHES, ...CONSOLE_BENCHES].filter((b) => !only || b.name.includes(only));

const results: BenchResult[] = [];
for (const b of benches) {
  process.stderr.write(`running ${b.name}…\n`);
  results.push(...(await b.run({ quick })));
}
const machine = { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? '?', memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.arch()}` };
const w = [Math.max(6, ...results.map((r) => r.name.length)), 12, 8, 14];
const line = (c: string[]) => c.map((x, i) => (i === 1 ? x.padStart(w[i]) : x.padEnd(w[i] ?? 0))).join('  ');
console.log(line(['bench', 'value', 'unit', 'target']) + '  note');
console.log(line(w.map((n) => '─'.repeat(n))));
for (const r of results) console.log(line([r.name, r.value < 10 ? r.value.toFixed(3) : r.value.toFixed(1), r.unit, r.target ?? '']) + (r.note ? `  ${r.note}` : ''));
console.log(`\nmachine: ${machine.cpus} × ${machine.cpu}, ${machine.memGiB} GiB, node ${machine.node}${quick ? ' (quick mode: smaller sizes)' : ''}`);
if (json) {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results');
  fs.mkdirSync(dir, { recursive: true });
  const out = { date: new Date().toISOString(), machine, quick, results };
  fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(out, null, 2));
  console.log(JSON.stringify(out));
}
