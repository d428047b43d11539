import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, cli } from './helpers/cli.ts';
import { ROOT, SHARED, tmpDir } from './helpers/tmp.ts';

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

describe('the alphatrade executable', () => {
  it('--version prints the package version', () => {
    const r = bin(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(`alphatrade ${pkg.version}`);
  });

  it('an unknown command exits 2 with the nearest name and no stack trace', () => {
    const r = bin(['dat', 'imprt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "dat imprt"/);
    expect(r.stderr).toMatch(/did you mean "data import"/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it('a failure exits 1 with a clear message; --debug adds the stack', () => {
    const ws = tmpDir();
    const r = bin(['data', 'import', 'no-such-file.csv', '--workspace', ws]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no-such-file\.csv: no such file or directory/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const d = bin(['data', 'import', 'no-such-file.csv', '--workspace', ws, '--debug']);
    expect(d.code).toBe(1);
    expect(d.stderr).toMatch(/\n\s+at /);
  });
});

describe('CLI parsing and help', () => {
  it('help lists every command; command --help lists its flags from the schema', async () => {
    const h = await cli(['help']);
    expect(h.code).toBe(0);
    for (const c of ['data import', 'data list', 'data show', 'data resample', 'data delete', 'data generate', 'config get', 'config set', 'config list']) expect(h.stdout).toContain(c);
    const c = await cli(['data', 'import', '--help']);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/--on-error fail\|drop\|fix/);
    expect(c.stdout).toMatch(/--tz TZ/);
    expect(c.stdout).toMatch(/--adjust/);
    const h2 = await cli(['help', 'data', 'show']);
    expect(h2.stdout).toMatch(/--tail N/);
  });

  it('unknown flags and bad values exit 2 with a suggestion', async () => {
    const f = await cli(['data', 'import', 'x.csv', '--symbl', 'X']);
    expect(f.code).toBe(2);
    expect(f.stderr).toMatch(/unknown flag --symbl/);
    expect(f.stderr).toMatch(/did you mean --symbol/);
    const e = await cli(['data', 'import', 'x.csv', '--on-error', 'dorp']);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/did you mean drop/);
    const n = await cli(['data', 'generate', '--symbols', 'many']);
    expect(n.code).toBe(2);
    expect(n.stderr).toMatch(/--symbols expects a number/);
    const m = await cli(['data', 'import']);
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/PATHS/);
    const t = await cli(['data', 'import', 'x.csv', '--timeframe', '7x']);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/--timeframe/);
  });
});

describe('data commands end to end (in-process)', () => {
  it('import → list → show → resample → delete, text and JSON', async () => {
    const ws = tmpDir();
    const W = ['--workspace', ws];
    const imp = await cli(['data', 'import', path.join(SHARED, 'backtrader/2006-min-005.txt'), '--symbol', 'SX5E', '--tz', 'Europe/Berlin', '--json', ...W]);
    expect(imp.code).toBe(0);
    const rep = imp.json();
    expect(rep.status).toBe('ok');
    expect(rep.files[0].series[0]).toMatchObject({ symbol: 'SX5E', timeframe: '5m', rowsIn: 2142, rowsStored: 2142 });

    const list = (await cli(['data', 'list', '--json', ...W])).json();
    expect(list.sets).toHaveLength(1);
    expect(list.sets[0]).toMatchObject({ symbol: 'SX5E', timeframe: '5m', rows: 2142, tz: 'Europe/Berlin' });

    const show = (await cli(['data', 'show', 'SX5E', '--head', '2', '--json', ...W])).json();
    // 2006-01-02,09:05:00,3578.73,3587.88,3578.73,3582.99,0,0 — 09:05 Berlin = 08:05 UTC
    expect(show.bars[0]).toEqual({ ts: Date.UTC(2006, 0, 2, 8, 5), open: 3578.73, high: 3587.88, low: 3578.73, close: 3582.99, volume: 0 });
    const text = await cli(['data', 'show', 'SX5E', '--head', '1', ...W]);
    expect(text.stdout).toMatch(/2006-01-02 09:05\s+3578\.73\s+3587\.88\s+3578\.73\s+3582\.99\s+0/);

    const rs = (await cli(['data', 'resample', 'SX5E', '--to', '1h', '--json', ...W])).json();
    expect(rs.to).toBe('1h');
    const h = (await cli(['data', 'show', 'SX5E', '--timeframe', '1h', '--head', '1', '--json', ...W])).json();
    // The first hour bucket (09:00-10:00 Berlin) holds 09:05..09:55 = 11 five-minute bars; open = first open.
    expect(h.bars[0].ts).toBe(Date.UTC(2006, 0, 2, 8, 0));
    expect(h.bars[0].open).toBe(3578.73);

    const miss = await cli(['data', 'show', 'SX5F', ...W]);
    expect(miss.code).toBe(1);
    expect(miss.stderr).toMatch(/did you mean SX5E/);

    const del = await cli(['data', 'delete', 'SX5E', '--json', ...W]);
    expect(del.json().removed).toHaveLength(2);
    expect((await cli(['data', 'list', '--json', ...W])).json().sets).toHaveLength(0);
  });

  it('data show lists what the import dropped, with file and line; --findings lists every finding', async () => {
    const ws = tmpDir();
    const W = ['--workspace', ws];
    const file = path.join(tmpDir(), 'TEST.csv');
    fs.writeFileSync(file, ['Date,Open,High,Low,Close,Volume', '2020-01-02,1.5,2,1,1.5,10', '2020-01-03,1.5,2,1,abc,10', '2020-01-06,1.5,2,1,1.6,0'].join('\n'));
    expect((await cli(['data', 'import', file, '--on-error', 'drop', '--timeframe', '1d', ...W])).code).toBe(0);
    const show = (await cli(['data', 'show', 'TEST', '--json', ...W])).json();
    expect(show.findings.map((f: { rule: string; line: number; action: string }) => [f.rule, f.line, f.action])).toEqual([['non_numeric', 3, 'dropped']]);
    const all = (await cli(['data', 'show', 'TEST', '--findings', '--json', ...W])).json();
    expect(all.findingCount).toBe(2);
    expect(all.findings.map((f: { rule: string; line: number }) => [f.rule, f.line])).toEqual([['non_numeric', 3], ['zero_volume', 4]]);
    const text = await cli(['data', 'show', 'TEST', ...W]);
    expect(text.stdout).toMatch(/TEST\.csv:3: error non_numeric \[Close\]: "abc" is not a number \(dropped\)/);
  });

  it('config get/set/list: validated, stored per workspace, overridden by the environment', async () => {
    const ws = tmpDir();
    const W = ['--workspace', ws];
    expect((await cli(['config', 'get', 'data.tz', ...W])).stdout.trim()).toBe('UTC');
    const s = await cli(['config', 'set', 'data.tz', 'America/New_York', ...W]);
    expect(s.code).toBe(0);
    expect((await cli(['config', 'get', 'data.tz', '--json', ...W])).json()).toMatchObject({ value: 'America/New_York', source: 'file' });
    const bad = await cli(['config', 'set', 'data.onError', 'explode', ...W]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/invalid value for data.onError/);
    const typo = await cli(['config', 'get', 'data.tzz', ...W]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/did you mean data.tz/);
    const env = await cli(['config', 'get', 'data.onError', '--json', ...W], { ALPHATRADE_DATA_ON_ERROR: 'fix' });
    expect(env.json()).toMatchObject({ value: 'fix', source: 'env' });
    const list = (await cli(['config', 'list', '--json', ...W])).json();
    expect(list.settings.map((x: { key: string }) => x.key)).toContain('log.level');
    expect(fs.existsSync(path.join(ws, 'logs'))).toBe(true);
  });
});
