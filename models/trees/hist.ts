/**
 * The histogram kernel of the tree learner and the threads that share it.
 *
 * For the rows of one leaf (positions begin..end of the row-index array) it sums gradient and hessian per (feature,
 * bin) into `hist` (interleaved g, h; feature f's bins start at off[f]). Row-major bins: each row's gradient and
 * hessian are read once and scattered into every feature's histogram, instead of gathering them again per feature
 * (167 times) as a column-major loop would; the per-feature histograms (≤ 256 × 16 bytes each) stay in cache.
 *
 * The kernel runs as WebAssembly (wasm/hist.wat, ~3× faster than the same loop in JavaScript on this machine: V8's
 * typed-array bounds and type checks dominate a loop that does two adds per byte read; see BENCHMARKS.md), on a
 * shared WebAssembly.Memory that holds the bins, gradients, row indices and histograms (`KernelMemory`). The
 * JavaScript loop (`buildHistRange`) is the reference the tests compare with, and the fallback when the data does
 * not fit the 4 GiB of a wasm32 memory.
 *
 * Threads split the features: thread k fills features [f0_k, f1_k) of the same leaf, so the result does not depend
 * on the number of threads (each feature's sums are taken in the same row order). The main thread takes the first
 * range and the workers the others; they wake on an Atomics counter in shared memory (no message per histogram),
 * which keeps the hand-off to a few microseconds for the ~30 histograms of every tree.
 */
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../../src/version.ts';
import { WASM_BASE64 } from './wasm/hist-wasm.ts';

let wasmModule: WebAssembly.Module | undefined;
/** The compiled kernel module (compiled once per thread). */
export function histModule(): WebAssembly.Module {
  return (wasmModule ??= new WebAssembly.Module(Buffer.from(WASM_BASE64, 'base64')));
}
type WasmHist = (bins: number, F: number, idx: number, begin: number, end: number, g: number, h: number, hist: number, off: number, f0: number, f1: number) => void;
const kernelOf = (memory: WebAssembly.Memory): WasmHist => (new WebAssembly.Instance(histModule(), { env: { memory } }).exports as { hist: WasmHist }).hist;

/** Largest wasm32 memory we ask for (the format's limit is 4 GiB). */
const MAX_WASM_BYTES = 4 * 2 ** 30 - 2 ** 26;

/** A shared WebAssembly.Memory carved into typed arrays (never grown: views stay valid). */
export class KernelMemory {
  readonly memory: WebAssembly.Memory;
  private top = 0;
  constructor(readonly bytes: number) {
    const pages = Math.ceil((bytes + 65536) / 65536);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  }
  static fits(bytes: number): boolean {
    return bytes + 65536 <= MAX_WASM_BYTES;
  }
  /** bytes not yet allocated */
  get free(): number {
    return this.memory.buffer.byteLength - this.top;
  }
  /** free everything from byte address `top` on */
  reset(top: number): void {
    this.top = Math.ceil(top / 64) * 64;
  }
  /** byte address of a new block */
  alloc(bytes: number): number {
    const p = this.top;
    this.top += Math.ceil(bytes / 64) * 64;
    if (this.top > this.memory.buffer.byteLength) throw new Error('kernel memory: out of space');
    return p;
  }
  u8(n: number): [Uint8Array, number] {
    const p = this.alloc(n);
    return [new Uint8Array(this.memory.buffer, p, n), p];
  }
  i32(n: number): [Int32Array, number] {
    const p = this.alloc(4 * n);
    return [new Int32Array(this.memory.buffer, p, n), p];
  }
  f64(n: number): [Float64Array, number] {
    const p = this.alloc(8 * n);
    return [new Float64Array(this.memory.buffer, p, n), p];
  }
}

/** Byte addresses of the kernel's arrays in a KernelMemory (offB: each feature's histogram offset in bytes). */
export interface KernelPtrs {
  memory: WebAssembly.Memory;
  bins: number;
  idx: number;
  grad: number;
  hess: number;
  hist: number;
  offB: number;
}

/** Fill features [f0, f1) of hist (at `base`) from rows idx[begin..end). */
export function buildHistRange(
  bins: Uint8Array,
  F: number,
  idx: Int32Array,
  begin: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
  hist: Float64Array,
  base: number,
  off: Int32Array,
  f0: number,
  f1: number,
): void {
  hist.fill(0, base + off[f0], base + off[f1]);
  for (let i = begin; i < end; i++) {
    const r = idx[i];
    const g = grad[r];
    const h = hess[r];
    let p = r * F + f0;
    for (let f = f0; f < f1; f++, p++) {
      const o = base + off[f] + (bins[p] << 1);
      hist[o] += g;
      hist[o + 1] += h;
    }
  }
}

/** Control words in shared memory. */
const SEQ = 0;
const CMD = 1;
const BEGIN = 2;
const END = 3;
const BASE = 4;
const DONE = 5;
const CMD_BUILD = 1;
const CMD_EXIT = 2;

export interface HistShared {
  bins: Uint8Array;
  F: number;
  idx: Int32Array;
  grad: Float64Array;
  hess: Float64Array;
  hist: Float64Array;
  /** feature f's histogram starts at hist[base + off[f]] (F + 1 entries) */
  off: Int32Array;
  /** when the arrays live in a KernelMemory: run the wasm kernel */
  wasm?: KernelPtrs;
}

export interface HistWorkerData {
  bins: SharedArrayBuffer;
  F: number;
  idx: SharedArrayBuffer;
  grad: SharedArrayBuffer;
  hess: SharedArrayBuffer;
  hist: SharedArrayBuffer;
  /** views' element offsets into their buffers (0 unless the arrays are views into one wasm memory) */
  at: { bins: number; idx: number; grad: number; hess: number; hist: number; nBins: number; n: number; nHist: number };
  off: Int32Array;
  ctl: SharedArrayBuffer;
  f0: number;
  f1: number;
  wasm?: KernelPtrs;
}

/** Work below this many (row, feature) cells is done on the calling thread alone. */
const PARALLEL_MIN_CELLS = 400_000;

/**
 * Builds histograms on `threads` threads (this one plus threads − 1 workers). All arrays in `s` must live in
 * SharedArrayBuffers when threads > 1. Call `close()` when done.
 */
export class HistBuilder {
  private readonly workers: Worker[] = [];
  private readonly ctl: Int32Array;
  private readonly f1Main: number;
  /** threads used (this one and the workers) */
  readonly threads: number;
  private readonly kernel: WasmHist | null;

  constructor(
    private readonly s: HistShared,
    threads: number,
  ) {
    this.ctl = new Int32Array(new SharedArrayBuffer(8 * 4));
    this.kernel = s.wasm ? kernelOf(s.wasm.memory) : null;
    const t = Math.max(1, Math.min(threads, s.F));
    // equal feature ranges (row-major cost is the same per feature)
    const cuts = Array.from({ length: t + 1 }, (_, k) => Math.round((k * s.F) / t));
    this.f1Main = cuts[1];
    this.threads = t;
    for (let k = 1; k < t; k++) {
      const wd: HistWorkerData = {
        at: { bins: s.bins.byteOffset, idx: s.idx.byteOffset, grad: s.grad.byteOffset, hess: s.hess.byteOffset, hist: s.hist.byteOffset, nBins: s.bins.length, n: s.grad.length, nHist: s.hist.length },
        wasm: s.wasm,
        bins: s.bins.buffer as SharedArrayBuffer,
        F: s.F,
        idx: s.idx.buffer as SharedArrayBuffer,
        grad: s.grad.buffer as SharedArrayBuffer,
        hess: s.hess.buffer as SharedArrayBuffer,
        hist: s.hist.buffer as SharedArrayBuffer,
        off: s.off,
        ctl: this.ctl.buffer as SharedArrayBuffer,
        f0: cuts[k],
        f1: cuts[k + 1],
      };
      const w = new Worker(workerEntry('hist-worker', 'models/trees/hist-worker.mjs'), { workerData: wd });
      w.unref();
      this.workers.push(w);
    }
  }


  /** Features [f0, f1) of one histogram on this thread. */
  private range(begin: number, end: number, base: number, f0: number, f1: number): void {
    const s = this.s;
    if (this.kernel && s.wasm) {
      s.hist.fill(0, base + s.off[f0], base + s.off[f1]);
      const w = s.wasm;
      this.kernel(w.bins, s.F, w.idx, begin, end, w.grad, w.hess, w.hist + 8 * base, w.offB, f0, f1);
    } else buildHistRange(s.bins, s.F, s.idx, begin, end, s.grad, s.hess, s.hist, base, s.off, f0, f1);
  }

  /** Histogram of rows idx[begin..end) into hist at offset `base`, all features. */
  build(begin: number, end: number, base: number): void {
    const s = this.s;
    if (this.workers.length === 0 || (end - begin) * s.F < PARALLEL_MIN_CELLS) {
      this.range(begin, end, base, 0, s.F);
      return;
    }
    const c = this.ctl;
    Atomics.store(c, DONE, 0);
    c[CMD] = CMD_BUILD;
    c[BEGIN] = begin;
    c[END] = end;
    c[BASE] = base;
    Atomics.add(c, SEQ, 1);
    Atomics.notify(c, SEQ);
    this.range(begin, end, base, 0, this.f1Main);
    const want = this.workers.length;
    for (let d = Atomics.load(c, DONE); d < want; d = Atomics.load(c, DONE)) Atomics.wait(c, DONE, d);
  }

  close(): void {
    if (!this.workers.length) return;
    this.ctl[CMD] = CMD_EXIT;
    Atomics.add(this.ctl, SEQ, 1);
    Atomics.notify(this.ctl, SEQ);
    for (const w of this.workers) void w.terminate();
    this.workers.length = 0;
  }
}

/** The worker's loop (hist-worker.ts runs it with its workerData). */
export function histWorkerLoop(d: HistWorkerData): void {
  const c = new Int32Array(d.ctl);
  const a = d.at;
  const bins = new Uint8Array(d.bins, a.bins, a.nBins);
  const idx = new Int32Array(d.idx, a.idx, a.n);
  const grad = new Float64Array(d.grad, a.grad, a.n);
  const hess = new Float64Array(d.hess, a.hess, a.n);
  const hist = new Float64Array(d.hist, a.hist, a.nHist);
  const w = d.wasm;
  const kernel = w ? kernelOf(w.memory) : null;
  let seen = 0;
  for (;;) {
    Atomics.wait(c, SEQ, seen);
    seen = Atomics.load(c, SEQ);
    if (c[CMD] === CMD_EXIT) return;
    const base = c[BASE];
    if (kernel && w) {
      hist.fill(0, base + d.off[d.f0], base + d.off[d.f1]);
      kernel(w.bins, d.F, w.idx, c[BEGIN], c[END], w.grad, w.hess, w.hist + 8 * base, w.offB, d.f0, d.f1);
    } else buildHistRange(bins, d.F, idx, c[BEGIN], c[END], grad, hess, hist, base, d.off, d.f0, d.f1);
    Atomics.add(c, DONE, 1);
    Atomics.notify(c, DONE);
  }
}
