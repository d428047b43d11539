/**
 * Execution cost models from their CLI specs: slippage (6), commission (5) and sizers (4). Formulas and sources are
 * stated beside each model; every model moves prices against the trader and every fee is ≥ 0.
 */
import { specByName } from '../data/indicators/index.ts';
import { UsageError } from '../src/errors.ts';
import type { BarSeries, Side } from '../src/types.ts';
import type { BarRef, CommissionModel, FeeInput, SizerInput, Sizer, SlippageModel } from './types.ts';

export const COSTS_HELP = [
  'Commission: none | pct:R (R × value) | per_share:X[:MIN[:MAX]] (X per share, at least MIN per order, at most MAX × value) | fixed:F (F per order) | ibkr_fixed | ibkr_tiered (Interactive Brokers US stocks, with sell-side SEC and FINRA TAF fees).',
  'Slippage: none | bps:N (N basis points) | per_share:X | spread[:S] (half the spread: S given, else estimated from the previous 20 bars’ high/low) | atr:F (F × ATR(14) of the previous bars) | impact:K (K·σ·√(qty/ADV), σ and ADV over the previous 20 bars).',
  'Sizer: fixed:N (N shares, fewer if cash runs short on a buy) | percent:P (P % of equity) | all_in (all the cash, never overdrawn) | weight:W (trade to W × equity).',
].join('\n');

const num = (s: string | undefined, what: string, spec: string): number => {
  const x = Number(s);
  if (s === undefined || s.trim() === '' || !Number.isFinite(x) || x < 0) throw new UsageError(`${what} in '${spec}' must be a number ≥ 0`);
  return x;
};

// ------------------------------------------------------------------ slippage

/** Slippage models count fills made before their estimate existed (warm-up): those used no slippage. */
interface CountingSlippage extends SlippageModel {
  warmupFills: number;
}

const adverse = (side: Side, ref: number, amount: number) => (side === 'buy' ? ref + amount : ref - amount);

export function parseSlippage(spec: string): SlippageModel {
  const s = spec.trim().toLowerCase();
  const [kind, a] = s.split(':');
  switch (kind) {
    case 'none':
      return { spec: 'none', price: (_side, _q, ref) => ref };
    case 'bps': {
      const bps = num(a, 'basis points', spec);
      // price × (1 ± N / 10,000)
      return { spec: `bps:${bps}`, price: (side, _q, ref) => adverse(side, ref, (ref * bps) / 10_000) };
    }
    case 'per_share': {
      const x = num(a, 'amount per share', spec);
      return { spec: `per_share:${x}`, price: (side, _q, ref) => adverse(side, ref, x) };
    }
    case 'spread': {
      if (a !== undefined) {
        const sp = num(a, 'spread', spec);
        // pay half the (fractional) spread
        return { spec: `spread:${sp}`, price: (side, _q, ref) => adverse(side, ref, (ref * sp) / 2) };
      }
      return rollingModel('spread', (S) => rollingHighLowSpread(S, 20), (side, ref, est) => adverse(side, ref, (ref * est) / 2));
    }
    case 'atr': {
      const f = num(a, 'ATR fraction', spec);
      const atr = specByName('atr')!;
      return rollingModel(`atr:${f}`, (S) => atr.batch(S, [14])[0], (side, ref, est) => adverse(side, ref, f * est));
    }
    case 'impact': {
      const k = num(a, 'impact coefficient', spec);
      return {
        ...rollingModel(`impact:${k}`, (S) => sigmaAdv(S, 20), () => NaN),
        price(side, qty, ref, bar, state) {
          const st = state as Float64Array[] | undefined;
          const i = bar.i - 1;
          const sigma = st && i >= 0 ? st[0][i] : NaN;
          const adv = st && i >= 0 ? st[1][i] : NaN;
          if (!(sigma >= 0 && adv > 0)) {
            (this as CountingSlippage).warmupFills++;
            return ref;
          }
          // square-root market impact: price × (1 ± K · σ · √(qty / ADV))
          return adverse(side, ref, ref * k * sigma * Math.sqrt(qty / adv));
        },
      } as CountingSlippage;
    }
  }
  throw new UsageError(`unknown slippage model '${spec}'; use none | bps:5 | per_share:0.01 | spread | spread:0.0005 | atr:0.1 | impact:0.1`);
}

/** A model whose estimate comes from a causal column computed once per series and read at bar i − 1. */
function rollingModel(spec: string, prepare: (S: BarSeries) => Float64Array | Float64Array[], apply: (side: Side, ref: number, est: number) => number): CountingSlippage {
  const m: CountingSlippage = {
    spec,
    warmupFills: 0,
    prepare,
    price(side, _q, ref, bar: BarRef, state) {
      const col = state as Float64Array | undefined;
      const est = col && bar.i > 0 ? col[bar.i - 1] : NaN;
      if (!(est >= 0)) {
        m.warmupFills++;
        return ref;
      }
      return apply(side, ref, est);
    },
  };
  return m;
}

/**
 * Fractional bid-ask spread estimated from high/low ranges (Corwin & Schultz 2012): for each pair of adjacent bars,
 * β = ln(H₁/L₁)² + ln(H₂/L₂)², γ = ln(max(H₁,H₂)/min(L₁,L₂))², α = (√(2β) − √β)/(3 − 2√2) − √(γ/(3 − 2√2)),
 * S = 2(eᵅ − 1)/(1 + eᵅ), negative estimates set to 0 (as the authors do), averaged over the last `n` pairs.
 * out[i] uses bars ≤ i only.
 */
export function rollingHighLowSpread(S: BarSeries, n: number): Float64Array {
  const len = S.ts.length;
  const out = new Float64Array(len).fill(NaN);
  const pair = new Float64Array(len).fill(NaN);
  const k = 3 - 2 * Math.SQRT2;
  for (let i = 1; i < len; i++) {
    const h1 = S.high[i - 1];
    const l1 = S.low[i - 1];
    const h2 = S.high[i];
    const l2 = S.low[i];
    if (!(h1 > 0 && l1 > 0 && h2 > 0 && l2 > 0)) continue;
    const b = Math.log(h1 / l1) ** 2 + Math.log(h2 / l2) ** 2;
    const g = Math.log(Math.max(h1, h2) / Math.min(l1, l2)) ** 2;
    const alpha = (Math.sqrt(2 * b) - Math.sqrt(b)) / k - Math.sqrt(g / k);
    const sp = (2 * (Math.exp(alpha) - 1)) / (1 + Math.exp(alpha));
    pair[i] = sp > 0 ? sp : 0;
  }
  let sum = 0;
  let cnt = 0;
  for (let i = 1; i < len; i++) {
    const x = pair[i];
    if (x === x) {
      sum += x;
      cnt++;
    }
    if (i - n >= 1) {
      const y = pair[i - n];
      if (y === y) {
        sum -= y;
        cnt--;
      }
    }
    if (i >= n && cnt === n) out[i] = sum / n;
  }
  return out;
}

/** σ (sample std, ddof 1, of close-to-close simple returns) and ADV (mean volume) over the last n bars, out[i] from bars ≤ i. */
export function sigmaAdv(S: BarSeries, n: number): Float64Array[] {
  const len = S.ts.length;
  const sigma = new Float64Array(len).fill(NaN);
  const adv = new Float64Array(len).fill(NaN);
  for (let i = n; i < len; i++) {
    let m = 0;
    let ok = true;
    for (let k = i - n + 1; k <= i; k++) {
      const r = S.close[k] / S.close[k - 1] - 1;
      if (!(r === r)) ok = false;
      m += r;
    }
    if (ok) {
      m /= n;
      let v = 0;
      for (let k = i - n + 1; k <= i; k++) {
        const d = S.close[k] / S.close[k - 1] - 1 - m;
        v += d * d;
      }
      sigma[i] = Math.sqrt(v / (n - 1));
    }
    let vs = 0;
    for (let k = i - n + 1; k <= i; k++) vs += S.volume[k];
    adv[i] = vs / n;
  }
  return [sigma, adv];
}

// ------------------------------------------------------------------ commission

/**
 * Interactive Brokers US stock schedules (ibkr.com, "Commissions: Stocks, ETFs and Warrants", North America, as
 * published in 2024–2025). Regulatory fees: SEC Section 31 fee USD 27.80 per million of sale value (fiscal 2025
 * rate, effective 2024-05-22); FINRA Trading Activity Fee USD 0.000166 per share sold, at most USD 8.30 per trade.
 */
export const IBKR = {
  fixed: { perShare: 0.005, min: 1.0, maxPct: 0.01 },
  tiered: {
    tiers: [
      { upTo: 300_000, perShare: 0.0035 },
      { upTo: 3_000_000, perShare: 0.002 },
      { upTo: 20_000_000, perShare: 0.0015 },
      { upTo: 100_000_000, perShare: 0.001 },
      { upTo: Infinity, perShare: 0.0005 },
    ],
    min: 0.35,
    maxPct: 0.01,
    /** NSCC/DTC clearing fee per share */
    clearing: 0.0002,
    /** exchange fee: assumed flat remove-liquidity rate (venues differ; IB passes through what the venue charges) */
    exchange: 0.003,
    /** FINRA pass-through fee as a fraction of the commission */
    finraPassThrough: 0.000175,
  },
  secFeePerDollar: 27.8 / 1_000_000,
  tafPerShare: 0.000166,
  tafMax: 8.3,
} as const;

/** sell-side regulatory fees for a sale of qty at price */
export function regulatoryFees(side: Side, qty: number, price: number): number {
  if (side !== 'sell') return 0;
  return qty * price * IBKR.secFeePerDollar + Math.min(qty * IBKR.tafPerShare, IBKR.tafMax);
}

export function parseCommission(spec: string): CommissionModel {
  const s = spec.trim().toLowerCase();
  const parts = s.split(':');
  switch (parts[0]) {
    case 'none':
      return { spec: 'none', fee: () => 0, rate: () => 0 };
    case 'pct': {
      const r = num(parts[1], 'rate', spec);
      if (r >= 1) throw new UsageError(`commission rate in '${spec}' is a fraction (0.001 = 0.1 %), got ${r}`);
      return { spec: `pct:${r}`, fee: (f) => f.qty * f.price * r, rate: () => r };
    }
    case 'per_share': {
      const x = num(parts[1], 'amount per share', spec);
      const min = parts[2] !== undefined ? num(parts[2], 'minimum per order', spec) : 0;
      const maxPct = parts[3] !== undefined ? num(parts[3], 'maximum (fraction of value)', spec) : Infinity;
      // per order: max(min, x × shares), capped at maxPct × value; charged cumulatively over partial fills
      return cumulative(`per_share:${x}${parts[2] !== undefined ? `:${min}` : ''}${parts[3] !== undefined ? `:${maxPct}` : ''}`, (q, v) => Math.min(Math.max(min, x * q), maxPct * v), (q, p) => Math.min(Math.max(min, x * q), maxPct * q * p) / (q * p));
    }
    case 'fixed': {
      const f = num(parts[1], 'fee per order', spec);
      return { spec: `fixed:${f}`, fee: (x) => (x.orderFilledBefore > 0 ? 0 : f), rate: (q, p) => f / (q * p) };
    }
    case 'ibkr_fixed': {
      const c = IBKR.fixed;
      return cumulative('ibkr_fixed', (q, v) => Math.min(Math.max(c.min, c.perShare * q), c.maxPct * v), (q, p, side) => (Math.min(Math.max(c.min, c.perShare * q), c.maxPct * q * p) + regulatoryFees(side, q, p)) / (q * p), true);
    }
    case 'ibkr_tiered':
      return ibkrTiered();
  }
  throw new UsageError(`unknown commission model '${spec}'; use none | pct:0.001 | per_share:0.005[:min[:max]] | fixed:1 | ibkr_fixed | ibkr_tiered`);
}

/**
 * A per-order schedule `total(qty, value)` (with total(0, 0) = 0) charged across partial fills: a fill pays
 * total(after) − total(before), so minimums and caps apply once per order. The order's value before this fill is
 * `orderValueBefore` (its average price × quantity filled so far).
 */
function cumulative(spec: string, total: (qty: number, value: number) => number, rate: (qty: number, price: number, side: Side) => number, regulatory = false): CommissionModel {
  const T = (q: number, v: number) => (q > 0 ? total(q, v) : 0);
  return {
    spec,
    fee(f: FeeInput) {
      const q0 = f.orderFilledBefore;
      const v0 = f.orderValueBefore ?? q0 * f.price;
      const c = Math.max(0, T(q0 + f.qty, v0 + f.qty * f.price) - T(q0, v0));
      return regulatory ? c + regulatoryFees(f.side, f.qty, f.price) : c;
    },
    rate: (q, p, side) => (q > 0 && p > 0 ? rate(q, p, side) : 0),
  };
}

/**
 * IBKR tiered: the per-share rate of the tier the month's volume is in (shares traded this calendar month, UTC,
 * before the order's first fill), at least USD 0.35 and at most 1 % of value per order, plus clearing and exchange
 * fees per share and the FINRA pass-through on the commission, plus sell-side regulatory fees. `reset()` forgets
 * the month's volume (a new run).
 */
function ibkrTiered(): CommissionModel {
  const c = IBKR.tiered;
  let month = -1;
  let volume = 0;
  const perShareAt = (v: number) => c.tiers.find((t) => v < t.upTo)!.perShare;
  const total = (q: number, value: number, rateShare: number) => {
    if (!(q > 0)) return 0;
    const comm = Math.min(Math.max(c.min, rateShare * q), c.maxPct * value);
    return comm + q * (c.clearing + c.exchange) + comm * c.finraPassThrough;
  };
  return {
    spec: 'ibkr_tiered',
    fee(f) {
      const d = new Date(f.ts);
      const m = d.getUTCFullYear() * 12 + d.getUTCMonth();
      const before = m === month ? volume : 0;
      const q0 = f.orderFilledBefore;
      const v0 = f.orderValueBefore ?? q0 * f.price;
      const rs = perShareAt(Math.max(0, before - q0));
      const fee = Math.max(0, total(q0 + f.qty, v0 + f.qty * f.price, rs) - total(q0, v0, rs));
      return fee + regulatoryFees(f.side, f.qty, f.price);
    },
    charged(f) {
      const d = new Date(f.ts);
      const m = d.getUTCFullYear() * 12 + d.getUTCMonth();
      if (m !== month) {
        month = m;
        volume = 0;
      }
      volume += f.qty;
    },
    rate(q, p, side) {
      if (!(q > 0 && p > 0)) return 0;
      return (total(q, q * p, c.tiers[0].perShare) + regulatoryFees(side, q, p)) / (q * p);
    },
    reset() {
      month = -1;
      volume = 0;
    },
  };
}

// ------------------------------------------------------------------ sizers

/**
 * Largest quantity whose cost plus commission fits in `cash` (never overdraws; whole units unless `integer` is off).
 * The commission rate gives an estimate that is usually exact (two fee quotes); minimums, caps and tiers can make
 * it off, and then a binary search settles it (costs are non-decreasing in quantity for every model).
 */
export function affordable(cash: number, s: SizerInput, cap = Infinity): number {
  if (!(cash > 0) || !(s.price > 0)) return 0;
  const hiReal = Math.min(cap, cash / s.price);
  const r = s.commission.rate(Math.max(1, Math.floor(hiReal)), s.price, s.side);
  if (!s.integer) {
    let q = Math.min(cap, cash / (s.price * (1 + r)));
    for (let k = 0; k < 64 && q > 0; k++) {
      const c = costOf(q, s);
      if (c <= cash) break;
      q *= 1 - 1e-9 - (c - cash) / c;
    }
    return q > 0 ? q : 0;
  }
  const hi = Math.floor(Math.min(hiReal, 2 ** 52));
  const guess = Math.min(hi, Math.floor(cash / (s.price * (1 + r))));
  if (guess >= 0 && (guess === 0 || costOf(guess, s) <= cash) && (guess === hi || costOf(guess + 1, s) > cash)) return guess;
  let lo = 0; // cost(lo) ≤ cash (cost(0) = 0)
  let up = hi + 1; // treated as unaffordable
  for (let k = 0; k < 80 && up - lo > 1; k++) {
    const mid = Math.floor((lo + up) / 2);
    if (costOf(mid, s) <= cash) lo = mid;
    else up = mid;
  }
  return lo;
}

const feeArg: FeeInput = { side: 'buy', qty: 0, price: 0, orderFilledBefore: 0, orderFeeBefore: 0, ts: 0 };
/** price × q plus the commission of an order of q (one reused argument object: sizers run on every entry) */
function costOf(q: number, s: SizerInput): number {
  feeArg.side = s.side;
  feeArg.qty = q;
  feeArg.price = s.price;
  feeArg.ts = s.ts;
  return q * s.price + s.commission.fee(feeArg);
}

export function parseSizer(spec: string): Sizer {
  const s = spec.trim().toLowerCase();
  const [kind, a] = s.split(':');
  switch (kind) {
    case 'fixed': {
      const n = num(a, 'quantity', spec);
      if (!(n > 0)) throw new UsageError(`fixed sizer quantity must be > 0 in '${spec}'`);
      // a buy takes n shares, or as many as cash pays for when that is fewer
      return { spec: `fixed:${n}`, qty: (x) => (x.side === 'buy' ? affordable(x.cash, x, n) : n) };
    }
    case 'percent': {
      const p = num(a, 'percent', spec);
      if (!(p > 0 && p <= 100)) throw new UsageError(`percent sizer takes 0 < P ≤ 100 in '${spec}'`);
      // P % of equity at the price incl. commission; a buy never exceeds the cash
      return {
        spec: `percent:${p}`,
        qty: (x) => {
          const budget = (x.equity * p) / 100;
          return x.side === 'buy' ? affordable(Math.min(budget, x.cash), x) : affordable(budget, x);
        },
      };
    }
    case 'all_in':
      if (a !== undefined) break;
      // backtrader's AllInSizer: all the cash, for buys and for sells that open a short
      return { spec: 'all_in', qty: (x) => affordable(x.cash, x) };
    case 'weight': {
      const w = Number(a);
      if (a === undefined || !Number.isFinite(w) || Math.abs(w) > 100) throw new UsageError(`weight sizer takes a weight W (fraction of equity, may be negative) in '${spec}'`);
      return {
        spec: `weight:${w}`,
        qty: (x) => {
          const target = (w * x.equity) / x.price;
          let d = x.side === 'buy' ? target - x.position : x.position - target;
          if (x.integer) d = Math.floor(d + 1e-9);
          if (!(d > 0)) return 0;
          return x.side === 'buy' ? Math.min(d, affordable(x.cash, x, d)) : d;
        },
      };
    }
  }
  throw new UsageError(`unknown sizer '${spec}'; use fixed:100 | percent:95 | all_in | weight:0.5`);
}
