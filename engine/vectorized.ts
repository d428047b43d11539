/**
 * The vectorized backtester: a strategy's `vectorized` form gives a target direction per bar from whole arrays
 * (decided at bar i's close from bars ≤ i; NaN = no action), and this engine trades to it at the next fill with the
 * same fill, slippage, commission and sizer models as the event engine, through the same Portfolio. A target t at
 * bar i means exactly what the built-in strategies' `goTo(ctx, s, t)` means in the event form: leave the current
 * side if it differs, then enter the target side with the sizer. So both forms give the same trades and equity
 * (test/backtest-parity.test.ts).
 *
 * Why a loop and not array arithmetic: entries are sized from cash at fill time (all-in, percent of equity), which
 * makes the path sequential; the loop does no allocation and touches each bar once (≥ 50 M bars/s on this machine,
 * see BENCHMARKS.md). Only one series per run and the next_open, close and vwap fill models (volume participation
 * carries orders over bars and needs the event engine).
 */
import { UsageError } from '../src/errors.ts';
import type { BarSeries, Side } from '../src/types.ts';
import { withLazyRecords, type BacktestConfig, type BacktestResult } from './backtest.ts';
import { Portfolio } from './portfolio.ts';
import type { SparseTargets } from './strategy.ts';
import type { BarRef, FeeInput, SizerInput } from './types.ts';

export function runVectorized(cfg: BacktestConfig): BacktestResult {
  const strat = cfg.strategy;
  if (!strat.vectorized) throw new UsageError(`strategy ${strat.name} has no vectorized form; use --mode event`);
  if (cfg.series.length !== 1) throw new UsageError(`the vectorized engine runs one symbol at a time (got ${cfg.series.length}); use --mode event for a portfolio`);
  if (cfg.fill.kind === 'volume') throw new UsageError('the volume fill model carries orders across bars: use --mode event');
  if (cfg.risk?.active) throw new UsageError('risk limits and circuit breakers are checked order by order: use --mode event');
  const S = cfg.series[0];
  const targets = strat.vectorized({ series: [S] }, cfg.params)[0];
  if (!targets || targets.length !== S.ts.length) throw new Error(`${strat.name}.vectorized returned ${targets?.length} targets for ${S.ts.length} bars`);
  if (!(targets instanceof Float64Array) && targets.kind !== 'sparse') throw new Error(`${strat.name}.vectorized must return Float64Array or sparse targets`);
  return simulateTargets(cfg, S, targets);
}

/** Trade one series to per-bar targets (see the module comment). Exported for sweeps, which reuse targets. */
export function simulateTargets(cfg: BacktestConfig, S: BarSeries, targets: Float64Array | SparseTargets): BacktestResult {
  const n = S.ts.length;
  const v = new VecTrader(cfg, S);
  const { open, high, low, close, ts } = S;
  const onClose = cfg.fill.kind === 'close';
  const vwap = cfg.fill.kind === 'vwap';
  const sp = targets instanceof Float64Array ? toSparse(targets) : targets;
  if (sp.length !== n) throw new Error(`${cfg.strategy.name}: ${sp.length} targets for ${n} bars`);
  const idx = sp.index;
  const val = sp.value;
  const cnt = sp.count;
  // Walk from decision to decision; between them the position is constant and equity is written by `markRange`.
  // (Small separate functions keep V8's optimised code stable; one big loop with closures fell back to ~70 ns/bar.)
  let from = 0;
  let j = 0;
  // decisions before `tradeFrom` are warm-up: dropped, like the event engine's orders placed then
  if (cfg.tradeFrom !== undefined) while (j < cnt && ts[idx[j]] < cfg.tradeFrom) j++;
  while (j < cnt) {
    const d = idx[j];
    if (onClose) {
      const t = val[j++];
      const c = close[d];
      if (!(c === c)) continue; // no close to trade at (validated data has none)
      markRange(v, close, from, d);
      v.mark = c;
      v.act(t, c, d);
      v.flagged = true;
      from = d;
      continue;
    }
    // next-bar fills: the first later bar with prices; a later decision before it replaces this one
    const f = nextPriced(open, high, low, close, d + 1, n);
    let t = val[j++];
    while (j < cnt && idx[j] < f) t = val[j++];
    if (f >= n) break;
    markRange(v, close, from, f);
    v.act(t, vwap ? (high[f] + low[f] + close[f]) / 3 : open[f], f);
    from = f;
  }
  markRange(v, close, from, n);
  const pf = v.pf;
  pf.mark[0] = v.mark;
  const lastT = n > 0 ? ts[n - 1] : NaN;
  const warnings: string[] = [];
  const wf = (cfg.slippage as { warmupFills?: number }).warmupFills;
  if (wf) warnings.push(`${wf} fill(s) had no slippage estimate yet (warm-up bars) and used none`);
  const result = withLazyRecords(pf, lastT, () => n - 1, {
    mode: 'vectorized',
    strategy: cfg.strategy.name,
    params: cfg.params,
    symbols: [S.symbol],
    ts,
    equity: v.equity,
    // cash and gross are built on first read: cash changes only at fills (kept as steps), and with one symbol
    // gross = |equity − cash|
    cash: undefined as unknown as Float64Array,
    gross: undefined as unknown as Float64Array,
    initialCash: cfg.cash,
    finalEquity: n > 0 ? v.equity[n - 1] : cfg.cash,
    rejections: v.rejections,
    commission: pf.commissionPaid,
    slippage: pf.slippagePaid,
    flags: v.flagged ? ['cheat_on_close'] : [],
    logs: [],
    warnings,
    config: { commission: cfg.commission.spec, slippage: cfg.slippage.spec, fill: cfg.fill.spec, sizer: cfg.sizer.spec, leverage: cfg.leverage, cash: cfg.cash },
  });
  let cash: Float64Array | undefined;
  let gross: Float64Array | undefined;
  const cashCol = (): Float64Array => {
    if (cash) return cash;
    cash = new Float64Array(n).fill(cfg.cash);
    const st = v.cashAt;
    for (let j = 0; j < st.length; j += 2) cash.fill(st[j + 1], st[j], j + 2 < st.length ? st[j + 2] : n);
    return cash;
  };
  return Object.defineProperties(result, {
    cash: { get: cashCol, enumerable: true, configurable: true },
    gross: {
      get: () => {
        if (gross) return gross;
        const c = cashCol();
        gross = new Float64Array(n);
        for (let i = 0; i < n; i++) gross[i] = Math.abs(v.equity[i] - c[i]);
        return gross;
      },
      enumerable: true,
      configurable: true,
    },
  });
}

/** A dense target column (NaN = no action) as the list of its decisions. */
export function toSparse(t: Float64Array): SparseTargets {
  let cnt = 0;
  for (let i = 0; i < t.length; i++) if (t[i] === t[i]) cnt++;
  const index = new Int32Array(cnt);
  const value = new Float64Array(cnt);
  let k = 0;
  for (let i = 0; i < t.length; i++) {
    const x = t[i];
    if (x === x) {
      index[k] = i;
      value[k++] = x;
    }
  }
  return { kind: 'sparse', length: t.length, index, value, count: cnt };
}

/** first bar ≥ k with open, high, low and close all present, else n */
function nextPriced(open: Float64Array, high: Float64Array, low: Float64Array, close: Float64Array, k: number, n: number): number {
  for (let i = k; i < n; i++) if (open[i] === open[i] && high[i] === high[i] && low[i] === low[i] && close[i] === close[i]) return i;
  return n;
}

/** equity, cash and gross for bars [from, to) with the position unchanged; carries the mark (last close) */
export function markRange(v: VecTrader, close: Float64Array, from: number, to: number): void {
  const { equity } = v;
  const q = v.pf.pos[0];
  const cash = v.pf.cash;
  const avg = v.pf.avg[0];
  let mark = v.mark;
  if (q === 0) {
    equity.fill(cash, from, to);
    for (let i = from; i < to; i++) {
      const c = close[i];
      if (c === c) mark = c;
    }
    if (from < to) {
      // the last close, scanned backwards, is all that matters when flat
      for (let i = to - 1; i >= from; i--) {
        const c = close[i];
        if (c === c) {
          mark = c;
          break;
        }
      }
    }
  } else {
    for (let i = from; i < to; i++) {
      const c = close[i];
      if (c === c) mark = c;
      const val = q * (mark === mark ? mark : avg);
      equity[i] = cash + val;
    }
  }
  v.mark = mark;
}

/** The trading side of the vectorized run: fills through the shared Portfolio with the run's models. */
class VecTrader {
  readonly pf: Portfolio;
  readonly equity: Float64Array;
  /** cash after each trading bar: (bar index, cash) pairs in bar order */
  cashAt: number[] = [];
  readonly rejections: BacktestResult['rejections'] = [];
  mark = NaN;
  flagged = false;
  private seq = 0;
  private readonly slipState: unknown;
  private readonly integer: boolean;
  // reused call arguments: the trade path allocates nothing
  private readonly bar: BarRef;
  private readonly sizeIn: SizerInput;
  private readonly feeIn: FeeInput = { side: 'buy', qty: 0, price: 0, orderFilledBefore: 0, orderFeeBefore: 0, ts: 0 };

  constructor(
    private readonly cfg: BacktestConfig,
    private readonly S: BarSeries,
  ) {
    const n = S.ts.length;
    this.pf = new Portfolio([S.symbol], cfg.cash, 'v');
    this.pf.recordFills = cfg.recordFills ?? true;
    cfg.commission.reset?.();
    this.slipState = cfg.slippage.prepare?.(S);
    this.integer = cfg.integer ?? true;
    this.bar = { series: S, i: 0 };
    this.sizeIn = { side: 'buy', price: 0, cash: 0, equity: 0, position: 0, commission: cfg.commission, ts: 0, integer: this.integer, bar: this.bar, closed: () => this.pf.closedNetStats() };
    this.equity = cfg.equityBuffer && cfg.equityBuffer.length === n ? cfg.equityBuffer : new Float64Array(n);

  }

  /** `goTo` at fill time: leave the current side if it differs, then enter the target side with the sizer */
  act(target: number, px: number, i: number): void {
    this.actInner(target, px, i);
    this.cashAt.push(i, this.pf.cash);
  }

  private actInner(target: number, px: number, i: number): void {
    const pf = this.pf;
    pf.mark[0] = this.mark;
    const p = pf.pos[0];
    const dir = target > 0 ? 1 : target < 0 ? -1 : 0;
    if (p !== 0 && Math.sign(p) !== dir) this.fillAt(p > 0 ? 'sell' : 'buy', Math.abs(p), px, i, false);
    if (dir !== 0 && Math.sign(p) !== dir) {
      const side: Side = dir > 0 ? 'buy' : 'sell';
      const cfg = this.cfg;
      this.bar.i = i;
      const q = cfg.sizer.qty(this.sizing(side, px, this.S.ts[i]));
      if (q > 0) this.fillAt(side, q, px, i, true);
      else this.rejections.push({ ts: this.S.ts[i], orderId: `v${++this.seq}`, symbol: this.S.symbol, reason: 'zero_qty', detail: `sizer ${cfg.sizer.spec} gave 0 at ${px}` });
    }
  }

  private fillAt(side: Side, qty: number, px: number, i: number, sized: boolean): boolean {
    const { cfg, pf, S } = this;
    const bar = this.bar;
    bar.i = i;
    let q = qty;
    const t = S.ts[i];
    let price = cfg.slippage.price(side, q, px, bar, this.slipState);
    let fee = this.fee(side, q, price, t);
    const no = ++this.seq;
    if (sized && side === 'buy' && q * price + fee > pf.cash) {
      const q2 = Math.min(q, cfg.sizer.qty(this.sizing(side, price, t)));
      if (!(q2 > 0)) {
        this.rejections.push({ ts: t, orderId: `v${no}`, symbol: S.symbol, reason: 'no_cash', detail: `cannot afford one unit at ${price}` });
        return false;
      }
      q = q2;
      price = cfg.slippage.price(side, q, px, bar, this.slipState, false);
      fee = this.fee(side, q, price, t);
    }
    const dq = side === 'buy' ? q : -q;
    const p0 = pf.pos[0];
    if (Math.abs(p0 + dq) > Math.abs(p0)) {
      const m = pf.mark[0];
      const markNow = m === m ? m : price;
      const grossAfter = pf.gross() - Math.abs(p0 * markNow) + Math.abs((p0 + dq) * price);
      const equityAfter = pf.equity() - p0 * markNow + p0 * price - fee;
      if (grossAfter > cfg.leverage * equityAfter * (1 + 1e-12) + 1e-9) {
        this.rejections.push({ ts: t, orderId: `v${no}`, symbol: S.symbol, reason: 'margin', detail: `gross exposure ${grossAfter.toFixed(2)} would exceed ${cfg.leverage} × equity ${equityAfter.toFixed(2)}` });
        return false;
      }
    }
    pf.fill(0, side, q, price, fee, t, i, no, px);
    if (cfg.commission.charged) cfg.commission.charged(this.feeIn);
    return true;
  }

  /** the commission quote for a fill; `feeIn` keeps its arguments for `charged` */
  private fee(side: Side, qty: number, price: number, ts: number): number {
    const f = this.feeIn;
    f.side = side;
    f.qty = qty;
    f.price = price;
    f.ts = ts;
    return this.cfg.commission.fee(f);
  }

  private sizing(side: Side, price: number, ts: number): SizerInput {
    const x = this.sizeIn;
    const pf = this.pf;
    x.side = side;
    x.price = price;
    x.cash = pf.cash;
    x.equity = pf.equity();
    x.position = pf.pos[0];
    x.ts = ts;
    return x;
  }
}
