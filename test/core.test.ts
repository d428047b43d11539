import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ttyProgress } from '../commands/cli.ts';
import { importData } from '../data/importer.ts';
import { StoreProvider, SyntheticProvider } from '../data/provider.ts';
import { BarStore } from '../data/store.ts';
import { MIGRATIONS, migrate, openCatalog, schemaVersion } from '../src/catalog.ts';
import { nearest } from '../src/errors.ts';
import { EventBus } from '../src/events.ts';
import { Rng } from '../src/rng.ts';
import { inferTimeframe, parseTimeframe } from '../src/timeframe.ts';
import { SHARED, tmpDir, tmpWorkspace } from './helpers/tmp.ts';

describe('core', () => {
  it('event bus delivers to subscribers in order and stops after off/once', () => {
    const bus = new EventBus<{ a: number; b: string }>();
    const got: string[] = [];
    const off = bus.on('a', (n) => got.push(`1:${n}`));
    bus.once('a', (n) => got.push(`once:${n}`));
    bus.on('b', (s) => got.push(`b:${s}`));
    bus.emit('a', 1);
    bus.emit('a', 2);
    off();
    bus.emit('a', 3);
    bus.emit('b', 'x');
    expect(got).toEqual(['1:1', 'once:1', '1:2', 'b:x']);
  });

  it('seeded RNG: same seed same stream, different seeds differ, moments of normal() near 0 and 1', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xa = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(xa);
    const r = new Rng(7);
    let s = 0;
    let s2 = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    // Standard errors: mean 1/sqrt(n) ≈ 0.0022, variance sqrt(2/n) ≈ 0.0032; bounds at ~5 s.e.
    expect(Math.abs(s / n)).toBeLessThan(0.011);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.016);
  });

  it('nearest() suggests close names only', () => {
    expect(nearest('imprt', ['import', 'list', 'show'])).toBe('import');
    expect(nearest('zzzzzz', ['import', 'list', 'show'])).toBeUndefined();
  });

  it('timeframes: parse, normalise, infer from spacing', () => {
    expect(parseTimeframe('60m').label).toBe('1h');
    expect(parseTimeframe('1440m').label).toBe('1d');
    expect(parseTimeframe('15min').ms).toBe(15 * 60_000);
    expect(() => parseTimeframe('7x')).toThrow(/invalid timeframe/);
    const m5 = Float64Array.from({ length: 50 }, (_, i) => i * 300_000);
    expect(inferTimeframe(m5).tf.label).toBe('5m');
  });

  it('catalog migrations are recorded and idempotent', () => {
    const f = path.join(tmpDir(), 'c.sqlite');
    const db = openCatalog(f);
    const latest = Math.max(...MIGRATIONS.map((m) => m.version));
    expect(schemaVersion(db)).toBe(latest);
    expect(migrate(db)).toBe(latest);
    const rows = db.prepare('SELECT version FROM schema_version').all();
    expect(rows).toHaveLength(MIGRATIONS.length);
    expect((db.pragma('journal_mode') as { journal_mode: string }[])[0].journal_mode).toBe('wal');
    db.close();
  });

  it('progress on a TTY draws a bar with the percentage', () => {
    let out = '';
    const p = ttyProgress((s) => (out += s));
    p.fn({ job: 'import', phase: 'read', done: 45, total: 100 });
    expect(out).toMatch(/\[#{11}-{13}\]\s+45% read/);
    p.end();
    expect(out.endsWith('\r\x1b[2K')).toBe(true);
  });
});

describe('store, cache and providers', () => {
  it('the LRU cache serves repeated loads and is invalidated by a new import', async () => {
    const ws = tmpWorkspace();
    const store = new BarStore(ws);
    await importData(ws, store, { paths: [path.join(SHARED, 'backtrader/orcl-2014.txt')], tz: 'UTC', adjust: false, onError: 'fail' });
    const a = store.load('ORCL');
    expect(store.load('ORCL')).toBe(a);
    expect(store.cachedBars).toBe(252);
    await importData(ws, store, { paths: [path.join(SHARED, 'backtrader/orcl-2003-2005.txt')], symbol: 'ORCL', tz: 'UTC', adjust: false, onError: 'fail' });
    const b = store.load('ORCL');
    expect(b).not.toBe(a);
    expect(b.ts.length).toBe(756);
    ws.close();
  });

  it('StoreProvider resamples from the finest stored timeframe and clips ranges; SyntheticProvider is deterministic', async () => {
    const ws = tmpWorkspace();
    const store = new BarStore(ws);
    await importData(ws, store, { paths: [path.join(SHARED, 'backtrader/2006-min-005.txt')], symbol: 'SX5E', tz: 'UTC', adjust: false, onError: 'fail' });
    const p = new StoreProvider(store);
    expect(await p.symbols()).toEqual(['SX5E']);
    const d = await p.bars('SX5E', parseTimeframe('1d'));
    // 2006-01-02: first 5m bar opens 3578.73 (line 2); daily bars are labelled at midnight.
    expect(d.ts[0]).toBe(Date.UTC(2006, 0, 2));
    expect(d.open[0]).toBe(3578.73);
    const clipped = await p.bars('SX5E', parseTimeframe('5m'), { from: Date.UTC(2006, 0, 3), to: Date.UTC(2006, 0, 4) });
    expect(clipped.ts.every((t) => t >= Date.UTC(2006, 0, 3) && t < Date.UTC(2006, 0, 4))).toBe(true);
    expect(clipped.ts.length).toBeGreaterThan(0);
    await expect(p.bars('SX5E', parseTimeframe('1m'))).rejects.toMatchObject({ message: 'no 1m bars for SX5E', hint: 'the finest stored timeframe is 5m' });
    const syn = new SyntheticProvider({ symbols: 3, bars: 500, seed: 9, timeframe: parseTimeframe('15m') });
    const x = await syn.bars('SYN001', parseTimeframe('15m'));
    const y = await new SyntheticProvider({ symbols: 3, bars: 500, seed: 9, timeframe: parseTimeframe('15m') }).bars('SYN001', parseTimeframe('15m'));
    expect(Array.from(x.close)).toEqual(Array.from(y.close));
    ws.close();
  });

  it('logs go to the workspace log file', async () => {
    const ws = tmpWorkspace();
    const store = new BarStore(ws);
    await importData(ws, store, { paths: [path.join(SHARED, 'backtrader/orcl-2014.txt')], tz: 'UTC', adjust: false, onError: 'fail' });
    ws.close();
    const log = fs.readFileSync(ws.path('logs', 'alphatrade.log'), 'utf8');
    expect(log).toMatch(/"msg":"import"/);
    expect(log).toMatch(/"status":"ok"/);
  });
});
