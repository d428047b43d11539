/**
 * The engine reads bars through a DataProvider, never from files or the catalog directly: the stored-data
 * provider, the synthetic one (for scale tests) and, later, Alpaca's historical bars all look the same.
 */
import { NotFoundError } from '../src/errors.ts';
import { parseTimeframe, type Timeframe } from '../src/timeframe.ts';
import { lowerBound, sliceBars, type BarSeries } from '../src/types.ts';
import { resample } from './resample.ts';
import type { BarStore } from './store.ts';
import { generateSeries, symbolName, symbolRng, type SyntheticOptions } from './synthetic.ts';

export interface TimeRange {
  from?: number;
  /** exclusive */
  to?: number;
}

export interface DataProvider {
  readonly name: string;
  symbols(): Promise<string[]>;
  bars(symbol: string, timeframe: Timeframe, range?: TimeRange): Promise<BarSeries>;
}

export function clipRange(bars: BarSeries, range?: TimeRange): BarSeries {
  if (!range || (range.from === undefined && range.to === undefined)) return bars;
  const a = range.from === undefined ? 0 : lowerBound(bars.ts, range.from);
  const b = range.to === undefined ? bars.ts.length : lowerBound(bars.ts, range.to);
  return sliceBars(bars, a, b);
}

/** Bars from the workspace store; a coarser timeframe than stored is resampled from the finest stored one. */
export class StoreProvider implements DataProvider {
  readonly name = 'store';
  constructor(private store: BarStore) {}
  async symbols(): Promise<string[]> {
    return this.store.symbols();
  }
  async bars(symbol: string, timeframe: Timeframe, range?: TimeRange): Promise<BarSeries> {
    if (this.store.has(symbol.toUpperCase(), timeframe.label)) return clipRange(this.store.load(symbol, timeframe.label), range);
    const finest = this.store.info(symbol);
    const base = this.store.load(symbol, finest.timeframe);
    if (parseTimeframe(finest.timeframe).ms >= timeframe.ms && timeframe.unit !== 'mo') {
      throw new NotFoundError(`no ${timeframe.label} bars for ${symbol.toUpperCase()}`, `the finest stored timeframe is ${finest.timeframe}`);
    }
    return clipRange(resample(base, timeframe), range);
  }
}

/** A seeded synthetic universe, generated on demand (symbols SYN000, SYN001, ...). */
export class SyntheticProvider implements DataProvider {
  readonly name = 'synthetic';
  constructor(private opts: Omit<SyntheticOptions, 'timeframe'> & { timeframe?: Timeframe }) {}
  async symbols(): Promise<string[]> {
    return Array.from({ length: this.opts.symbols }, (_, i) => symbolName(i));
  }
  async bars(symbol: string, timeframe: Timeframe, range?: TimeRange): Promise<BarSeries> {
    const names = await this.symbols();
    const i = names.indexOf(symbol.toUpperCase());
    if (i < 0) throw new NotFoundError(`synthetic universe has no symbol ${symbol}`, `symbols are ${names[0]}..${names[names.length - 1]}`);
    const tf = this.opts.timeframe ?? timeframe;
    const s = generateSeries(names[i], { ...this.opts, timeframe: tf }, symbolRng(this.opts.seed, i));
    return clipRange(tf.label === timeframe.label ? s : resample(s, timeframe), range);
  }
}
