/**
 * Live bar feeds. A live series grows as bars arrive (`LiveSeries`: capacity doubling; the BarSeries object the kernel
 * holds keeps its identity, its columns are replaced when they grow, and unfilled slots are NaN so the kernel never
 * takes them for a bar). `AlpacaBarFeed` subscribes to Alpaca's market-data stream (SDK: reconnects, re-subscribes,
 * ping/pong watchdog) and yields one time step per bar time: when every symbol's bar for that minute has arrived, or a
 * grace period after the first one (a symbol without trades that minute has no bar).
 */
import type { BarSeries } from '../../src/types.ts';

export class LiveSeries {
  n: number;
  constructor(readonly series: BarSeries) {
    this.n = series.ts.length;
  }

  append(ts: number, o: number, h: number, l: number, c: number, v: number): void {
    const s = this.series;
    if (this.n > 0 && ts <= s.ts[this.n - 1]) return; // a late or repeated bar: time only moves forward
    if (this.n === s.ts.length) {
      const cap = Math.max(64, s.ts.length * 2);
      const grow = (a: Float64Array) => {
        const b = new Float64Array(cap).fill(NaN);
        b.set(a.subarray(0, this.n));
        return b;
      };
      s.ts = grow(s.ts);
      s.open = grow(s.open);
      s.high = grow(s.high);
      s.low = grow(s.low);
      s.close = grow(s.close);
      s.volume = grow(s.volume);
    }
    const i = this.n++;
    s.ts[i] = ts;
    s.open[i] = o;
    s.high[i] = h;
    s.low[i] = l;
    s.close[i] = c;
    s.volume[i] = v;
  }
}

export interface StreamBarLike {
  symbol?: string;
  timestamp: Date;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** A feed of bar times: `next()` resolves with the next complete step's time, or null when closed. */
export class StepFeed {
  private readonly pending = new Map<number, Set<string>>();
  private readonly ready: number[] = [];
  private waiter: ((t: number | null) => void) | null = null;
  private closed = false;
  private timers = new Map<number, NodeJS.Timeout>();

  constructor(
    private readonly live: Map<string, LiveSeries>,
    private readonly graceMs = 5000,
    /** told of each bar before it is used (the journal keeps them: a live session is rebuilt from them) */
    private readonly record?: (b: StreamBarLike) => void,
  ) {}

  /** A bar arrived (from any source). */
  push(b: StreamBarLike): void {
    const ls = b.symbol ? this.live.get(b.symbol) : undefined;
    if (!ls || this.closed) return;
    const t = b.timestamp.getTime();
    if (ls.n > 0 && t <= ls.series.ts[ls.n - 1]) return; // late or repeated
    this.record?.(b);
    ls.append(t, b.open, b.high, b.low, b.close, b.volume);
    let got = this.pending.get(t);
    if (!got) {
      got = new Set();
      this.pending.set(t, got);
      this.timers.set(t, setTimeout(() => this.complete(t), this.graceMs));
    }
    got.add(b.symbol!);
    if (got.size === this.live.size) this.complete(t);
  }

  private complete(t: number): void {
    if (!this.pending.has(t)) return;
    this.pending.delete(t);
    clearTimeout(this.timers.get(t));
    this.timers.delete(t);
    this.ready.push(t);
    this.ready.sort((a, b) => a - b);
    this.wake();
  }

  private wake(): void {
    if (this.waiter && (this.ready.length || this.closed)) {
      const w = this.waiter;
      this.waiter = null;
      w(this.ready.length ? this.ready.shift()! : null);
    }
  }

  next(): Promise<number | null> {
    if (this.ready.length) return Promise.resolve(this.ready.shift()!);
    if (this.closed) return Promise.resolve(null);
    return new Promise((res) => {
      this.waiter = res;
    });
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.wake();
  }
}
