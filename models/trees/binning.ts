/**
 * Feature binning for the histogram tree learner: each feature's values become bin numbers in a Uint8 matrix.
 *
 * Bin 0 holds missing values (NaN). Values go to bins 1..k by upper edges e_1 < … < e_{k−1}: x ≤ e_1 → 1,
 * e_{b−1} < x ≤ e_b → b, x > e_{k−1} → k (k ≤ maxBin ≤ 255). A split "bins 1..t left" is then exactly the raw test
 * x ≤ e_t, which is what ONNX's BRANCH_LEQ node evaluates. Edges are float32 numbers and values are compared after
 * rounding to float32 (Math.fround), as onnxruntime compares float32 inputs: a row lands in the same leaf in training,
 * in our predictor and in onnxruntime.
 *
 * Edges (LightGBM's scheme, simplified): from a seeded sample of at most `sampleRows` values, the distinct values and
 * their counts; if there are at most maxBin distinct values each gets a bin (edges at midpoints); otherwise bins of
 * about equal count are formed greedily over the distinct values (a heavy value gets a bin of its own).
 *
 * The matrix is row-major (row r's F bins are contiguous): the histogram kernel reads one row's bytes and its
 * gradient once, and scatters into all features' histograms (see hist.ts for why).
 */
import { Rng } from '../../src/rng.ts';

export interface BinEdges {
  /** per feature: upper edges of value bins (float32 values), length k − 1 */
  edges: Float64Array[];
  /** per feature: number of bins including the missing bin 0 (k + 1) */
  nBins: Int32Array;
}

export interface BinnedMatrix extends BinEdges {
  n: number;
  F: number;
  /** row-major n × F bin numbers */
  bins: Uint8Array;
  /**
   * the same bins column-major (feature f's bins at f·n), kept for training: partitioning a leaf's rows by one feature
   * then reads consecutive bytes instead of one cache line per row
   */
  colBins?: Uint8Array;
  /** set when `bins` lives in a WebAssembly memory made for training (see binForTraining in learner.ts) */
  kernel?: { memory: unknown; ptr: number };
}

export interface BinOptions {
  /** value bins per feature, at most 255 (default 255) */
  maxBin?: number;
  /** rows sampled to choose the edges (default 200,000) */
  sampleRows?: number;
  seed?: number;
}

/**
 * Order-preserving int32 keys of float32 bit patterns: a negative float has its low 31 bits flipped, so signed key
 * order is numeric order (−0 is taken as +0). Int32 rather than uint32 so V8 keeps every value a small integer. Not
 * for NaN.
 */
function keysOf(bits: Int32Array, out: Int32Array): void {
  for (let i = 0; i < bits.length; i++) {
    const u = bits[i];
    const k = u < 0 ? u ^ 0x7fffffff : u;
    out[i] = k === -1 ? 0 : k;
  }
}

const count16 = new Int32Array(65536);
/**
 * Sorted order keys of float32 values (no NaN), by an LSD radix sort in two 16-bit passes. Our own because
 * TypedArray.prototype.sort takes ~40 ms per 200,000 values here and binning sorts one sample per feature (167 of
 * them); the radix sort takes a few ms.
 */
function sortedKeys(vals: Float32Array): Int32Array {
  const n = vals.length;
  const a = new Int32Array(n);
  keysOf(new Int32Array(vals.buffer, vals.byteOffset, n), a);
  const b = new Int32Array(n);
  for (let pass = 0; pass < 2; pass++) {
    const src = pass ? b : a;
    const dst = pass ? a : b;
    count16.fill(0);
    // digit: low 16 bits, then the high 16 bits with the sign flipped (signed order)
    if (pass === 0) for (let i = 0; i < n; i++) count16[src[i] & 0xffff]++;
    else for (let i = 0; i < n; i++) count16[(src[i] >> 16) + 32768]++;
    let sum = 0;
    for (let k = 0; k < 65536; k++) {
      const c = count16[k];
      count16[k] = sum;
      sum += c;
    }
    if (pass === 0)
      for (let i = 0; i < n; i++) {
        const v = src[i];
        dst[count16[v & 0xffff]++] = v;
      }
    else
      for (let i = 0; i < n; i++) {
        const v = src[i];
        dst[count16[(v >> 16) + 32768]++] = v;
      }
  }
  return a;
}

const scratchI = new Int32Array(1);
const scratchF = new Float32Array(scratchI.buffer);
/** The float32 value of an order key. */
function keyValue(k: number): number {
  scratchI[0] = k < 0 ? k ^ 0x7fffffff : k;
  return scratchF[0];
}

/** Edges of one feature from its (non-missing) sample values, compared as float32. */
export function edgesOf(sample: Float64Array | Float32Array, maxBin: number): Float64Array {
  const s = sortedKeys(sample instanceof Float32Array ? sample : Float32Array.from(sample));
  const m = s.length;
  if (m === 0) return new Float64Array(0);
  const mid = (ka: number, kb: number) => {
    const a = keyValue(ka);
    const b = keyValue(kb);
    const e = Math.fround((a + b) / 2);
    return e >= a && e < b ? e : a; // a is a float32 value too: x ≤ a still separates a from b
  };
  let d = 1;
  for (let i = 1; i < m; i++) if (s[i] !== s[i - 1]) d++;
  const out: number[] = [];
  if (d <= maxBin) {
    for (let i = 1; i < m; i++) if (s[i] !== s[i - 1]) out.push(mid(s[i - 1], s[i]));
    return Float64Array.from(out);
  }
  // greedy equal-count bins over the runs of equal values: close a bin when its count reaches the mean count of the
  // bins still to form, or when the next run would overfill it (a heavy value gets a bin of its own)
  let left = m;
  let binsLeft = maxBin;
  let cum = 0;
  for (let i = 0; i < m && binsLeft > 1; ) {
    let j = i + 1;
    while (j < m && s[j] === s[i]) j++;
    if (j >= m) break;
    cum += j - i;
    let k = j + 1;
    while (k < m && s[k] === s[j]) k++;
    const target = left / binsLeft;
    if (cum >= target || cum + (k - j) > target * 1.5) {
      out.push(mid(s[i], s[j]));
      left -= cum;
      cum = 0;
      binsLeft--;
    }
    i = j;
  }
  return Float64Array.from(out);
}

/** Bin of float32-rounded value xf (not NaN) given edges: 1 + #{e < xf}. */
export function binOf(edges: Float64Array, xf: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const m = (lo + hi) >>> 1;
    if (edges[m] < xf) lo = m + 1;
    else hi = m;
  }
  return lo + 1;
}

/** A seeded sample of `take` of n row positions, ascending (one sample serves every feature). */
export function samplePositions(n: number, take: number, seed: number): Int32Array {
  if (take >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(seed);
  const mark = new Uint8Array(n);
  let k = 0;
  while (k < take) {
    const i = Math.floor(rng.next() * n);
    if (!mark[i]) {
      mark[i] = 1;
      k++;
    }
  }
  const pos = new Int32Array(take);
  for (let i = 0, j = 0; i < n; i++) if (mark[i]) pos[j++] = i;
  return pos;
}

/** Edges of features [f0, f1) from the sampled positions `pos` (of rows `rows`, default all). */
export function edgesFor(cols: ArrayLike<number>[], rows: Int32Array | null, pos: Int32Array, maxBin: number, f0: number, f1: number): Float64Array[] {
  const take = pos.length;
  const buf = new Float32Array(take);
  const out: Float64Array[] = [];
  for (let f = f0; f < f1; f++) {
    const c = cols[f];
    let k = 0;
    for (let i = 0; i < take; i++) {
      const x = c[rows ? rows[pos[i]] : pos[i]];
      if (x === x) buf[k++] = x;
    }
    out.push(edgesOf(buf.subarray(0, k), maxBin));
  }
  return out;
}

/** Choose edges for column-major features `cols[f][r]` over rows `rows` (default all). */
export function chooseEdges(cols: ArrayLike<number>[], rows: Int32Array | null, o: BinOptions = {}): BinEdges {
  const maxBin = Math.min(255, Math.max(2, o.maxBin ?? 255));
  const n = rows ? rows.length : cols.length ? cols[0].length : 0;
  const pos = samplePositions(n, Math.min(n, o.sampleRows ?? 200_000), o.seed ?? 1);
  const edges = edgesFor(cols, rows, pos, maxBin, 0, cols.length);
  return { edges, nBins: Int32Array.from(edges, (e) => e.length + 2) };
}

/**
 * Bin rows `rows` (default all) of column-major features into a row-major Uint8 matrix; `target` true puts it in a
 * SharedArrayBuffer (for the histogram worker threads), a Uint8Array of n × F bytes receives it.
 */
export function binRows(cols: ArrayLike<number>[], rows: Int32Array | null, e: BinEdges, target: boolean | Uint8Array = false, columns = false): BinnedMatrix {
  const F = cols.length;
  const n = rows ? rows.length : F ? cols[0].length : 0;
  // a given target (a view into kernel memory) saves a copy of the matrix and its first-touch page faults
  const bins = target instanceof Uint8Array ? target : new Uint8Array(target ? new SharedArrayBuffer(n * F) : new ArrayBuffer(n * F));
  const all = columns ? new Uint8Array(n * F) : null;
  binFeatures(cols, rows, e.edges, bins, all, F, 0, F);
  return { n, F, bins, edges: e.edges, nBins: e.nBins, ...(all ? { colBins: all } : {}) };
}

/**
 * Bin features [f0, f1) of rows `rows` into the row-major matrix `bins` (F per row) and, when given, the column-major
 * copy `all` (the loop binning threads share: each takes a range of features).
 */
export function binFeatures(cols: ArrayLike<number>[], rows: Int32Array | null, edges: Float64Array[], bins: Uint8Array, all: Uint8Array | null, F: number, f0: number, f1: number): void {
  const n = rows ? rows.length : F ? cols[f0].length : 0;
  // columns are binned into contiguous arrays 16 features at a time, then interleaved into the row-major matrix: one
  // feature at a time written at stride F would touch a new cache line per value
  const G = 16;
  const scratchCols: Uint8Array[] = all ? [] : Array.from({ length: Math.min(G, f1 - f0) }, () => new Uint8Array(n));
  const scratch = { f32: new Float32Array(n) };
  for (let g0 = f0; g0 < f1; g0 += G) {
    const g = Math.min(G, f1 - g0);
    const colBins = all ? Array.from({ length: g }, (_, j) => all.subarray((g0 + j) * n, (g0 + j + 1) * n)) : scratchCols;
    for (let j = 0; j < g; j++) binColumn(colBins[j], cols[g0 + j], rows, edges[g0 + j], scratch);
    // blocked transpose: a block of rows of the matrix stays in cache while the group's columns are written into it
    for (let i0 = 0; i0 < n; i0 += 2048) {
      const i1 = Math.min(n, i0 + 2048);
      for (let j = 0; j < g; j++) interleave(bins, colBins[j], F, g0 + j, i0, i1);
    }
  }
}

/** Rows i0..i1 of one column into column f of the row-major matrix. */
function interleave(bins: Uint8Array, c: Uint8Array, F: number, f: number, i0: number, i1: number): void {
  for (let i = i0, q = i0 * F + f; i < i1; i++, q += F) bins[q] = c[i];
}

/**
 * Bins of one feature's values (rows `rows` of column c) into out. A 65,536-entry table indexed by the top 16 bits of
 * a value's order key gives the bin of the smallest value with that prefix; a short forward scan over the edges in
 * the same prefix finishes it (instead of a binary search with unpredictable branches per value).
 */
export function binColumn(out: Uint8Array, c: ArrayLike<number>, rows: Int32Array | null, edges: Float64Array, scratch?: { f32: Float32Array }): void {
  const n = rows ? rows.length : c.length;
  const m = edges.length;
  const f32 = scratch?.f32.subarray(0, n) ?? new Float32Array(n);
  if (!rows && c instanceof Float64Array) f32.set(c);
  else for (let i = 0; i < n; i++) f32[i] = c[rows ? rows[i] : i];
  const bits = new Int32Array(f32.buffer, f32.byteOffset, n);
  const ek = new Int32Array(m);
  keysOf(new Int32Array(Float32Array.from(edges).buffer), ek);
  // table[p]: 1 + number of edges below the smallest key whose high 16 bits (sign flipped) are p
  const table = new Uint8Array(65536);
  for (let p = 0, j = 0; p < 65536; p++) {
    const start = (p - 32768) * 65536;
    while (j < m && ek[j] < start) j++;
    table[p] = j + 1;
  }
  for (let i = 0; i < n; i++) {
    const x = f32[i];
    if (x !== x) {
      out[i] = 0;
      continue;
    }
    const u = bits[i];
    let k = u < 0 ? u ^ 0x7fffffff : u;
    if (k === -1) k = 0;
    let b = table[(k >> 16) + 32768];
    while (b <= m && ek[b - 1] < k) b++;
    out[i] = b;
  }
}

/** Threshold of "bins 1..t go left" as a raw value: x ≤ threshold (t = 0: only missing left; t = k: all values). */
export function thresholdOf(edges: Float64Array, t: number): number {
  if (t <= 0) return -Infinity;
  if (t > edges.length) return Infinity;
  return edges[t - 1];
}
