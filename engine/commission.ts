/**
 * Commission models from their CLI specs. Every fee is ≥ 0 and is charged per fill; minimums and caps apply PER
 * ORDER, across its partial fills.
 *
 *   none                        0
 *   pct:R                       R × value (R a fraction: 0.001 = 0.1 %)
 *   per_share:X[:MIN[:MAX]]     per order: min(max(MIN, X × shares), MAX × value); MIN a currency amount (default 0),
 *                               MAX a FRACTION of the order's value (0.01 = 1 %, default no cap). As at IBKR, the cap
 *                               wins over the minimum when they conflict (a tiny order pays MAX × value).
 *   fixed:F                     F per order, charged on the order's first fill
 *   ibkr_fixed                  Interactive Brokers US stocks, fixed pricing + sell-side SEC and FINRA TAF fees
 *   ibkr_tiered                 Interactive Brokers US stocks, tiered pricing + clearing, exchange and FINRA
 *                               pass-through fees + sell-side SEC and FINRA TAF fees
 *
 * Per-order schedules are written as `cumulative(orderQty, orderValue)`, the fee of the whole order so far; a fill
 * pays cumulative(after this fill) − `orderFeeBefore` (what the earlier fills of the order were charged), never
 * less than 0. The order's value before the fill is `orderValueBefore` (Σ qty × price of its earlier fills; when
 * absent, orderFilledBefore × this fill's price). Linear models (pct, none) charge the fill directly.
 */
import { UsageError } from '../src/errors.ts';
import type { Side } from '../src/types.ts';
import type { CommissionModel, FeeInput } from './types.ts';

/** Every commission spec form, as the error messages and `--help` name them. */
export const COMMISSION_FORMS = 'none | pct:0.001 | per_share:0.005[:min[:max]] | fixed:1 | ibkr_fixed | ibkr_tiered';

// ------------------------------------------------------------------ regulatory fees (US, sells only)

/**
 * SEC Section 31 transaction fee: USD 27.80 per million dollars of sale value, the rate set by the SEC's "Order
 * Making Fiscal Year 2024 Annual Adjustments to Transaction Fee Rates" (Federal Register 2024-08512, April 2024),
 * in effect from 2024-05-22. The SEC resets the rate by fee-rate advisories (it was set to USD 0.00 per million from
 * 2025-05-14, for the rest of fiscal 2025); this model keeps the one 27.80 rate for every date, which is conservative.
 * Not rounded (brokers round each fee up to the cent).
 */
export const SEC_FEE_PER_MILLION = 27.8;
/** FINRA Trading Activity Fee on sales of covered equity securities: USD per share sold (rate from 2024-01-01). */
export const FINRA_TAF_PER_SHARE = 0.000166;
/** FINRA TAF maximum per trade, USD (from 2024-01-01); applied here per order, like every cap. */
export const FINRA_TAF_MAX = 8.3;

/**
 * Interactive Brokers US stock schedules (interactivebrokers.com, "Commissions: Stocks, ETFs and Warrants – North
 * America", IBKR Pro, as published 2024–2025).
 *
 * Fixed: USD 0.005 per share, at least USD 1.00 and at most 1 % of trade value per order; exchange, clearing and
 * most regulatory fees are included, the SEC fee and FINRA TAF on sales are passed through.
 *
 * Tiered: per-share rate by the month's volume (shares, calendar month UTC, before the order) — ≤ 300,000: 0.0035;
 * 300,001–3,000,000: 0.0020; 3,000,001–20,000,000: 0.0015; 20,000,001–100,000,000: 0.0010; > 100,000,000: 0.0005 —
 * at least USD 0.35 and at most 1 % of trade value per order; plus the NSCC/DTC clearing fee 0.00020/share, an
 * exchange fee (venues charge or rebate by venue and by adding/removing liquidity: we assume a flat 0.0030/share,
 * the usual cap for removing liquidity on a US exchange — a marketable order removes liquidity), and the FINRA
 * pass-through of 0.000175 × commission; plus the SEC fee and FINRA TAF on sales.
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
    /** exchange fee per share: assumed flat remove-liquidity rate */
    exchange: 0.003,
    /** FINRA pass-through fee as a fraction of the commission */
    finraPassThrough: 0.000175,
  },
  secFeePerDollar: SEC_FEE_PER_MILLION / 1_000_000,
  tafPerShare: FINRA_TAF_PER_SHARE,
  tafMax: FINRA_TAF_MAX,
} as const;

/**
 * Sell-side regulatory fees of an order of `qty` shares worth `value` so far: SEC fee value × 27.80e-6 plus FINRA
 * TAF min(qty × 0.000166, 8.30). 0 for buys.
 */
export function regulatoryFees(side: Side, qty: number, value: number): number {
  if (side !== 'sell' || !(qty > 0)) return 0;
  const taf = qty * FINRA_TAF_PER_SHARE;
  return value * IBKR.secFeePerDollar + (taf < FINRA_TAF_MAX ? taf : FINRA_TAF_MAX);
}

/** The monthly tier's per-share rate for a month volume `v` (shares already traded this month). */
export function tieredRate(v: number): number {
  const t = IBKR.tiered.tiers;
  for (let k = 0; k < t.length; k++) if (v < t[k].upTo) return t[k].perShare;
  return t[t.length - 1].perShare;
}

// ------------------------------------------------------------------ parsing

function bad(spec: string, why: string): UsageError {
  return new UsageError(`bad commission model '${spec}': ${why}; accepted forms: ${COMMISSION_FORMS}`);
}

function specNumber(spec: string, raw: string | undefined, what: string): number {
  if (raw === undefined || raw.trim() === '') throw bad(spec, `${what} is missing`);
  const x = Number(raw);
  if (!Number.isFinite(x) || x < 0) throw bad(spec, `${what} must be a number ≥ 0, got '${raw}'`);
  return x;
}

/**
 * Parse a commission spec (case-insensitive, surrounding blanks ignored) into a model whose `spec` is canonical.
 * Throws UsageError naming the accepted forms.
 */
export function parseCommission(spec: string): CommissionModel {
  const s = spec.trim().toLowerCase();
  const parts = s.split(':');
  const kind = parts[0];
  const maxParts = kind === 'per_share' ? 4 : kind === 'pct' || kind === 'fixed' ? 2 : 1;
  if (parts.length > maxParts) throw bad(spec, maxParts === 1 ? `'${kind}' takes no numbers` : `too many numbers for '${kind}'`);
  switch (kind) {
    case 'none':
      return { spec: 'none', fee: () => 0, rate: () => 0 };
    case 'pct': {
      const r = specNumber(spec, parts[1], 'R (rate)');
      if (r >= 1) throw bad(spec, `R is a fraction of value (0.001 = 0.1 %), got ${r}`);
      return { spec: `pct:${r}`, fee: (f) => (f.qty > 0 ? f.qty * f.price * r : 0), rate: () => r };
    }
    case 'per_share': {
      const x = specNumber(spec, parts[1], 'X (per share)');
      const min = parts.length > 2 ? specNumber(spec, parts[2], 'MIN (per order)') : 0;
      const max = parts.length > 3 ? specNumber(spec, parts[3], 'MAX (fraction of value)') : Infinity;
      const canon = `per_share:${x}${parts.length > 2 ? `:${min}` : ''}${parts.length > 3 ? `:${max}` : ''}`;
      return perOrder(canon, (_side, q, v) => capped(x * q, min, max * v));
    }
    case 'fixed': {
      const f = specNumber(spec, parts[1], 'F (per order)');
      return perOrder(`fixed:${f}`, () => f);
    }
    case 'ibkr_fixed': {
      const c = IBKR.fixed;
      return perOrder('ibkr_fixed', (side, q, v) => capped(c.perShare * q, c.min, c.maxPct * v) + regulatoryFees(side, q, v));
    }
    case 'ibkr_tiered':
      return ibkrTiered();
  }
  throw bad(spec, `unknown model '${kind}'`);
}

/** min(max(min, fee), cap): the cap wins over the minimum */
function capped(fee: number, min: number, cap: number): number {
  const f = fee > min ? fee : min;
  return f < cap ? f : cap;
}

/**
 * A per-order schedule `cumulative(side, qty, value)` (called with qty > 0 only; an empty order costs 0) charged
 * across partial fills as cumulative(after) − orderFeeBefore. `rate` is exact for a whole order of qty at price.
 */
function perOrder(spec: string, cumulative: (side: Side, qty: number, value: number) => number): CommissionModel {
  return {
    spec,
    fee(f: FeeInput) {
      if (!(f.qty > 0)) return 0;
      const q0 = f.orderFilledBefore > 0 ? f.orderFilledBefore : 0;
      const v0 = q0 > 0 ? (f.orderValueBefore ?? q0 * f.price) : 0;
      const d = cumulative(f.side, q0 + f.qty, v0 + f.qty * f.price) - (f.orderFeeBefore > 0 ? f.orderFeeBefore : 0);
      return d > 0 ? d : 0;
    },
    rate(qty, price, side) {
      if (!(qty > 0 && price > 0)) return 0;
      const v = qty * price;
      return cumulative(side, qty, v) / v;
    },
  };
}

// ------------------------------------------------------------------ IBKR tiered

const DAY_MS = 86_400_000;

/** The UTC calendar month of `ts` as [start, end) epoch ms, written into `out` (no Date objects). */
function utcMonthBounds(ts: number, out: Float64Array): void {
  // civil-from-days (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms")
  const z = Math.floor(ts / DAY_MS) + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9; // 1…12
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  out[0] = Date.UTC(y, m - 1, 1);
  out[1] = Date.UTC(y, m, 1);
}

/** The IBKR tiered model, with its month volume. */
export interface TieredCommissionModel extends CommissionModel {
  /** shares charged so far in the current month (UTC) */
  readonly monthVolume: number;
  charged(f: FeeInput): void;
  reset(): void;
}

/**
 * IBKR tiered (see IBKR above). Per order, with Q shares and value V so far and r the tier rate:
 *   commission = min(max(0.35, r × Q), 0.01 × V)
 *   cumulative = commission + Q × (0.0002 clearing + 0.0030 exchange) + 0.000175 × commission + SEC/TAF (sells)
 * The tier is the one of the month's volume before the order: shares charged (`charged()`) in the fill's UTC
 * calendar month, less the order's own earlier fills. A new month starts again at tier 1; `reset()` forgets the
 * volume (a new run). `fee()` is a pure quote. `rate()` uses tier 1, the highest rate: an upper bound.
 */
function ibkrTiered(): TieredCommissionModel {
  const c = IBKR.tiered;
  const perShareFees = c.clearing + c.exchange;
  const month = new Float64Array([NaN, NaN]); // [start, end) of the month whose volume is `volume`
  let volume = 0;
  const cumulative = (side: Side, q: number, v: number, r: number) => {
    const comm = capped(r * q, c.min, c.maxPct * v);
    return comm + q * perShareFees + comm * c.finraPassThrough + regulatoryFees(side, q, v);
  };
  return {
    spec: 'ibkr_tiered',
    get monthVolume() {
      return volume;
    },
    fee(f) {
      if (!(f.qty > 0)) return 0;
      const q0 = f.orderFilledBefore > 0 ? f.orderFilledBefore : 0;
      const v0 = q0 > 0 ? (f.orderValueBefore ?? q0 * f.price) : 0;
      const inMonth = f.ts >= month[0] && f.ts < month[1];
      const before = inMonth ? volume - q0 : 0;
      const r = tieredRate(before > 0 ? before : 0);
      const d = cumulative(f.side, q0 + f.qty, v0 + f.qty * f.price, r) - (f.orderFeeBefore > 0 ? f.orderFeeBefore : 0);
      return d > 0 ? d : 0;
    },
    charged(f) {
      if (!(f.ts >= month[0] && f.ts < month[1])) {
        utcMonthBounds(f.ts, month);
        volume = 0;
      }
      if (f.qty > 0) volume += f.qty;
    },
    rate(qty, price, side) {
      if (!(qty > 0 && price > 0)) return 0;
      const v = qty * price;
      return cumulative(side, qty, v, c.tiers[0].perShare) / v;
    },
    reset() {
      month[0] = NaN;
      month[1] = NaN;
      volume = 0;
    },
  };
}
