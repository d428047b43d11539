import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cachedFeatures } from '../data/features/cache.ts';
import { DEFAULT_FEATURE_NAMES, DEFAULT_FEATURE_SET } from '../data/features/default-set.ts';
import { alignBenchmark, computeFeatures, computeUniverse, FeatureStream, planFeatures, type FeatureMatrix } from '../data/features/pipeline.ts';
import { ALL_SPECS, canonicalFeatureName, featureName, parseFeatureName, specByName, specFeatureNames } from '../data/indicators/index.ts';
import { loadFile } from '../data/loader.ts';
import { contentHash } from '../data/store.ts';
import { UsageError } from '../src/errors.ts';
import { Rng } from '../src/rng.ts';
import { sliceBars, type BarSeries } from '../src/types.ts';
import { cli } from './helpers/cli.ts';
import { SHARED, tmpDir, tmpWorkspace } from './helpers/tmp.ts';

const ORCL_FILE = path.join(SHARED, 'backtrader/orcl-1995-2014.txt');
const NVDA_FILE = path.join(SHARED, 'backtrader/nvda-1999-2014.txt');

function load(file: string): BarSeries {
  const r = loadFile(file, { tz: 'UTC' });
  expect(r.fatal).toBe(false);
  return r.series[0].bars;
}

const ORCL = load(ORCL_FILE);
const NVDA = load(NVDA_FILE);

const REQUIRED = [
  'sma_20', 'ema_20', 'rsi_14', 'macd_12_26_9', 'macd_signal_12_26_9', 'macd_hist_12_26_9', 'bb_upper_20_2', 'bb_middle_20_2', 'bb_lower_20_2',
  'atr_14', 'adx_14', 'stoch_k_14_3_3', 'stoch_d_14_3_3', 'obv', 'cci_20', 'willr_14', 'mfi_14', 'wma_30', 'mom_12', 'roc_12', 'adxr_14',
  'plus_di_14', 'minus_di_14', 'natr_14', 'log_return_1', 'log_return_2', 'log_return_5', 'log_return_10', 'log_return_20', 'log_return_60',
  'sma_5', 'sma_10', 'sma_50', 'sma_100', 'sma_200', 'ema_5', 'ema_10', 'ema_50', 'ema_100', 'ema_200', 'rsi_7', 'rsi_21', 'atr_7', 'atr_21',
];

/** a and b equal to 1e-9 (relative above 1), NaN equal to NaN. */
function close(a: number, b: number): boolean {
  if (a !== a || b !== b) return a !== a && b !== b;
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/** First mismatch between two columns over rows [0, n), or null. */
function mismatch(a: ArrayLike<number>, b: ArrayLike<number>, n: number, eq: (x: number, y: number) => boolean = close): string | null {
  for (let i = 0; i < n; i++) if (!eq(a[i], b[i])) return `row ${i}: ${a[i]} vs ${b[i]}`;
  return null;
}

const same = (x: number, y: number) => Object.is(x, y) || (x !== x && y !== y);

// ---------------------------------------------------------------------------------------------------------------

describe('feature names', () => {
  it('every spec has a unique name and unique, parseable outputs; the registry holds indicators and features', () => {
    expect(ALL_SPECS.length).toBeGreaterThanOrEqual(55);
    for (const g of ['trend', 'momentum', 'volatility', 'volume', 'statistical', 'regime', 'calendar']) expect(ALL_SPECS.some((s) => s.group === g)).toBe(true);
    expect(new Set(ALL_SPECS.map((s) => s.name)).size).toBe(ALL_SPECS.length);
    const outs = ALL_SPECS.flatMap((s) => s.outputs);
    expect(new Set(outs).size).toBe(outs.length);
    for (const s of ALL_SPECS) {
      expect(specByName(s.name)).toBe(s);
      specFeatureNames(s).forEach((n, i) => {
        const p = parseFeatureName(n);
        expect(p.spec).toBe(s);
        expect(p.outputIndex).toBe(i);
        expect(p.canonical).toBe(n);
      });
    }
  });

  it('parses output and parameters; longest output wins; decimals as written', () => {
    const m = parseFeatureName('macd_signal_12_26_9');
    expect([m.spec.name, m.output, m.params]).toEqual(['macd', 'macd_signal', [12, 26, 9]]);
    expect(parseFeatureName('macd_12_26_9').output).toBe('macd');
    expect(parseFeatureName('stoch_k_14_3_3').params).toEqual([14, 3, 3]);
    const bb = parseFeatureName('bb_upper_20_2.5');
    expect([bb.spec.name, bb.params, bb.canonical]).toEqual(['bb', [20, 2.5], 'bb_upper_20_2.5']);
    expect(parseFeatureName('bb_upper_20_2.0').canonical).toBe('bb_upper_20_2');
    expect(parseFeatureName('sar_direction_0.02_0.2').output).toBe('sar_direction');
    expect(parseFeatureName('obv').params).toEqual([]);
    expect(parseFeatureName('hour_sin').spec.group).toBe('calendar');
    expect(parseFeatureName('log_return_5').params).toEqual([5]);
    expect(parseFeatureName('adxr_14').spec.name).toBe('adxr'); // not adx + "r_14"
    expect(parseFeatureName('vol_cc_20').spec.name).toBe('vol_cc');
    // the same computation for every output of one spec
    expect(parseFeatureName('bb_lower_20_2').key).toBe(parseFeatureName('bb_upper_20_2').key);
    expect(parseFeatureName('bb_lower_20_2.5').key).not.toBe(parseFeatureName('bb_upper_20_2').key);
    expect(featureName('bb_upper', [20, 2.5])).toBe('bb_upper_20_2.5');
  });

  it('a bare output name means the defaults; a partial parameter list is an error', () => {
    expect(canonicalFeatureName('rsi')).toBe('rsi_14');
    expect(canonicalFeatureName('macd_signal')).toBe('macd_signal_12_26_9');
    expect(canonicalFeatureName('rsi_14')).toBe('rsi_14');
    expect(() => parseFeatureName('macd_12')).toThrow(/takes 3 parameters \(fast, slow, signal\), got 1/);
    expect(() => parseFeatureName('obv_10')).toThrow(/takes no parameters/);
  });

  it('unknown names and bad parameters are usage errors with the nearest valid name', () => {
    const err = (n: string): UsageError => {
      try {
        parseFeatureName(n);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        expect((e as UsageError).exitCode).toBe(2);
        return e as UsageError;
      }
      throw new Error(`${n} parsed`);
    };
    expect(err('smaa_20').hint).toMatch(/did you mean sma_20\?/);
    expect(err('rsii_14').hint).toMatch(/did you mean rsi_14\?/);
    expect(err('sma_x').message).toMatch(/not a list of numbers/);
    expect(err('sma_1').message).toMatch(/timeperiod must be >= 2, got 1/);
    expect(err('sma_2.5').message).toMatch(/must be an integer/);
    expect(err('bb_upper_20_50').message).toMatch(/nbdev must be <= 10/);
    expect(err('').message).toMatch(/empty/);
  });
});

describe('the default feature set', () => {
  it('has exactly 167 unique features, all canonical names that parse, including the required ones', () => {
    expect(DEFAULT_FEATURE_NAMES.length).toBe(167);
    expect(DEFAULT_FEATURE_SET.length).toBe(167);
    expect(new Set(DEFAULT_FEATURE_NAMES).size).toBe(167);
    for (const n of DEFAULT_FEATURE_NAMES) expect(canonicalFeatureName(n)).toBe(n);
    for (const n of REQUIRED) expect(DEFAULT_FEATURE_NAMES).toContain(n);
    const groups = new Set(DEFAULT_FEATURE_NAMES.map((n) => parseFeatureName(n).spec.group));
    expect([...groups].sort()).toEqual(['calendar', 'momentum', 'regime', 'statistical', 'trend', 'volatility', 'volume']);
    expect(JSON.parse(JSON.stringify(DEFAULT_FEATURE_SET))).toEqual(DEFAULT_FEATURE_SET);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('computeFeatures', () => {
  const names = DEFAULT_FEATURE_NAMES as string[];
  const full = computeFeatures(ORCL, names, { benchmark: NVDA });

  it('returns one column per name over every bar, warm-up = the largest lookback', () => {
    expect(full.names).toEqual(names);
    expect(full.rows).toBe(ORCL.ts.length);
    expect(full.ts).toBe(ORCL.ts);
    expect(full.columns.length).toBe(167);
    for (const c of full.columns) {
      expect(c).toBeInstanceOf(Float64Array);
      expect(c.length).toBe(full.rows);
    }
    const lb = Math.max(...names.map((n) => { const p = parseFeatureName(n); return p.spec.lookback(p.params); }));
    expect(full.warmup).toBe(lb);
    // after the warm-up every price feature has a value on this clean file (benchmark features need NVDA's dates)
    const row = full.warmup + 10;
    names.forEach((n, j) => {
      if (!/bench/.test(n)) expect(Number.isNaN(full.columns[j][row]), n).toBe(false);
    });
  });

  it('groups names by (spec, parameters): each spec runs once and its outputs match its own batch', () => {
    const plan = planFeatures(['bb_upper_20_2', 'sma_20', 'bb_lower_20_2', 'bb_middle_20_2', 'rsi', 'rsi_14', 'bb_upper_20_2.5']);
    expect(plan.groups.map((g) => g.key)).toEqual(['bb(20,2)', 'sma(20)', 'rsi(14)', 'bb(20,2.5)']);
    expect(plan.groups[0].uses).toEqual([[0, 0], [2, 2], [3, 1]]);
    const m = computeFeatures(ORCL, ['bb_upper_20_2', 'sma_20', 'bb_lower_20_2', 'rsi', 'rsi_14']);
    const bb = specByName('bb')!.batch(ORCL, [20, 2]);
    expect(mismatch(m.columns[0], bb[0], m.rows, same)).toBeNull();
    expect(mismatch(m.columns[2], bb[2], m.rows, same)).toBeNull();
    expect(m.columns[3]).toBe(m.columns[4]); // rsi and rsi_14 are one computation
    // sma_20 at bar 19 is the mean of the first 20 closes
    let s = 0;
    for (let i = 0; i < 20; i++) s += ORCL.close[i];
    expect(m.columns[1][19]).toBeCloseTo(s / 20, 12);
    expect(m.columns[1][18]).toBeNaN();
  });

  it('the work shared inside one call (batch scope) changes no value: every column equals its spec run alone, bit for bit', () => {
    // clean data, then a copy with NaN, ±Infinity and -0 in places (the shared extremes use a sparse table in a scope
    // and a deque-free sliding pass alone; log returns, means, EMAs, ATR, RSI, DM sums … are computed once per call)
    const dirty: BarSeries = { ...ORCL, open: ORCL.open.slice(), high: ORCL.high.slice(), low: ORCL.low.slice(), close: ORCL.close.slice(), volume: ORCL.volume.slice() };
    dirty.close[300] = NaN;
    dirty.high[700] = Infinity;
    dirty.low[1100] = -Infinity;
    dirty.volume[1500] = NaN;
    dirty.open[1900] = Infinity;
    for (let i = 2300; i < 2340; i++) dirty.low[i] = i % 2 ? -0 : 0;
    const bench = alignBenchmark(ORCL.ts, NVDA);
    const plan = planFeatures(names);
    for (const bars of [ORCL, dirty]) {
      const before = [bars.open, bars.high, bars.low, bars.close, bars.volume].map((a) => a.slice());
      const m = bars === ORCL ? full : computeFeatures(bars, names, { benchmark: NVDA });
      [bars.open, bars.high, bars.low, bars.close, bars.volume].forEach((a, j) => expect(mismatch(a, before[j], a.length, same)).toBeNull());
      expect(new Set(m.columns).size).toBe(m.columns.length); // every column its own array
      const input = { open: bars.open, high: bars.high, low: bars.low, close: bars.close, volume: bars.volume, ts: bars.ts, tz: bars.tz, benchmark: bench };
      for (const g of plan.groups) {
        const alone = g.spec.batch(input, g.params);
        for (const [col, out] of g.uses) expect(mismatch(m.columns[col], alone[out], m.rows, same), `${names[col]} (${bars === ORCL ? 'clean' : 'dirty'})`).toBeNull();
      }
    }
  });

  it('aligns the benchmark by timestamp, NaN where it has no bar; without one, benchmark features are NaN', () => {
    const b = alignBenchmark(ORCL.ts, NVDA);
    const first = NVDA.ts[0];
    for (let i = 0; i < ORCL.ts.length; i += 97) {
      const j = NVDA.ts.indexOf(ORCL.ts[i]);
      if (j < 0) expect(b[i]).toBeNaN();
      else expect(b[i]).toBe(NVDA.close[j]);
    }
    expect(b[0]).toBeNaN(); // ORCL starts in 1995, NVDA in 1999
    expect(ORCL.ts[0]).toBeLessThan(first);
    const j = names.indexOf('corr_bench_60');
    expect(full.columns[j].some((v) => !Number.isNaN(v))).toBe(true);
    const nob = computeFeatures(ORCL, ['corr_bench_60', 'beta_bench_60']);
    expect(nob.columns.every((c) => c.every((v) => Number.isNaN(v)))).toBe(true);
  });

  it('float32 returns Float32 columns equal to the Float64 values rounded', () => {
    const m = computeFeatures(ORCL, ['sma_20', 'obv', 'rsi_14'], { float32: true });
    const d = computeFeatures(ORCL, ['sma_20', 'obv', 'rsi_14']);
    m.columns.forEach((c, j) => {
      expect(c).toBeInstanceOf(Float32Array);
      expect(mismatch(c, Float32Array.from(d.columns[j]), m.rows, same)).toBeNull();
    });
  });

  it('the stream equals the batch at every bar for the full default set (with a benchmark)', () => {
    const s = new FeatureStream(names, ORCL.tz);
    expect(s.warmup).toBe(full.warmup);
    const bench = alignBenchmark(ORCL.ts, NVDA);
    const bad: string[] = [];
    for (let i = 0; i < ORCL.ts.length; i++) {
      const v = s.update(ORCL.open[i], ORCL.high[i], ORCL.low[i], ORCL.close[i], ORCL.volume[i], ORCL.ts[i], bench[i]);
      for (let j = 0; j < v.length; j++) {
        if (!close(v[j], full.columns[j][i]) && bad.length < 10) bad.push(`${names[j]} at bar ${i}: stream ${v[j]} batch ${full.columns[j][i]}`);
      }
    }
    expect(bad).toEqual([]);
    expect(s.bars).toBe(ORCL.ts.length);
  });

  it('never looks ahead: features of the data cut at random points equal the full-data features up to the cut', () => {
    const rng = new Rng(20240611);
    const n = ORCL.ts.length;
    const cuts = [1, 30, full.warmup, full.warmup + 1, ...Array.from({ length: 5 }, () => 1 + Math.floor(rng.next() * (n - 1)))];
    for (const cut of cuts) {
      const part = computeFeatures(sliceBars(ORCL, 0, cut), names, { benchmark: NVDA });
      expect(part.rows).toBe(cut);
      names.forEach((name, j) => {
        const m = mismatch(part.columns[j], full.columns[j], cut, same);
        expect(m, `${name} cut at ${cut}: ${m}`).toBeNull();
      });
    }
  });

  it('computeUniverse gives per-series results equal to computeFeatures, in this thread and in worker threads', async () => {
    const few = ['sma_20', 'bb_upper_20_2', 'bb_lower_20_2', 'rsi_14', 'hour_sin', 'corr_bench_60', 'obv'];
    const series = [ORCL, NVDA, sliceBars(ORCL, 100, 2000)];
    const want = series.map((s) => computeFeatures(s, few, { benchmark: NVDA }));
    const check = (got: FeatureMatrix[]) => {
      expect(got.length).toBe(series.length);
      got.forEach((m, k) => {
        expect(m.names).toEqual(few);
        expect(m.rows).toBe(series[k].ts.length);
        expect(m.warmup).toBe(want[k].warmup);
        m.columns.forEach((c, j) => expect(mismatch(c, want[k].columns[j], m.rows, same)).toBeNull());
      });
    };
    check(await computeUniverse(series, few, { benchmark: NVDA, threads: 1 }));
    let progress = 0;
    check(await computeUniverse(series, few, { benchmark: NVDA, threads: 2, onProgress: () => progress++ }));
    expect(progress).toBe(3);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('feature cache', () => {
  it('stores features under features/ and reads them back on the same inputs (any name order, aliases)', () => {
    const ws = tmpWorkspace();
    try {
      const names = ['sma_20', 'rsi_14', 'bb_upper_20_2', 'obv'];
      const a = cachedFeatures(ws, ORCL, names);
      expect(a.hit).toBe(false);
      expect(a.file).not.toBeNull();
      expect(a.file!.startsWith(ws.path('features'))).toBe(true);
      expect(fs.existsSync(a.file!)).toBe(true);
      const b = cachedFeatures(ws, ORCL, names);
      expect(b.hit).toBe(true);
      expect(b.key).toBe(a.key);
      expect(b.computeMs).toBe(0);
      expect(b.matrix.names).toEqual(names);
      b.matrix.columns.forEach((c, j) => {
        expect(c).toBeInstanceOf(Float64Array);
        expect(mismatch(c, a.matrix.columns[j], ORCL.ts.length, same)).toBeNull();
      });
      // order and aliases do not matter
      const c = cachedFeatures(ws, ORCL, ['obv', 'rsi', 'bb_upper_20_2.0', 'sma_20']);
      expect(c.hit).toBe(true);
      expect(mismatch(c.matrix.columns[1], a.matrix.columns[1], ORCL.ts.length, same)).toBeNull();
      // a known content hash gives the same key
      expect(cachedFeatures(ws, ORCL, names, { dataHash: contentHash(ORCL) }).hit).toBe(true);
      // precision is part of the key
      const f = cachedFeatures(ws, ORCL, names, { float32: true });
      expect(f.hit).toBe(false);
      expect(f.matrix.columns[0]).toBeInstanceOf(Float32Array);
      const f2 = cachedFeatures(ws, ORCL, names, { float32: true });
      expect(f2.hit).toBe(true);
      expect(f2.matrix.columns[0]).toBeInstanceOf(Float32Array);
      expect(mismatch(f2.matrix.columns[0], f.matrix.columns[0], ORCL.ts.length, same)).toBeNull();
      expect(cachedFeatures(ws, ORCL, names).hit).toBe(true); // the Float32 entry did not evict the Float64 one
      // refresh recomputes; disabled touches nothing
      expect(cachedFeatures(ws, ORCL, names, { refresh: true }).hit).toBe(false);
      expect(cachedFeatures(ws, ORCL, names, { disabled: true }).file).toBeNull();
    } finally {
      ws.close();
    }
  });

  it('changed data is a miss and replaces the older entry; a corrupt entry is recomputed', () => {
    const ws = tmpWorkspace();
    try {
      const names = ['sma_20', 'atr_14'];
      const a = cachedFeatures(ws, ORCL, names);
      const changed = sliceBars(ORCL, 0, ORCL.ts.length);
      changed.close[changed.close.length - 1] *= 1.01;
      const b = cachedFeatures(ws, changed, names);
      expect(b.hit).toBe(false);
      expect(b.key).not.toBe(a.key);
      expect(fs.existsSync(a.file!)).toBe(false);
      expect(fs.existsSync(b.file!)).toBe(true);
      fs.writeFileSync(b.file!, 'not arrow');
      const c = cachedFeatures(ws, changed, names);
      expect(c.hit).toBe(false);
      expect(cachedFeatures(ws, changed, names).hit).toBe(true);
    } finally {
      ws.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('features commands', () => {
  const wsDir = tmpDir('at-feat-');
  const w = ['--workspace', wsDir];
  let imported = false;
  async function ensureImported() {
    if (imported) return;
    const r = await cli(['data', 'import', ORCL_FILE, ...w]);
    expect(r.code, r.stderr).toBe(0);
    imported = true;
  }

  it('features list shows every indicator with parameters, outputs, lookback and description', async () => {
    const r = await cli(['features', 'list', '--json', ...w]);
    expect(r.code, r.stderr).toBe(0);
    const j = r.json<{ count: number; indicators: { name: string; group: string; params: { name: string; default: number }[]; outputs: string[]; names: string[]; lookback: number; description: string; note?: string }[] }>();
    expect(j.count).toBeGreaterThanOrEqual(55);
    expect(j.indicators.length).toBe(j.count);
    const macd = j.indicators.find((e) => e.name === 'macd')!;
    expect(macd.params.map((p) => [p.name, p.default])).toEqual([['fast', 12], ['slow', 26], ['signal', 9]]);
    expect(macd.names).toEqual(['macd_12_26_9', 'macd_signal_12_26_9', 'macd_hist_12_26_9']);
    expect(macd.lookback).toBe(33);
    expect(macd.description).toMatch(/MACD/);
    expect(j.indicators.some((e) => e.note)).toBe(true);
    const t = await cli(['features', 'list', ...w]);
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(/momentum \(\d+\)/);
    expect(t.stdout).toMatch(/macd\(fast=12, slow=26, signal=9\)\s+→\s+macd_12_26_9 macd_signal_12_26_9 macd_hist_12_26_9/);
    const g = await cli(['features', 'list', '--group', 'calendar', '--json', ...w]);
    expect(g.json().indicators.every((e: { group: string }) => e.group === 'calendar')).toBe(true);
  });

  it('features SYM --only … --out x.csv writes timestamp then the features; sma_20 at row 20 is the mean of the first 20 closes', async () => {
    await ensureImported();
    const out = path.join(tmpDir('at-feat-out-'), 'x.csv');
    const r = await cli(['features', 'ORCL', '--only', 'sma_20,rsi_14', '--out', out, ...w]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ORCL 1d: 5,036 rows × 2 features, warm-up 19 bars/);
    expect(r.stdout).toMatch(/cache miss/);
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('timestamp,sma_20,rsi_14');
    expect(lines.length).toBe(5037);
    expect(lines[1]).toBe('1995-01-03T00:00:00.000Z,,');
    // closes straight from the source file (imported without --adjust)
    const src = fs.readFileSync(ORCL_FILE, 'utf8').split('\n');
    const closeIdx = src[0].split(',').indexOf('Close');
    let sum = 0;
    for (let i = 1; i <= 20; i++) sum += Number(src[i].split(',')[closeIdx]);
    const row20 = lines[20].split(',');
    expect(row20[0]).toBe(`${src[20].split(',')[0]}T00:00:00.000Z`);
    expect(Number(row20[1])).toBeCloseTo(sum / 20, 10);
    expect(lines[19].split(',')[1]).toBe(''); // warm-up: empty
    // rsi_14 has lookback 14: empty on data rows 1-14, a value from row 15
    expect(lines[14].split(',')[2]).toBe('');
    expect(Number(lines[15].split(',')[2])).toBeGreaterThan(0);
  });

  it('a second run reads the cache; --json has names, warm-up, rows and the tail', async () => {
    await ensureImported();
    const r = await cli(['features', 'ORCL', '--only', 'sma_20,rsi_14,bb_upper_20_2', '--tail', '3', '--json', ...w]);
    expect(r.code, r.stderr).toBe(0);
    const a = r.json();
    const r2 = await cli(['features', 'ORCL', '--only', 'bb_upper_20_2,rsi_14,sma_20', '--tail', '3', '--json', ...w]);
    const b = r2.json();
    expect(a.cache).toBe('miss');
    expect(b.cache).toBe('hit');
    expect(b.names).toEqual(['bb_upper_20_2', 'rsi_14', 'sma_20']);
    expect(b.rows).toBe(5036);
    expect(b.warmup).toBe(19);
    expect(b.tail.timestamp).toEqual(['2014-12-29T00:00:00.000Z', '2014-12-30T00:00:00.000Z', '2014-12-31T00:00:00.000Z']);
    expect(b.tail.values.sma_20).toEqual(a.tail.values.sma_20);
    expect(b.tail.values.rsi_14.length).toBe(3);
    expect(fs.readdirSync(path.join(wsDir, 'features', 'ORCL')).some((f) => f.endsWith('.arrow'))).toBe(true);
  });

  it('the default set in text, and Parquet output', async () => {
    await ensureImported();
    const r = await cli(['features', 'ORCL', '--tail', '2', ...w]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/5,036 rows × 167 features/);
    expect(r.stdout).toMatch(/sma_5\s+sma_10/);
    expect(r.stdout).toMatch(/6 of 167 features shown/);
    const out = path.join(tmpDir('at-feat-pq-'), 'f.parquet');
    const p = await cli(['features', 'ORCL', '--only', 'sma_20,obv', '--out', out, ...w]);
    expect(p.code, p.stderr).toBe(0);
    const pl = createRequire(import.meta.url)('nodejs-polars');
    const df = pl.readParquet(out);
    expect(df.columns).toEqual(['timestamp', 'sma_20', 'obv']);
    expect(df.height).toBe(5036);
  });

  it('features --data FILE computes without importing', async () => {
    const r = await cli(['features', '--data', path.join(SHARED, 'backtrader/orcl-2014.txt'), '--only', 'ema_10', '--tail', '1', '--json', ...w]);
    expect(r.code, r.stderr).toBe(0);
    const j = r.json();
    expect(j.rows).toBe(252);
    expect(j.tail.timestamp).toEqual(['2014-12-31T00:00:00.000Z']);
  });

  it('an unknown feature name exits 2 with a suggestion; so do a missing symbol and a bad --out', async () => {
    await ensureImported();
    const r = await cli(['features', 'ORCL', '--only', 'sma_20,rsii_14', ...w]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown feature "rsii_14"/);
    expect(r.stderr).toMatch(/did you mean rsi_14\?/);
    const n = await cli(['features', '--only', 'sma_20', ...w]);
    expect(n.code).toBe(2);
    expect(n.stderr).toMatch(/SYMBOL or --data FILE/);
    const o = await cli(['features', 'ORCL', '--out', 'x.txt', ...w]);
    expect(o.code).toBe(2);
    expect(o.stderr).toMatch(/\.csv or \.parquet/);
    const u = await cli(['features', 'ORCX', ...w]);
    expect(u.code).toBe(1);
    expect(u.stderr).toMatch(/did you mean ORCL/);
  });
});
