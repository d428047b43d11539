/** Worker thread of parallel binning (piscina task): edges and bins of a range of features, in shared memory. */
import { binFeatures, edgesFor } from './binning.ts';

export interface BinTask {
  /** every feature column (SharedArrayBuffer-backed: no copy) */
  cols: Float64Array[];
  rows: Int32Array | null;
  pos: Int32Array;
  maxBin: number;
  bins: { buffer: SharedArrayBuffer; offset: number; length: number };
  all: { buffer: SharedArrayBuffer; offset: number; length: number } | null;
  F: number;
  f0: number;
  f1: number;
}

export default function binTask(t: BinTask): Float64Array[] {
  const mine = edgesFor(t.cols, t.rows, t.pos, t.maxBin, t.f0, t.f1);
  const edges: Float64Array[] = new Array(t.F);
  mine.forEach((e, k) => (edges[t.f0 + k] = e));
  const bins = new Uint8Array(t.bins.buffer, t.bins.offset, t.bins.length);
  const all = t.all ? new Uint8Array(t.all.buffer, t.all.offset, t.all.length) : null;
  binFeatures(t.cols, t.rows, edges, bins, all, t.F, t.f0, t.f1);
  return mine;
}
