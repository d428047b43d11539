/**
 * Worker thread of parallel binning (piscina task), in shared memory: phase `edges` chooses the edges of a range of
 * features; phase `bins` bins a range of rows for every feature into its part of the matrix.
 */
import { binFeatures, edgesFor } from './binning.ts';

export type BinTask =
  | { mode: 'edges'; cols: Float64Array[]; rows: Int32Array | null; pos: Int32Array; maxBin: number; F: number; f0: number; f1: number }
  | { mode: 'bins'; cols: Float64Array[]; rows: Int32Array | null; edges: Float64Array[]; F: number; bins: { buffer: SharedArrayBuffer; offset: number; length: number } };

export default function binTask(t: BinTask): Float64Array[] | null {
  if (t.mode === 'edges') return edgesFor(t.cols, t.rows, t.pos, t.maxBin, t.f0, t.f1);
  binFeatures(t.cols, t.rows, t.edges, new Uint8Array(t.bins.buffer, t.bins.offset, t.bins.length), null, t.F, 0, t.F);
  return null;
}
