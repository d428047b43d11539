/**
 * Users' own strategies (files compiled at run time), `strategies list/new`, the look-ahead check, and the
 * console's reload on save.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildRegistry } from '../commands/index.ts';
import { ConsoleSession } from '../commands/session.ts';
import { loadFile } from '../data/loader.ts';
import { checkLookahead } from '../engine/lookahead.ts';
import { runStrategy } from '../engine/run.ts';
import { BUILTIN_STRATEGIES, requireBuiltin } from '../engine/strategies/index.ts';
import { loadStrategyFile, resolveStrategy } from '../engine/strategy-loader.ts';
import { cli } from './helpers/cli.ts';
import { ROOT, tmpDir, tmpWorkspace } from './helpers/tmp.ts';

const ORCL_FILE = path.join(ROOT, 'demo/data/orcl-1995-2014.txt');
const ORCL = loadFile(ORCL_FILE, { tz: 'America/New_York', symbol: 'ORCL' }).series[0].bars;
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** sma_cross written as a user would, importing the helpers from 'alphatrade' */
const MY_SMA = (fast: number) => `
import { CrossTracker, defineStrategy, goTo, num } from 'alphatrade';
export default defineStrategy({
  name: 'my_sma',
  description: 'sma_cross, as a user file',
  universe: 'single',
  params: { fast: { type: 'int', default: ${fast}, min: 2, description: 'fast' }, slow: { type: 'int', default: 30, min: 2, description: 'slow' } },
  init(ctx) {
    const f = ctx.symbols.map((_, s) => ctx.indicator(s, 'sma', [num(ctx.params, 'fast')]));
    const sl = ctx.symbols.map((_, s) => ctx.indicator(s, 'sma', [num(ctx.params, 'slow')]));
    const x = ctx.symbols.map(() => new CrossTracker());
    return {
      onBar(c) {
        for (let u = 0; u < c.nUpdated; u++) {
          const s = c.updated[u];
          const k = x[s].update(f[s].value(), sl[s].value());
          if (k > 0) goTo(c, s, 1);
          else if (k < 0) goTo(c, s, 0);
        }
      },
    };
  },
});
`;

describe('user strategy files', () => {
  it('a file importing from alphatrade compiles and gives exactly the built-in sma_cross result', async () => {
    const dir = tmpDir('at-us-');
    fs.writeFileSync(path.join(dir, 'my_sma.ts'), MY_SMA(10));
    const mine = await resolveStrategy('my_sma', { strategiesDir: dir, tmpDir: dir });
    expect(mine.name).toBe('my_sma');
    const opts = { series: [ORCL], commission: 'pct:0.001', params: { fast: 10, slow: 30 } };
    const a = runStrategy({ ...opts, strategy: mine });
    const b = runStrategy({ ...opts, strategy: requireBuiltin('sma_cross') });
    expect(a.trades.length).toBeGreaterThan(20);
    expect(a.trades).toEqual(b.trades);
    expect(a.finalEquity).toBe(b.finalEquity);
  });

  it('an edited file is recompiled: the new code runs', async () => {
    const dir = tmpDir('at-us-');
    const file = path.join(dir, 'my_sma.ts');
    fs.writeFileSync(file, MY_SMA(10));
    const s1 = await loadStrategyFile(file, { tmpDir: dir });
    fs.writeFileSync(file, MY_SMA(20));
    const s2 = await loadStrategyFile(file, { tmpDir: dir });
    expect(s1.params.fast.default).toBe(10);
    expect(s2.params.fast.default).toBe(20);
    const r1 = runStrategy({ strategy: s1, series: [ORCL] });
    const r2 = runStrategy({ strategy: s2, series: [ORCL] });
    expect(r1.finalEquity).not.toBe(r2.finalEquity);
  });

  it('a syntax error is reported as file:line:column', async () => {
    const dir = tmpDir('at-us-');
    const file = path.join(dir, 'broken.ts');
    fs.writeFileSync(file, "import { defineStrategy } from 'alphatrade';\n\nexport default defineStrategy({\n  name: 'broken',\n  init(ctx) { return { onBar(c) { if ( } } },\n});\n");
    await expect(loadStrategyFile(file, { tmpDir: dir })).rejects.toThrow(new RegExp(`^${file.replace(/[.]/g, '\\.')}:5:\\d+: `));
  });

  it('a file that is not a strategy says what is missing', async () => {
    const dir = tmpDir('at-us-');
    const file = path.join(dir, 'half.ts');
    fs.writeFileSync(file, "export default { name: 'Half Done', universe: 'single', params: {} };\n");
    await expect(loadStrategyFile(file, { tmpDir: dir })).rejects.toThrow(/name must be a lower-case identifier.*description .* is missing.*init\(ctx\) must be a function/);
  });

  it('strategies new writes a template that compiles, trades, and passes the look-ahead check; list shows it', async () => {
    const ws = tmpDir('at-ws-');
    const n = await cli(['--workspace', ws, 'strategies', 'new', 'my_first']);
    expect(n.code).toBe(0);
    const file = path.join(ws, 'strategies', 'my_first.ts');
    expect(fs.existsSync(file)).toBe(true);
    expect((await cli(['--workspace', ws, 'strategies', 'new', 'my_first'])).code).toBe(2); // no overwrite without --force
    const bt = await cli(['--workspace', ws, 'backtest', '--strategy', 'my_first', '--data', ORCL_FILE, '--tz', 'America/New_York', '--json']);
    expect(bt.stderr).toBe('');
    expect(bt.json().trades.length).toBeGreaterThan(10);
    const chk = await cli(['--workspace', ws, 'check', 'lookahead', '--strategy', 'my_first', '--data', ORCL_FILE, '--tz', 'America/New_York', '--cuts', '3', '--json']);
    expect(chk.code).toBe(0);
    expect(chk.json()).toMatchObject({ strategy: 'my_first', ok: true });
    fs.writeFileSync(path.join(ws, 'strategies', 'oops.ts'), 'export default 3 +;\n');
    const list = (await cli(['--workspace', ws, 'strategies', 'list', '--json'])).json();
    expect(list.strategies.filter((s: { builtin: boolean }) => s.builtin).map((s: { name: string }) => s.name)).toEqual([...BUILTIN_STRATEGIES.map((s) => s.name), 'alpha_ml']);
    expect(list.strategies.find((s: { name: string }) => s.name === 'my_first')).toMatchObject({ builtin: false, universe: 'single', file });
    expect(list.strategies.find((s: { name: string }) => s.name === 'oops').error).toMatch(/oops\.ts:1:\d+:/);
    const sma = list.strategies.find((s: { name: string }) => s.name === 'sma_cross');
    expect(sma.params.map((p: { name: string }) => p.name)).toEqual(['fast', 'slow', 'short']);
  });
});

describe('look-ahead check', () => {
  it('every built-in strategy passes', () => {
    const NVDA = loadFile(path.join(ROOT, 'demo/data/nvda-1999-2014.txt'), { tz: 'America/New_York', symbol: 'NVDA' }).series[0].bars;
    for (const s of BUILTIN_STRATEGIES) {
      const series = s.universe === 'single' ? [ORCL] : [ORCL, NVDA];
      const r = checkLookahead({ strategy: s, series, cuts: 3, sizer: 'percent:50', leverage: 2 });
      expect(r.error, s.name).toBeUndefined();
      expect(r.ok, `${s.name}: ${r.first?.detail}`).toBe(true);
      expect(r.cuts).toHaveLength(3);
    }
  });

  it('a strategy that peeks at the next bar through the engine internals is caught at the first cut', async () => {
    const dir = tmpDir('at-us-');
    const file = path.join(dir, 'peek.ts');
    // places a far-away limit order each bar whose price is derived from the NEXT bar's close (a cheat)
    fs.writeFileSync(
      file,
      `export default { name: 'peek', description: 'cheats', universe: 'single', params: {},
        init() { return { onBar(c: any) {
          const s = 0; const i = c.count(s);
          const next = c.series[s].close[i];
          if (next > 0) c.buy(s, 1, { type: 'limit', limitPrice: next / 1000, tif: 'day' });
        } }; } };\n`,
    );
    const peek = await loadStrategyFile(file, { tmpDir: dir });
    const r = checkLookahead({ strategy: peek, series: [ORCL], cuts: 10 });
    expect(r.ok).toBe(false);
    // the first cut is at step floor(n × (0.1 + 0.85 × 0.5 / 10)); the order placed on that very bar reads the changed bar after it
    const k = Math.floor(ORCL.ts.length * (0.1 + (0.85 * 0.5) / 10));
    expect(r.first).toMatchObject({ index: k, time: new Date(ORCL.ts[k]).toISOString(), what: 'order' });
    const out = await cli(['check', 'lookahead', '--strategy-file', file, '--data', ORCL_FILE, '--tz', 'America/New_York']);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(new RegExp(`LOOK-AHEAD — the first decision that depends on later bars is at ${new Date(ORCL.ts[k]).toISOString()} \\(bar ${k}\\)`));
  });
});

describe('console: a saved strategy file is reloaded', () => {
  it('reruns the shown backtest on save and shows compile errors with file:line', async () => {
    const ws = tmpWorkspace();
    const session = new ConsoleSession(ws, buildRegistry(), { cwd: ROOT });
    try {
      const file = ws.path('strategies', 'my_sma.ts');
      fs.writeFileSync(file, MY_SMA(10));
      await tick(400); // let the watcher see (and ignore, nothing shown yet) the new file
      session.run(`backtest --strategy my_sma --data ${ORCL_FILE} --tz America/New_York`);
      for (let i = 0; i < 200 && session.getState().backtests.length === 0; i++) await tick(50);
      const first = session.getState().backtests[0].summary;
      expect(first.params.fast).toBe(10);
      fs.writeFileSync(file, MY_SMA(25));
      for (let i = 0; i < 200 && session.getState().backtests.length < 2; i++) await tick(50);
      const second = session.getState().backtests[0].summary;
      expect(second.params.fast).toBe(25);
      expect(second.final_equity).not.toBe(first.final_equity);
      fs.writeFileSync(file, MY_SMA(25).replace('goTo(c, s, 1);', 'goTo(c, s, 1;'));
      for (let i = 0; i < 100 && session.getState().message?.tone !== 'error'; i++) await tick(50);
      expect(session.getState().message?.text).toMatch(/^strategies\/my_sma\.ts:\d+:\d+: /);
    } finally {
      await session.close();
      ws.close();
    }
  });
});
