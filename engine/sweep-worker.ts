// Worker-thread body for sweeps (piscina): runs a chunk of grid combinations on series shared with the main thread
// (SharedArrayBuffer columns: no copy per task).
import { requireBuiltin } from './strategies/index.ts';
import { loadStrategyFile } from './strategy-loader.ts';
import type { Strategy } from './strategy.ts';
import { comboAt, CSCV_BLOCKS, pboCscv, runCombo, type ComboResult, type ParamGrid } from './sweep.ts';
import type { RunOptions } from './run.ts';
import type { BarSeries } from '../src/types.ts';

export interface SweepTask {
  strategy: { builtin?: string; file?: string };
  tmpDir?: string;
  series: BarSeries[];
  options: Omit<RunOptions, 'params' | 'strategy' | 'series' | 'progress' | 'signal'> & { periods?: number };
  grid: ParamGrid;
  indices: number[];
}

const strategies = new Map<string, Strategy>();

/** A share of the PBO splits: masks [from, to) of the CSCV over these combinations' block sums. */
export interface PboTask {
  pbo: { blocks: number[][]; masks: [number, number] };
}

export default async function sweepTask(t: SweepTask | PboTask): Promise<ComboResult[] | number[]> {
  if ('pbo' in t) return pboCscv(t.pbo.blocks, CSCV_BLOCKS, t.pbo.masks).logits;
  const key = t.strategy.builtin ?? t.strategy.file!;
  let s = strategies.get(key);
  if (!s) {
    s = t.strategy.builtin ? requireBuiltin(t.strategy.builtin) : await loadStrategyFile(t.strategy.file!, { tmpDir: t.tmpDir });
    strategies.set(key, s);
  }
  const o = { ...t.options, strategy: s, series: t.series };
  return t.indices.map((k) => runCombo(o, comboAt(t.grid, k), k));
}
