/**
 * Execution algorithms for live sessions: a parent order worked through child orders, bar by bar.
 *
 * - TWAP: `slices` children of equal size, one per bar (the remainder spread so sizes differ by at most one unit).
 * - VWAP: `slices` children following the symbol's historical intraday volume profile: the share of a day's volume
 *   traded in each time-of-day bucket, averaged over the previous `lookbackDays` days (bars before now only); child k
 *   fills in the k-th bucket after now and gets total × w(that bucket) / Σ w over the schedule. On daily bars every
 *   bucket is the same: TWAP.
 * - Iceberg: one visible limit child of `clip` units at a time, the next placed when it fills.
 * - Router (`auto`): by the order's size against the average bar volume (20 bars) and the spread estimated from
 *   high−low: under 1 % of a bar's volume and a spread of at most 20 bps a market order; under 5 % (or a wider
 *   spread) a limit at the last close; otherwise VWAP over enough bars to stay near 5 % of volume per bar (≤ 50).
 *
 * Children are linked to their parent (parent_id in the journal). A child that the risk manager (or the broker)
 * rejects or cancels returns its unfilled quantity to the parent: TWAP and VWAP spread it over the slices left;
 * when none is left the parent ends canceled with what it filled.
 */
import type { BarSeries } from '../../src/types.ts';
import { startOfLocalDay } from '../../src/tz.ts';

export type AlgoKind = 'twap' | 'vwap' | 'iceberg' | 'auto';

export interface AlgoSpec {
  kind: AlgoKind;
  /** twap/vwap: number of child orders (one per bar) */
  slices?: number;
  /** iceberg: visible quantity */
  clip?: number;
  /** iceberg: limit price (default: the last close) */
  limit?: number;
  lookbackDays?: number;
}

export interface ChildRequest {
  qty: number;
  type: 'market' | 'limit';
  limitPrice?: number;
}

export interface AlgoState {
  id: string;
  symbol: string;
  sym: number;
  side: 'buy' | 'sell';
  qty: number;
  spec: AlgoSpec;
  /** resolved by the router */
  kind: Exclude<AlgoKind, 'auto'>;
  filled: number;
  /** quantity in working children */
  working: number;
  /** twap/vwap: planned child sizes left, one per bar */
  plan: number[];
  status: 'working' | 'filled' | 'canceled';
  children: string[];
  note: string;
}

/** Volume share per time-of-day bucket (minutes from local midnight → share), from the days before bar i. */
export function intradayProfile(s: BarSeries, i: number, lookbackDays = 20): Map<number, number> {
  const byDay = new Map<number, Map<number, number>>();
  for (let k = i - 1; k >= 0 && byDay.size <= lookbackDays; k--) {
    const day = startOfLocalDay(s.ts[k], s.tz);
    const v = s.volume[k];
    if (!(v === v)) continue;
    let m = byDay.get(day);
    if (!m) {
      if (byDay.size === lookbackDays) break;
      m = new Map();
      byDay.set(day, m);
    }
    const bucket = Math.round((s.ts[k] - day) / 60_000);
    m.set(bucket, (m.get(bucket) ?? 0) + v);
  }
  const out = new Map<number, number>();
  for (const m of byDay.values()) {
    let tot = 0;
    for (const v of m.values()) tot += v;
    if (!(tot > 0)) continue;
    for (const [b, v] of m) out.set(b, (out.get(b) ?? 0) + v / tot / byDay.size);
  }
  return out;
}

/** Split `total` whole units by weights (largest remainders), every weight's share within one unit of exact. */
export function splitByWeights(total: number, w: number[]): number[] {
  const sum = w.reduce((a, b) => a + b, 0);
  const exact = w.map((x) => (sum > 0 ? (total * x) / sum : total / w.length));
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, k) => [x - Math.floor(x), k] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let j = 0; left > 0; j = (j + 1) % order.length, left--) out[order[j][1]]++;
  return out;
}

/** Create an algorithm's state for a parent order placed at bar i of series s (bars ≤ i only are read). */
export function startAlgo(id: string, sym: number, s: BarSeries, i: number, side: 'buy' | 'sell', qty: number, spec: AlgoSpec): AlgoState {
  let kind: AlgoState['kind'] = spec.kind === 'auto' ? 'twap' : spec.kind;
  let note = '';
  let slices = Math.max(1, Math.floor(spec.slices ?? 10));
  if (spec.kind === 'auto') {
    let vol = 0;
    let n = 0;
    let spread = 0;
    for (let k = Math.max(0, i - 19); k <= i; k++) {
      if (s.volume[k] === s.volume[k]) {
        vol += s.volume[k];
        n++;
      }
      if (s.close[k] > 0) spread += (s.high[k] - s.low[k]) / s.close[k];
    }
    const avgVol = n ? vol / n : 0;
    const share = avgVol > 0 ? qty / avgVol : Infinity;
    spread /= Math.max(1, Math.min(20, i + 1));
    if (share < 0.01 && spread <= 0.002) {
      kind = 'twap';
      slices = 1;
      note = `market: ${(share * 100).toFixed(2)} % of average bar volume, spread ≈ ${(spread * 1e4).toFixed(0)} bps`;
    } else if (share < 0.05) {
      kind = 'iceberg';
      note = `limit at the last close: ${(share * 100).toFixed(2)} % of average bar volume, spread ≈ ${(spread * 1e4).toFixed(0)} bps`;
    } else {
      kind = 'vwap';
      slices = Math.min(50, Math.ceil(share / 0.05));
      note = `vwap over ${slices} bars: ${(share * 100).toFixed(1)} % of average bar volume`;
    }
  }
  const st: AlgoState = { id, symbol: s.symbol, sym, side, qty, spec, kind, filled: 0, working: 0, plan: [], status: 'working', children: [], note };
  if (kind === 'twap') st.plan = splitByWeights(qty, new Array(slices).fill(1));
  else if (kind === 'vwap') {
    const prof = intradayProfile(s, i + 1, spec.lookbackDays ?? 20);
    // the session's buckets in time-of-day order (from the profile: no future bar is read); child k fills in the
    // k-th bucket after this bar's, wrapping into the next day
    const buckets = [...prof.keys()].sort((a, b) => a - b);
    const day = startOfLocalDay(s.ts[i], s.tz);
    const now = Math.round((s.ts[i] - day) / 60_000);
    let at = buckets.findIndex((b) => b > now);
    if (at < 0) at = 0;
    const w: number[] = [];
    for (let k = 0; k < slices; k++) w.push(buckets.length ? prof.get(buckets[(at + k) % buckets.length])! : 1);
    st.plan = splitByWeights(qty, w.every((x) => x === 0) ? w.map(() => 1) : w);
  } else if (spec.kind === 'auto') st.spec = { ...spec, clip: qty, limit: s.close[i] };
  return st;
}

/** The child to place at this bar (after the bar: it works from the next one), or null. */
export function nextChild(a: AlgoState, lastClose: number): ChildRequest | null {
  if (a.status !== 'working') return null;
  if (a.kind === 'iceberg') {
    if (a.working > 0) return null;
    const left = a.qty - a.filled;
    if (left <= 0) return null;
    const clip = Math.min(left, Math.max(1, Math.floor(a.spec.clip ?? left)));
    return { qty: clip, type: 'limit', limitPrice: a.spec.limit ?? lastClose };
  }
  while (a.plan.length && a.plan[0] <= 0) a.plan.shift();
  const q = a.plan.shift();
  return q ? { qty: q, type: 'market' } : null;
}

/** A child's fill. */
export function childFilled(a: AlgoState, qty: number): void {
  a.filled += qty;
  a.working = Math.max(0, a.working - qty);
  if (a.filled >= a.qty - 1e-9) a.status = 'filled';
}

/**
 * A child ended unfilled (rejected, canceled, expired): its quantity goes back to the parent, spread over the slices
 * left; with none left the parent ends canceled.
 */
export function childEnded(a: AlgoState, unfilled: number): void {
  a.working = Math.max(0, a.working - unfilled);
  if (a.status !== 'working' || unfilled <= 0) return;
  if (a.kind === 'iceberg') return; // the next clip is placed at the next bar
  if (a.plan.length === 0) {
    a.status = 'canceled';
    a.note = `${a.note ? `${a.note}; ` : ''}${unfilled} unfilled when the schedule ended`;
    return;
  }
  const back = splitByWeights(unfilled, a.plan.map(() => 1));
  a.plan = a.plan.map((q, k) => q + back[k]);
}
