/**
 * The risk manager: one set of limits and circuit breakers for backtests, paper and live trading (the engines call
 * the same checks), so a limit that stops an order live stops it in the backtest too.
 *
 * Pre-trade checks return a structured rejection `{ rule, limit, value, symbol, detail }`, never a bare error:
 * - at placement (`checkPlacement`): the kill switch, tripped breakers, open orders, order rate;
 * - before a fill changes a position (`checkFill`, the quantity known): per-symbol quantity, notional and % of
 *   equity, sector exposure (% of equity), gross and net exposure (currency), leverage (gross / equity).
 * Orders that only reduce a position pass every exposure check and the breakers (closing risk is always allowed);
 * the kill switch stops everything new except reductions too.
 *
 * Circuit breakers (`onStep`, `onTradeClosed`): drawdown from the equity peak (stays tripped until `reset`), daily
 * loss from the day's opening equity (until the next day), consecutive losing trades (until the next day; the count
 * starts again). A tripped breaker halts new exposure; positions are kept (reductions still pass).
 *
 * Exposures are marked at the latest price of each symbol; the symbol being traded is valued at the order's price.
 * Percentages are fractions (0.2 = 20%); a breaker trips at its limit (to 1e-12). Limits bind orders, not prices: a
 * position that grows past a limit because its price rose is not cut (the Risk pane shows its utilisation above 100%).
 */
import { z } from 'zod';

const riskConfigSchema = () =>
  z
  .object({
    limits: z
      .object({
        position_qty: z.number().positive().optional().describe('largest |position| in units, any symbol'),
        position_notional: z.number().positive().optional().describe('largest |position| × price per symbol'),
        position_pct: z.number().positive().optional().describe('largest |position| × price per symbol as a fraction of equity'),
        sector_pct: z.number().positive().optional().describe('largest gross exposure of one sector as a fraction of equity'),
        gross: z.number().positive().optional().describe('largest Σ |position × price| (currency)'),
        net: z.number().positive().optional().describe('largest |Σ position × price| (currency)'),
        leverage: z.number().positive().optional().describe('largest gross exposure / equity'),
        open_orders: z.number().int().positive().optional().describe('most open orders at once'),
        order_rate: z.object({ orders: z.number().int().positive(), seconds: z.number().positive() }).strict().optional().describe('most orders placed in a sliding window'),
      })
      .strict()
      .default({}),
    /** per-symbol overrides of the position limits */
    symbols: z.record(z.string(), z.object({ position_qty: z.number().positive().optional(), position_notional: z.number().positive().optional(), position_pct: z.number().positive().optional() }).strict()).default({}),
    /** symbol → sector, and per-sector overrides of sector_pct */
    sectors: z.record(z.string(), z.string()).default({}),
    sector_limits: z.record(z.string(), z.number().positive()).default({}),
    breakers: z
      .object({
        max_drawdown: z.number().positive().max(1).optional().describe('halt at this drawdown from the equity peak (until reset)'),
        daily_loss: z.number().positive().max(1).optional().describe("halt at this loss from the day's opening equity (until the next day)"),
        consecutive_losses: z.number().int().positive().optional().describe('halt after this many losing trades in a row (until the next day)'),
      })
      .strict()
      .default({}),
  })
  .strict();

export type RiskConfig = z.infer<ReturnType<typeof riskConfigSchema>>;

let schema: ReturnType<typeof riskConfigSchema> | undefined;
/** The limits file's schema (built on first use: zod schemas are costly to build at start-up). */
export function RiskConfigSchema(): ReturnType<typeof riskConfigSchema> {
  return (schema ??= riskConfigSchema());
}

/** What the engine (or broker) shows the risk manager: positions and marks by symbol index, equity, open orders. */
export interface RiskView {
  readonly symbols: readonly string[];
  equity(): number;
  position(s: number): number;
  /** latest price of symbol s (NaN if none yet) */
  mark(s: number): number;
  openOrders(): number;
}

export interface RiskRejection {
  rule: string;
  limit: number;
  value: number;
  symbol: string;
  detail: string;
}

export type BreakerName = 'kill_switch' | 'max_drawdown' | 'daily_loss' | 'consecutive_losses';

export interface BreakerState {
  name: BreakerName;
  limit: number | null;
  /** the current value: drawdown or daily loss as a positive fraction, losses in a row */
  value: number;
  tripped: boolean;
  /** times (epoch ms) it tripped, with the value that tripped it */
  trips: { ts: number; value: number }[];
}

export interface LimitUse {
  rule: string;
  limit: number;
  /** the value now and its largest over the run (position and sector rules: the largest over symbols/sectors) */
  value: number;
  peak: number;
  /** symbol or sector of the largest value now */
  where?: string;
}

const fmt = (x: number) => (Math.abs(x) >= 1000 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toFixed(4));

export class RiskManager {
  readonly config: RiskConfig;
  private killed: { ts: number; reason: string } | null = null;
  private peak = -Infinity;
  private day = NaN;
  private dayOpen = NaN;
  private lossesInRow = 0;
  private readonly tripped = new Map<BreakerName, boolean>();
  private readonly trips = new Map<BreakerName, { ts: number; value: number }[]>();
  private lastDd = 0;
  private lastDayLoss = 0;
  /** placement times in the order-rate window (a ring would do; order rates are small) */
  private placed: number[] = [];
  private readonly peaks = new Map<string, number>();
  private sectorOf: (s: number, symbols: readonly string[]) => string | undefined;

  constructor(config: Partial<RiskConfig> | RiskConfig = {}) {
    this.config = RiskConfigSchema().parse(config);
    const map = new Map(Object.entries(this.config.sectors).map(([k, v]) => [k.toUpperCase(), v]));
    this.sectorOf = (s, symbols) => map.get(symbols[s].toUpperCase());
  }

  /** true when any limit or breaker is configured */
  get active(): boolean {
    const c = this.config;
    return Object.keys(c.limits).length > 0 || Object.keys(c.breakers).length > 0 || Object.keys(c.symbols).length > 0 || this.killed !== null;
  }

  /** whether the kill switch is on */
  get isKilled(): boolean {
    return this.killed !== null;
  }

  kill(ts: number, reason = 'manual'): void {
    this.killed = { ts, reason };
    this.trip('kill_switch', ts, 1);
  }

  /** clear the kill switch and every tripped breaker (the drawdown peak restarts from the current equity) */
  reset(): void {
    this.killed = null;
    this.tripped.clear();
    this.peak = -Infinity;
    this.lossesInRow = 0;
  }

  /** the first tripped breaker, if any */
  halted(): BreakerName | null {
    if (this.killed) return 'kill_switch';
    for (const [k, v] of this.tripped) if (v) return k;
    return null;
  }

  private trip(name: BreakerName, ts: number, value: number): void {
    if (this.tripped.get(name)) return;
    this.tripped.set(name, true);
    const list = this.trips.get(name) ?? [];
    list.push({ ts, value });
    this.trips.set(name, list);
  }

  /** After each step: the equity and the step's local day (e.g. epoch ms of local midnight) for the breakers. */
  onStep(ts: number, equity: number, dayKey: number): void {
    const b = this.config.breakers;
    if (dayKey !== this.day) {
      this.day = dayKey;
      this.dayOpen = equity;
      // daily breakers end with the day
      this.tripped.delete('daily_loss');
      if (this.tripped.get('consecutive_losses')) {
        this.tripped.delete('consecutive_losses');
        this.lossesInRow = 0;
      }
    }
    if (equity > this.peak) this.peak = equity;
    this.lastDd = this.peak > 0 ? 1 - equity / this.peak : 0;
    this.lastDayLoss = this.dayOpen > 0 ? Math.max(0, 1 - equity / this.dayOpen) : 0;
    if (b.max_drawdown !== undefined && this.lastDd >= b.max_drawdown - 1e-12) this.trip('max_drawdown', ts, this.lastDd);
    if (b.daily_loss !== undefined && this.lastDayLoss >= b.daily_loss - 1e-12) this.trip('daily_loss', ts, this.lastDayLoss);
  }

  /** A trade closed with this net P&L (after commission). */
  onTradeClosed(ts: number, net: number): void {
    if (net < 0) this.lossesInRow++;
    else this.lossesInRow = 0;
    const n = this.config.breakers.consecutive_losses;
    if (n !== undefined && this.lossesInRow >= n) this.trip('consecutive_losses', ts, this.lossesInRow);
  }

  /** Placement: kill switch, breakers (unless the order only reduces), open orders, order rate. Records the order. */
  checkPlacement(ts: number, s: number, reducing: boolean, view: RiskView): RiskRejection | null {
    const symbol = view.symbols[s];
    const h = this.halted();
    if (h && !reducing) {
      const value = h === 'kill_switch' ? 1 : h === 'max_drawdown' ? this.lastDd : h === 'daily_loss' ? this.lastDayLoss : this.lossesInRow;
      const limit = h === 'kill_switch' ? 0 : (this.config.breakers[h] ?? 0);
      return { rule: h, limit, value, symbol, detail: h === 'kill_switch' ? `kill switch on (${this.killed?.reason ?? 'manual'}): only reducing orders` : `${h.replace('_', ' ')} breaker tripped: only reducing orders` };
    }
    const L = this.config.limits;
    if (L.open_orders !== undefined && view.openOrders() >= L.open_orders) {
      return { rule: 'open_orders', limit: L.open_orders, value: view.openOrders() + 1, symbol, detail: `${view.openOrders()} orders already open (limit ${L.open_orders})` };
    }
    if (L.order_rate) {
      const from = ts - L.order_rate.seconds * 1000;
      let k = 0;
      while (k < this.placed.length && this.placed[k] <= from) k++;
      if (k > 0) this.placed = this.placed.slice(k);
      if (this.placed.length >= L.order_rate.orders) {
        return { rule: 'order_rate', limit: L.order_rate.orders, value: this.placed.length + 1, symbol, detail: `${this.placed.length + 1} orders in ${L.order_rate.seconds} s (limit ${L.order_rate.orders})` };
      }
      this.placed.push(ts);
    }
    return null;
  }

  /**
   * Before a fill of `qty` (signed: + buys) at `price` on symbol s: the position, sector, gross, net and leverage
   * limits after it. Fills that only reduce |position| pass.
   */
  checkFill(s: number, dq: number, price: number, view: RiskView): RiskRejection | null {
    const p0 = view.position(s);
    const p1 = p0 + dq;
    if (Math.abs(p1) <= Math.abs(p0) + 1e-12) return null;
    const symbol = view.symbols[s];
    const c = this.config;
    const own = c.symbols[symbol] ?? c.symbols[symbol.toUpperCase()] ?? {};
    const equity = view.equity();
    const qtyLim = own.position_qty ?? c.limits.position_qty;
    if (qtyLim !== undefined && Math.abs(p1) > qtyLim + 1e-9) return { rule: 'position_qty', limit: qtyLim, value: Math.abs(p1), symbol, detail: `|position| would be ${fmt(Math.abs(p1))} (limit ${fmt(qtyLim)})` };
    const notional = Math.abs(p1 * price);
    const notLim = own.position_notional ?? c.limits.position_notional;
    if (notLim !== undefined && notional > notLim * (1 + 1e-12)) return { rule: 'position_notional', limit: notLim, value: notional, symbol, detail: `position value would be ${fmt(notional)} (limit ${fmt(notLim)})` };
    const pctLim = own.position_pct ?? c.limits.position_pct;
    if (pctLim !== undefined && equity > 0 && notional / equity > pctLim * (1 + 1e-12)) return { rule: 'position_pct', limit: pctLim, value: notional / equity, symbol, detail: `position would be ${(100 * notional / equity).toFixed(1)}% of equity (limit ${(100 * pctLim).toFixed(1)}%)` };
    const L = c.limits;
    const sector = this.sectorOf(s, view.symbols);
    const secLim = sector !== undefined ? (c.sector_limits[sector] ?? L.sector_pct) : undefined;
    if (L.gross === undefined && L.net === undefined && L.leverage === undefined && secLim === undefined) return null;
    let gross = 0;
    let net = 0;
    let sec = 0;
    for (let k = 0; k < view.symbols.length; k++) {
      const v = k === s ? p1 * price : this.value(view, k);
      gross += Math.abs(v);
      net += v;
      if (secLim !== undefined && this.sectorOf(k, view.symbols) === sector) sec += Math.abs(v);
    }
    if (secLim !== undefined && equity > 0 && sec / equity > secLim * (1 + 1e-12)) return { rule: 'sector_pct', limit: secLim, value: sec / equity, symbol, detail: `sector ${sector} would be ${(100 * sec / equity).toFixed(1)}% of equity (limit ${(100 * secLim).toFixed(1)}%)` };
    if (L.gross !== undefined && gross > L.gross * (1 + 1e-12)) return { rule: 'gross', limit: L.gross, value: gross, symbol, detail: `gross exposure would be ${fmt(gross)} (limit ${fmt(L.gross)})` };
    if (L.net !== undefined && Math.abs(net) > L.net * (1 + 1e-12)) return { rule: 'net', limit: L.net, value: Math.abs(net), symbol, detail: `net exposure would be ${fmt(net)} (limit ±${fmt(L.net)})` };
    if (L.leverage !== undefined && equity > 0 && gross / equity > L.leverage * (1 + 1e-12)) return { rule: 'leverage', limit: L.leverage, value: gross / equity, symbol, detail: `leverage would be ${(gross / equity).toFixed(2)} (limit ${L.leverage})` };
    return null;
  }

  private value(view: RiskView, k: number): number {
    const q = view.position(k);
    if (q === 0) return 0;
    const m = view.mark(k);
    return m === m ? q * m : 0;
  }

  /** Each limit's value now (and its peak so far, updated by this call): for the Risk pane and reports. */
  observe(view: RiskView): LimitUse[] {
    const c = this.config;
    const L = c.limits;
    const equity = view.equity();
    const n = view.symbols.length;
    let gross = 0;
    let net = 0;
    let maxQty = 0;
    let maxQtySym = '';
    let maxVal = 0;
    let maxValSym = '';
    const bySector = new Map<string, number>();
    for (let k = 0; k < n; k++) {
      const v = this.value(view, k);
      const q = Math.abs(view.position(k));
      gross += Math.abs(v);
      net += v;
      if (q > maxQty) [maxQty, maxQtySym] = [q, view.symbols[k]];
      if (Math.abs(v) > maxVal) [maxVal, maxValSym] = [Math.abs(v), view.symbols[k]];
      const sec = this.sectorOf(k, view.symbols);
      if (sec !== undefined) bySector.set(sec, (bySector.get(sec) ?? 0) + Math.abs(v));
    }
    let maxSec = 0;
    let maxSecName = '';
    for (const [k, v] of bySector) if (v > maxSec) [maxSec, maxSecName] = [v, k];
    const out: LimitUse[] = [];
    const add = (rule: string, limit: number | undefined, value: number, where?: string) => {
      if (limit === undefined) return;
      const peak = Math.max(this.peaks.get(rule) ?? 0, value);
      this.peaks.set(rule, peak);
      out.push({ rule, limit, value, peak, where });
    };
    add('position_qty', L.position_qty, maxQty, maxQtySym);
    add('position_notional', L.position_notional, maxVal, maxValSym);
    add('position_pct', L.position_pct, equity > 0 ? maxVal / equity : 0, maxValSym);
    add('sector_pct', L.sector_pct ?? (Object.keys(c.sector_limits).length ? Math.max(...Object.values(c.sector_limits)) : undefined), equity > 0 ? maxSec / equity : 0, maxSecName);
    add('gross', L.gross, gross);
    add('net', L.net, Math.abs(net));
    add('leverage', L.leverage, equity > 0 ? gross / equity : 0);
    add('open_orders', L.open_orders, view.openOrders());
    if (L.order_rate) add('order_rate', L.order_rate.orders, this.placed.length);
    return out;
  }

  breakers(): BreakerState[] {
    const b = this.config.breakers;
    const st = (name: BreakerName, limit: number | null, value: number): BreakerState => ({ name, limit, value, tripped: name === 'kill_switch' ? this.killed !== null : !!this.tripped.get(name), trips: this.trips.get(name) ?? [] });
    return [
      st('kill_switch', null, this.killed ? 1 : 0),
      st('max_drawdown', b.max_drawdown ?? null, this.lastDd),
      st('daily_loss', b.daily_loss ?? null, this.lastDayLoss),
      st('consecutive_losses', b.consecutive_losses ?? null, this.lossesInRow),
    ];
  }

  /** exposure (position × mark) by symbol and by sector (gross), as fractions of equity */
  exposure(view: RiskView): { bySymbol: { symbol: string; value: number; pct: number }[]; bySector: { sector: string; value: number; pct: number }[] } {
    const e = view.equity();
    const bySymbol: { symbol: string; value: number; pct: number }[] = [];
    const sec = new Map<string, number>();
    for (let k = 0; k < view.symbols.length; k++) {
      const v = this.value(view, k);
      if (v !== 0) bySymbol.push({ symbol: view.symbols[k], value: v, pct: e > 0 ? v / e : NaN });
      const s = this.sectorOf(k, view.symbols) ?? '(none)';
      if (v !== 0) sec.set(s, (sec.get(s) ?? 0) + Math.abs(v));
    }
    return { bySymbol, bySector: [...sec].map(([sector, value]) => ({ sector, value, pct: e > 0 ? value / e : NaN })) };
  }
}
