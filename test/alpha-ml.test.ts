/**
 * alpha_ml through the real inference path: a registered ONNX model on the feature `rsi_14` (a stump: RSI ≤ 30 →
 * margin +3, else −3), so the strategy must be long exactly while RSI(14) ≤ 30 and flat otherwise. Expected decisions
 * come from the RSI indicator computed here on its own, not from the strategy.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { specByName } from '../data/indicators/index.ts';
import { loadFile } from '../data/loader.ts';
import { ensembleToOnnx } from '../models/onnx.ts';
import { cli } from './helpers/cli.ts';
import { ROOT, tmpDir } from './helpers/tmp.ts';

const ORCL = path.join(ROOT, 'demo/data/orcl-1995-2014.txt');

describe('alpha_ml', () => {
  it('is long exactly while the model says so (RSI ≤ 30), in both engines; no models is a usage error', async () => {
    const ws = tmpDir('at-aml-');
    const dir = tmpDir('at-aml-in-');
    const onnx = path.join(dir, 'rsi.onnx');
    fs.writeFileSync(
      onnx,
      ensembleToOnnx({
        kind: 'binary',
        nFeatures: 1,
        baseScore: 0,
        trees: [{ isLeaf: Uint8Array.of(0, 1, 1), feature: Int32Array.of(0, 0, 0), threshold: Float64Array.of(30, 0, 0), left: Int32Array.of(1, 0, 0), right: Int32Array.of(2, 0, 0), missingLeft: Uint8Array.of(0, 0, 0), leaf: Float64Array.of(0, 3, -3) }],
      }),
    );
    fs.writeFileSync(path.join(dir, 'f.json'), '["rsi_14"]');
    expect((await cli(['--workspace', ws, 'models', 'import', onnx, '--features', path.join(dir, 'f.json')])).code).toBe(0);
    const args = ['--workspace', ws, 'backtest', '--strategy', 'alpha_ml', '--param', 'models=1', '--data', ORCL, '--tz', 'America/New_York', '--no-save', '--json'];
    const ev = await cli(args);
    expect(ev.code, ev.stderr).toBe(0);
    const vec = (await cli([...args, '--mode', 'vectorized'])).json();
    const e = ev.json();
    expect(vec.trades).toEqual(e.trades);
    // independently: the bars whose RSI(14) (as float32, like the model's input) is ≤ 30 start and end the positions
    const S = loadFile(ORCL, { tz: 'America/New_York', symbol: 'ORCL' }).series[0].bars;
    const rsi = specByName('rsi')!.batch(S, [14])[0];
    const want: { entry: string; exit: string | null }[] = [];
    let open: number | null = null;
    for (let i = 0; i < rsi.length - 1; i++) {
      if (!(rsi[i] === rsi[i])) continue;
      const long = Math.fround(rsi[i]) <= 30;
      if (long && open === null) open = i + 1; // filled at the next bar's open
      else if (!long && open !== null) {
        want.push({ entry: new Date(S.ts[open]).toISOString(), exit: new Date(S.ts[i + 1]).toISOString() });
        open = null;
      }
    }
    if (open !== null) want.push({ entry: new Date(S.ts[open]).toISOString(), exit: null });
    expect(e.trades.map((t: { entry_time: string; exit_time: string | null }) => ({ entry: t.entry_time, exit: t.exit_time }))).toEqual(want);
    expect(want.length).toBeGreaterThan(10);
    const none = await cli(['--workspace', ws, 'backtest', '--strategy', 'alpha_ml', '--data', ORCL, '--tz', 'America/New_York', '--no-save']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/needs --param models=ID/);
  });
});
