import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importData } from '../data/importer.ts';
import { BarStore, contentHash } from '../data/store.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import { SHARED, tmpDir, tmpWorkspace } from './helpers/tmp.ts';

const opts = { tz: 'UTC', adjust: false, onError: 'fail' as const };

function snapshot(wsDir: string) {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files[path.relative(wsDir, p)] = fs.readFileSync(p).toString('base64');
    }
  };
  walk(path.join(wsDir, 'bars'));
  return files;
}

describe('import: atomic, reported, stored', async () => {
  it('stores bars whose content hash matches what was read, and loads them back identically', async () => {
    const ws = tmpWorkspace();
    const store = new BarStore(ws);
    const r = await importData(ws, store, { ...opts, paths: [path.join(SHARED, 'backtrader/orcl-2014.txt')] });
    expect(r.status).toBe('ok');
    const info = store.info('ORCL');
    expect(info.rows).toBe(252);
    expect(info.firstTs).toBe(Date.UTC(2014, 0, 2));
    expect(info.lastTs).toBe(Date.UTC(2014, 11, 31));
    const bars = new BarStore(ws).load('ORCL');
    expect(contentHash(bars)).toBe(info.contentHash);
    // orcl-2014.txt last line: 2014-12-31,45.450001,45.560001,44.970001,44.970001,42.303135,13269200
    expect(bars.close[251]).toBe(44.970001);
    expect(bars.volume[251]).toBe(13269200);
    expect(bars.open[251]).toBe(45.450001);
    expect(info.importId).toBe(r.id);
    ws.close();
  });

  it('a failed import of a directory stores nothing, leaves earlier data untouched, and keeps its report', async () => {
    const ws = tmpWorkspace();
    const store = new BarStore(ws);
    expect((await importData(ws, store, { ...opts, paths: [path.join(SHARED, 'backtrader/orcl-2014.txt')] })).status).toBe('ok');
    const before = snapshot(ws.dir);
    const beforeRows = store.list();
    const dir = tmpDir();
    fs.copyFileSync(path.join(SHARED, 'backtrader/nvda-2014.txt'), path.join(dir, 'nvda-2014.txt'));
    // A good ORCL update and a broken file in the same import.
    fs.writeFileSync(path.join(dir, 'orcl.csv'), 'Date,Open,High,Low,Close,Volume\n2015-01-02,1,2,0.5,1.5,10\n');
    fs.writeFileSync(path.join(dir, 'zbad.csv'), 'Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,0.5,1.5,10\n2020-01-03,1,0.4,0.5,1.5,10\n');
    const r = await importData(ws, store, { ...opts, paths: [dir] });
    expect(r.status).toBe('failed');
    expect(r.message).toMatch(/nothing was stored/);
    const bad = r.files.find((f) => f.file.endsWith('zbad.csv'))!;
    expect(bad.findings.some((f) => f.rule === 'high_below_open_close' && f.line === 3 && f.action === 'failed')).toBe(true);
    expect(snapshot(ws.dir)).toEqual(before);
    expect(store.list()).toEqual(beforeRows);
    expect(fs.readdirSync(ws.path('tmp'))).toEqual([]);
    const rec = ws.db.prepare('SELECT status, errors FROM imports WHERE id = ?').get(r.id) as { status: string; errors: number };
    expect(rec.status).toBe('failed');
    expect(rec.errors).toBeGreaterThan(0);
    const f = ws.db.prepare("SELECT line, rule FROM import_findings WHERE import_id = ? AND rule = 'high_below_open_close'").all(r.id);
    expect(f).toEqual([{ line: 3, rule: 'high_below_open_close' }]);
    ws.close();
  });

  it('each broken-file case is reported and fails the import', async () => {
    const cases: [string, string | Buffer, string][] = [
      ['empty.csv', '', 'empty_file'],
      ['bin.csv', Buffer.from([0, 1, 2, 3, 0, 0xff]), 'binary_file'],
      ['header.csv', 'Date,Open,High,Low,Close,Volume\n', 'header_only'],
      ['delim.csv', 'Date:Open:High:Low:Close\n2020-01-02:1:2:0.5:1.5\n', 'unknown_columns'],
      ['cols.csv', 'Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,0.5,1.5,10\n2020-01-03,1,2\n', 'bad_column_count'],
      ['unsorted.csv', 'Date,Open,High,Low,Close,Volume\n2020-01-03,1,2,0.5,1.5,10\n2020-01-02,1,2,0.5,1.5,10\n', 'unsorted_timestamp'],
      ['dup.csv', 'Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,0.5,1.5,10\n2020-01-02,1,2,0.5,1.5,10\n', 'duplicate_timestamp'],
      ['neg.csv', 'Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,0.5,1.5,-10\n', 'negative_volume'],
      ['zero.csv', 'Date,Open,High,Low,Close,Volume\n2020-01-02,0,2,0.5,1.5,10\n', 'non_positive_price'],
      ['future.csv', 'Date,Open,High,Low,Close,Volume\n2020-01-02,1,2,0.5,1.5,10\n2999-01-02,1,2,0.5,1.5,10\n', 'future_timestamp'],
    ];
    for (const [name, content, rule] of cases) {
      const ws = tmpWorkspace();
      const dir = tmpDir();
      fs.writeFileSync(path.join(dir, name), content);
      const r = await importData(ws, new BarStore(ws), { ...opts, paths: [path.join(dir, name)] });
      expect(r.status, name).toBe('failed');
      expect(r.files[0].findings.map((f) => f.rule), name).toContain(rule);
      expect(new BarStore(ws).list(), name).toEqual([]);
      ws.close();
    }
  });

  it('--on-error drop stores the clean rows and lists each dropped row; fix repairs and says how', async () => {
    const csv = ['Date,Open,High,Low,Close,Volume', '2020-01-02,1,2,0.5,1.5,10', '2020-01-03,1,0.9,0.5,0.8,10', '2020-01-06,1,2,0.5,abc,10', '2020-01-07,1,2,0.5,1.5,10'].join('\n');
    const dir = tmpDir();
    const file = path.join(dir, 'TEST.csv');
    fs.writeFileSync(file, csv);
    const ws = tmpWorkspace();
    const store = new BarStore(ws);
    const d = await importData(ws, store, { ...opts, onError: 'drop', paths: [file] });
    expect(d.status).toBe('ok');
    expect(d.files[0].series[0]).toMatchObject({ rowsIn: 4, rowsStored: 2, dropped: 2 });
    const dropped = d.files[0].findings.filter((f) => f.action === 'dropped').map((f) => f.line).sort();
    expect(dropped).toEqual([3, 4]);
    expect(Array.from(store.load('TEST').ts)).toEqual([Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 7)]);

    const ws2 = tmpWorkspace();
    const store2 = new BarStore(ws2);
    const f = await importData(ws2, store2, { ...opts, onError: 'fix', paths: [file] });
    expect(f.status).toBe('ok');
    // line 3: high 0.9 below open 1 → high = max(O,H,L,C) = 1; line 4 (non-numeric close) cannot be fixed → dropped
    expect(f.files[0].series[0]).toMatchObject({ rowsStored: 3, dropped: 1, fixed: 1 });
    const b = store2.load('TEST');
    expect(b.high[1]).toBe(1);
    const fixed = f.files[0].findings.find((x) => x.action === 'fixed')!;
    expect(fixed.line).toBe(3);
    expect(fixed.fixedTo).toBe('1');
    ws.close();
    ws2.close();
  });

  it('a newest-first file with a bad row: the finding names the right line and drop removes that row', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'REV.csv');
    fs.writeFileSync(file, ['Date,Open,High,Low,Close,Volume', '2020-01-07,1,2,0.5,1.5,10', '2020-01-06,1,2,0.5,xx,10', '2020-01-03,1,2,0.5,1.5,10', '2020-01-02,1,2,0.5,1.5,10'].join('\n'));
    const ws = tmpWorkspace();
    const store = new BarStore(ws);
    const r = await importData(ws, store, { ...opts, onError: 'drop', paths: [file] });
    expect(r.status).toBe('ok');
    expect(r.files[0].findings.filter((f) => f.action === 'dropped').map((f) => [f.rule, f.line])).toEqual([['non_numeric', 3]]);
    expect(Array.from(store.load('REV').ts)).toEqual([Date.UTC(2020, 0, 2), Date.UTC(2020, 0, 3), Date.UTC(2020, 0, 7)]);
    ws.close();
  });

  it('many warnings of one rule are listed up to a cap and counted in a summary; dropped rows are never capped', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'ZV.csv');
    const lines = ['Date,Open,High,Low,Close,Volume'];
    // 600 one-minute bars: every second bar has zero volume (300 warnings); 250 bars have a negative volume (dropped).
    for (let i = 0; i < 600; i++) {
      const t = new Date(Date.UTC(2020, 0, 6, 9, 30) + i * 60_000).toISOString().slice(0, 19).replace('T', ' ');
      const v = i % 2 === 0 ? 0 : i % 4 === 1 && i < 1000 && i % 12 !== 1 ? -5 : 10;
      lines.push(`${t},10,10.5,9.5,10.2,${v}`);
    }
    fs.writeFileSync(file, lines.join('\n'));
    const negatives = lines.slice(1).filter((l) => l.endsWith(',-5')).length;
    const ws = tmpWorkspace();
    const r = await importData(ws, new BarStore(ws), { ...opts, onError: 'drop', paths: [file], timeframe: parseTimeframe('1m') });
    expect(r.status).toBe('ok');
    const f = r.files[0].findings;
    expect(f.filter((x) => x.rule === 'negative_volume' && x.action === 'dropped')).toHaveLength(negatives);
    const zero = f.filter((x) => x.rule === 'zero_volume');
    expect(zero.filter((x) => x.line !== undefined)).toHaveLength(200);
    expect(zero.find((x) => x.line === undefined)?.message).toMatch(/^300 rows in all have this warning; the first 200 are listed/);
    ws.close();
  });

  it('imports every file of shared/data in one go and reports what it inferred', async () => {
    const ws = tmpWorkspace();
    const store = new BarStore(ws);
    const r = await importData(ws, store, { ...opts, onError: 'fix', paths: [path.join(SHARED, 'backtesting_py'), path.join(SHARED, 'pypfopt/spy_prices.csv')] });
    expect(r.status).toBe('ok');
    expect(store.symbols()).toEqual(['BTCUSD', 'EURUSD', 'GOOG', 'SPY']);
    expect(store.info('EURUSD').timeframe).toBe('1h');
    expect(store.info('BTCUSD').timeframe).toBe('1mo');
    expect(store.info('SPY').rows).toBe(6765);
    ws.close();
  });
});
