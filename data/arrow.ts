/**
 * Bar files are Arrow IPC (file format), one per symbol and timeframe, six float64 columns, no compression:
 * reading one back is a zero-copy view of the file's bytes (apache-arrow's toArray() on a single-chunk, null-free
 * float64 column returns a Float64Array over the buffer), which is what makes loading the universe cheap.
 */
import fs from 'node:fs';
import { makeTable, tableFromIPC, tableToIPC } from 'apache-arrow';
import { DataError } from '../src/errors.ts';
import { BAR_FIELDS, type BarSeries } from '../src/types.ts';
import type { Timeframe } from '../src/timeframe.ts';

export function encodeBars(bars: BarSeries): Uint8Array {
  const table = makeTable({ ts: bars.ts, open: bars.open, high: bars.high, low: bars.low, close: bars.close, volume: bars.volume });
  return tableToIPC(table, 'file');
}

export function decodeBars(buf: Uint8Array, symbol: string, timeframe: Timeframe, tz: string, file = '(buffer)'): BarSeries {
  let table;
  try {
    table = tableFromIPC(buf);
  } catch (e) {
    throw new DataError(`bar file is not valid Arrow IPC: ${(e as Error).message}`, { file });
  }
  const col = (name: (typeof BAR_FIELDS)[number]): Float64Array => {
    const v = table.getChild(name);
    if (!v) throw new DataError(`bar file has no column "${name}"`, { file });
    const a = v.toArray();
    if (!(a instanceof Float64Array)) throw new DataError(`column "${name}" is not float64`, { file });
    return a;
  };
  return { symbol, timeframe, tz, ts: col('ts'), open: col('open'), high: col('high'), low: col('low'), close: col('close'), volume: col('volume') };
}

export function readBarFile(file: string, symbol: string, timeframe: Timeframe, tz: string): BarSeries {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new DataError(`cannot read bar file: ${(e as Error).message}`, { file });
  }
  return decodeBars(buf, symbol, timeframe, tz, file);
}
