/**
 * Position sizing rules as pure functions: how many units to hold given equity, price and a rule.
 *
 * Conventions:
 * - quantities are ≥ 0 (the caller chooses the direction); bad input (price ≤ 0, equity ≤ 0, NaN) gives 0;
 * - `lot` is the trading unit: the quantity is floored to a multiple of it (default 1 = whole shares; 0 = no rounding,
 *   fractional quantities) — always DOWN, so a rule's budget is never exceeded;
 * - `maxLeverage` caps the position's value at maxLeverage × equity (default 1 = no borrowing);
 * - volatilities are annual, as fractions (0.2 = 20 %); P = periods per year (default 252 daily bars);
 * - Kelly: p = win rate, b = payoff ratio (average win / average loss, both as positive amounts); the full Kelly
 *   fraction of a bet that wins b per unit staked with probability p and loses the stake otherwise is
 *   f* = p − (1 − p)/b (Kelly 1956; Thorp, "The Kelly criterion in blackjack, sports betting and the stock market").
 *
 * engine/sizers.ts sizes orders inside the backtester (commission-aware, cash-capped); these are the rules a risk
 * panel or a strategy computes a target from.
 */
import type { TradeRecord } from '../portfolio.ts';

export interface SizeOptions {
  /** trading unit; the quantity is floored to a multiple of it (default 1; 0 = fractional) */
  lot?: number;
  /** cap on |value| / equity (default 1) */
  maxLeverage?: number;
}

/** Floor q to a multiple of `lot` (lot ≤ 0: unchanged); negative or NaN → 0. */
export function roundToLot(q: number, lot = 1): number {
  if (!(q > 0)) return 0;
  if (!(lot > 0)) return q;
  // the 1e-9 guard keeps 0.3 / 0.1 = 2.9999999999999996 from flooring to 2
  return Math.floor(q / lot + 1e-9) * lot;
}

function capped(qRaw: number, equity: number, price: number, o: SizeOptions): number {
  if (!(price > 0) || !(equity > 0) || !(qRaw > 0)) return 0;
  const maxQ = ((o.maxLeverage ?? 1) * equity) / price;
  return roundToLot(Math.min(qRaw, maxQ), o.lot ?? 1);
}

/** Fixed size: `units` (floored to the lot), capped by maxLeverage × equity / price when equity and price are given. */
export function fixedSize(units: number, o: SizeOptions & { equity?: number; price?: number } = {}): number {
  if (o.equity !== undefined && o.price !== undefined) return capped(units, o.equity, o.price, o);
  return roundToLot(units, o.lot ?? 1);
}

/** Percent of equity: q = equity × fraction / price (fraction 0.1 = 10 %), capped by maxLeverage. */
export function percentOfEquitySize(equity: number, fraction: number, price: number, o: SizeOptions = {}): number {
  return capped((equity * fraction) / price, equity, price, o);
}

export interface KellyOptions {
  /** multiplier for fractional Kelly (0.5 = half Kelly); default 1 */
  fraction?: number;
  /** cap on the resulting fraction of equity; default 1 */
  max?: number;
}

/**
 * Kelly fraction of equity from win rate p and payoff ratio b: f = fraction × (p − (1 − p)/b), clamped to [0, max]
 * (never negative: a losing edge means no position). p = 0.6, b = 1 → 0.2; p = 0.5, b = 2 → 0.25.
 * Invalid input (p outside [0, 1], b ≤ 0, NaN) → 0.
 */
export function kellyFraction(p: number, b: number, o: KellyOptions = {}): number {
  if (!(p >= 0 && p <= 1) || !(b > 0)) return 0;
  const f = (o.fraction ?? 1) * (p - (1 - p) / b);
  const max = o.max ?? 1;
  return f > 0 ? Math.min(f, max) : 0;
}

/** Trade statistics for Kelly: p = wins / trades, b = mean win / |mean loss| (NaN when there are no losses or wins). */
export interface TradeStats {
  trades: number;
  winRate: number;
  payoffRatio: number;
}

/**
 * Win rate and payoff ratio from trade P&Ls (zero P&L counts as a trade but neither a win nor a loss, as
 * engine/metrics.ts counts them). Accepts plain P&L numbers or closed TradeRecords (pnl − commission).
 */
export function tradeStats(pnls: ArrayLike<number> | readonly TradeRecord[]): TradeStats {
  let n = 0;
  let wins = 0;
  let losses = 0;
  let sumWin = 0;
  let sumLoss = 0;
  const len = pnls.length;
  for (let i = 0; i < len; i++) {
    const item = (pnls as ArrayLike<number | TradeRecord>)[i];
    let x: number;
    if (typeof item === 'number') x = item;
    else {
      if (item.open) continue;
      x = item.pnl - item.commission;
    }
    if (x !== x) continue;
    n++;
    if (x > 0) {
      wins++;
      sumWin += x;
    } else if (x < 0) {
      losses++;
      sumLoss -= x;
    }
  }
  const payoff = wins && losses ? sumWin / wins / (sumLoss / losses) : NaN;
  return { trades: n, winRate: n ? wins / n : NaN, payoffRatio: payoff };
}

/** Kelly fraction from trade P&Ls: kellyFraction(winRate, payoffRatio); 0 without both wins and losses. */
export function kellyFromTrades(pnls: ArrayLike<number> | readonly TradeRecord[], o: KellyOptions = {}): number {
  const s = tradeStats(pnls);
  return kellyFraction(s.winRate, s.payoffRatio, o);
}

/** Kelly position: q = equity × kellyFraction(p, b) / price (floored to the lot, capped by maxLeverage). */
export function kellySize(equity: number, price: number, p: number, b: number, o: KellyOptions & SizeOptions = {}): number {
  return capped((equity * kellyFraction(p, b, o)) / price, equity, price, o);
}

/** Annualised volatility from an ATR: (ATR / price) × √P (the ATR as a one-period absolute move). */
export function annualVolFromAtr(atr: number, price: number, periods = 252): number {
  return price > 0 ? (atr / price) * Math.sqrt(periods) : NaN;
}

/** Realised annual volatility of simple returns: sample sd (ddof 1, NaN skipped) × √P. */
export function realisedVolatility(returns: Float64Array, periods = 252): number {
  let n = 0;
  let s = 0;
  for (let i = 0; i < returns.length; i++) {
    const x = returns[i];
    if (x === x) {
      n++;
      s += x;
    }
  }
  if (n < 2) return NaN;
  const m = s / n;
  let ss = 0;
  for (let i = 0; i < returns.length; i++) {
    const x = returns[i];
    if (x === x) ss += (x - m) * (x - m);
  }
  return Math.sqrt(ss / (n - 1)) * Math.sqrt(periods);
}

export interface VolTargetInput {
  equity: number;
  price: number;
  /** target annual volatility of the position's P&L as a fraction of equity (0.1 = 10 %) */
  targetVol: number;
  /** the instrument's annual volatility (annualVolFromAtr or realisedVolatility) */
  annualVol: number;
}

/**
 * Volatility targeting: q = equity × targetVol / (annualVol × price), so the position's value × annualVol equals
 * targetVol × equity; capped by maxLeverage (default 1) and floored to the lot. E.g. equity 100,000, target 10 %,
 * vol 20 %, price 50: q = 100,000 × 0.1 / (0.2 × 50) = 1,000 (value 50,000 = 0.5 × equity).
 */
export function volTargetSize(x: VolTargetInput, o: SizeOptions = {}): number {
  if (!(x.annualVol > 0) || !(x.targetVol > 0)) return 0;
  return capped((x.equity * x.targetVol) / (x.annualVol * x.price), x.equity, x.price, o);
}
