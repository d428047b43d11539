/**
 * pairs — Engle-Granger pairs trading on two symbols, y = the first, x = the second. At each step where both have a
 * bar with a close, a rolling OLS over the last `window` bars (60) of PRICES (not log prices: the hedge ratio β is
 * then a number of x shares per y share) gives y = α + β·x; the spread is y − β·x and its z-score over the same
 * window is z = (y − α − β·x) / σ, σ the population standard deviation of the window's residuals. Cointegration
 * filter (Engle-Granger step 2): the Dickey-Fuller regression Δe_t = γ·e_{t−1} + ε of the window's residuals e (no
 * constant, no lagged differences; window − 1 observations) must have a t-statistic on γ below `adf_crit` (−3.34,
 * MacKinnon's 5 % critical value for two variables with a constant) for an ENTRY; exits do not need it. Entries: when
 * z > `entry` (2) sell the spread (sell y, buy β·y-qty of x; for β < 0 both legs are sold), when z < −entry buy it
 * (buy y, sell β·y-qty of x). Exits: a long spread closes both legs once z > −`exit` (0.5), a short one once z < exit
 * (so |z| < exit, or an overshoot through the mean); the opposite entry may follow on the same bar. Sizes are explicit
 * market-order quantities decided from this bar's closes and equity: y qty = floor(`capital` × equity / (y price +
 * |β| × x price)) and x qty = round(|β| × y qty), so the two legs' gross exposure is about `capital` × equity (0.8).
 * The regression is incremental (running sums over the window, O(1) per bar, recomputed exactly from the window
 * every `window` bars against drift; no allocation per bar).
 */
import { num } from '../params.ts';
import { defineStrategy } from '../strategy.ts';

/**
 * Rolling OLS of y on x over the last `w` points plus a no-constant Dickey-Fuller regression of its residuals, with
 * running sums. Values are kept relative to a centre (a recent point) to limit cancellation; OLS residuals do not
 * depend on it. After `push`, when `ready`: `beta`, `alpha` (in centred units), `z` of the newest point and `adfT`.
 */
export class RollingPairStats {
  readonly w: number;
  private readonly xs: Float64Array;
  private readonly ys: Float64Array;
  /** ring of the last w + 1 points (the oldest is the lag of the window's first difference) */
  private head = 0;
  private cnt = 0;
  private sinceRecompute = 0;
  private cx = 0;
  private cy = 0;
  // point sums over the window (w points)
  private sx = 0;
  private sy = 0;
  private sxx = 0;
  private sxy = 0;
  private syy = 0;
  // difference sums over the window's w − 1 (lag, change) pairs: x' y' lagged levels, dx dy changes
  private lx = 0;
  private ly = 0;
  private lxx = 0;
  private lxy = 0;
  private lyy = 0;
  private dx = 0;
  private dy = 0;
  private lxdx = 0;
  private lxdy = 0;
  private lydx = 0;
  private lydy = 0;
  private dxdx = 0;
  private dxdy = 0;
  private dydy = 0;

  beta = NaN;
  alpha = NaN;
  z = NaN;
  adfT = NaN;

  constructor(w: number) {
    if (!(w >= 4 && Number.isInteger(w))) throw new RangeError(`pairs window must be an integer ≥ 4, got ${w}`);
    this.w = w;
    this.xs = new Float64Array(w + 1);
    this.ys = new Float64Array(w + 1);
  }

  get ready(): boolean {
    return this.cnt >= this.w;
  }

  /** add a point (both prices finite) */
  push(x: number, y: number): void {
    const w = this.w;
    const cap = w + 1;
    if (this.cnt === 0) {
      this.cx = x;
      this.cy = y;
    }
    const prev = (this.head + cap - 1) % cap;
    this.xs[this.head] = x;
    this.ys[this.head] = y;
    const hadPrev = this.cnt > 0;
    this.head = (this.head + 1) % cap;
    if (this.cnt < cap) this.cnt++;
    if (++this.sinceRecompute >= w) {
      this.recompute();
    } else {
      this.addPoint(x - this.cx, y - this.cy, 1);
      if (hadPrev) this.addPair(this.xs[prev] - this.cx, this.ys[prev] - this.cy, x - this.cx, y - this.cy, 1);
      if (this.cnt === cap) {
        // drop the point that left the window (the oldest in the ring, index head) and its pair with the next one
        const o = this.head;
        const o2 = (o + 1) % cap;
        this.addPoint(this.xs[o] - this.cx, this.ys[o] - this.cy, -1);
        this.addPair(this.xs[o] - this.cx, this.ys[o] - this.cy, this.xs[o2] - this.cx, this.ys[o2] - this.cy, -1);
      }
    }
    this.solve(x - this.cx, y - this.cy);
  }

  private addPoint(x: number, y: number, k: number): void {
    this.sx += k * x;
    this.sy += k * y;
    this.sxx += k * x * x;
    this.sxy += k * x * y;
    this.syy += k * y * y;
  }

  private addPair(x0: number, y0: number, x1: number, y1: number, k: number): void {
    const dx = x1 - x0;
    const dy = y1 - y0;
    this.lx += k * x0;
    this.ly += k * y0;
    this.lxx += k * x0 * x0;
    this.lxy += k * x0 * y0;
    this.lyy += k * y0 * y0;
    this.dx += k * dx;
    this.dy += k * dy;
    this.lxdx += k * x0 * dx;
    this.lxdy += k * x0 * dy;
    this.lydx += k * y0 * dx;
    this.lydy += k * y0 * dy;
    this.dxdx += k * dx * dx;
    this.dxdy += k * dx * dy;
    this.dydy += k * dy * dy;
  }

  /** all sums again from the ring, centred on the newest point */
  private recompute(): void {
    this.sinceRecompute = 0;
    const cap = this.w + 1;
    const newest = (this.head + cap - 1) % cap;
    this.cx = this.xs[newest];
    this.cy = this.ys[newest];
    this.sx = this.sy = this.sxx = this.sxy = this.syy = 0;
    this.lx = this.ly = this.lxx = this.lxy = this.lyy = 0;
    this.dx = this.dy = this.lxdx = this.lxdy = this.lydx = this.lydy = this.dxdx = this.dxdy = this.dydy = 0;
    const m = Math.min(this.cnt, this.w); // points in the window
    const first = (this.head + cap - m) % cap;
    for (let k = 0; k < m; k++) {
      const j = (first + k) % cap;
      const x = this.xs[j] - this.cx;
      const y = this.ys[j] - this.cy;
      this.addPoint(x, y, 1);
      if (k > 0) {
        const p = (j + cap - 1) % cap;
        this.addPair(this.xs[p] - this.cx, this.ys[p] - this.cy, x, y, 1);
      }
    }
  }

  private solve(x: number, y: number): void {
    this.beta = this.alpha = this.z = this.adfT = NaN;
    if (this.cnt < this.w) return;
    const n = this.w;
    const mx = this.sx / n;
    const my = this.sy / n;
    const vx = this.sxx / n - mx * mx;
    const cxy = this.sxy / n - mx * my;
    const vy = this.syy / n - my * my;
    if (!(vx > 0)) return;
    const b = cxy / vx;
    const a = my - b * mx;
    this.beta = b;
    this.alpha = a;
    const vr = vy - b * cxy;
    if (!(vr > 0)) return;
    this.z = (y - a - b * x) / Math.sqrt(vr);
    // Dickey-Fuller on the residuals e = y − a − b·x over the window's m = n − 1 (lag, change) pairs
    const m = n - 1;
    const see = this.lyy - 2 * a * this.ly - 2 * b * this.lxy + m * a * a + 2 * a * b * this.lx + b * b * this.lxx;
    const sed = this.lydy - b * this.lydx - a * this.dy + a * b * this.dx - b * this.lxdy + b * b * this.lxdx;
    const sdd = this.dydy - 2 * b * this.dxdy + b * b * this.dxdx;
    if (!(see > 0)) return;
    const g = sed / see;
    const ssr = sdd - g * sed;
    const s2 = ssr / (m - 1);
    if (!(s2 > 0)) return;
    this.adfT = g / Math.sqrt(s2 / see);
  }
}

export const pairs = defineStrategy({
  name: 'pairs',
  description:
    'Engle-Granger pairs (y = first symbol, x = second): rolling OLS hedge ratio over `window` bars of prices; trade the spread y − β·x when its z-score passes ±entry and the residuals pass an ADF test (t < adf_crit); exit when it is back within ±exit.',
  universe: 'pair',
  params: {
    window: { type: 'int', default: 60, min: 10, max: 5000, step: 10, description: 'regression, z-score and ADF window (bars where both symbols trade)' },
    entry: { type: 'float', default: 2, min: 0, max: 10, step: 0.25, description: 'enter when |z| exceeds this' },
    exit: { type: 'float', default: 0.5, min: -10, max: 10, step: 0.25, description: 'exit when z is back within ±exit (or overshoots through it)' },
    adf_crit: { type: 'float', default: -3.34, min: -10, max: 10, step: 0.1, description: 'enter only while the residual ADF t-statistic is below this (MacKinnon 5 %, 2 variables: −3.34)' },
    capital: { type: 'float', default: 0.8, min: 0.01, max: 10, step: 0.1, description: 'gross exposure of both legs as a fraction of equity' },
  },
  init(ctx) {
    if (ctx.symbols.length !== 2) throw new RangeError(`pairs trades exactly two symbols (y, x); got ${ctx.symbols.length}`);
    const window = num(ctx.params, 'window');
    const entry = num(ctx.params, 'entry');
    const exit = num(ctx.params, 'exit');
    const crit = num(ctx.params, 'adf_crit');
    const capital = num(ctx.params, 'capital');
    const stats = new RollingPairStats(window);
    let st = 0; // +1 long spread, −1 short spread
    return {
      onBar(c) {
        const t = c.t;
        if (c.time(0) !== t || c.time(1) !== t) return; // both legs need a bar now
        const y = c.close(0);
        const x = c.close(1);
        if (!(Number.isFinite(x) && Number.isFinite(y))) return;
        stats.push(x, y);
        if (!stats.ready) return;
        const z = stats.z;
        if (!(z === z)) return;
        if ((st > 0 && z > -exit) || (st < 0 && z < exit)) {
          c.closePosition(0);
          c.closePosition(1);
          st = 0;
        }
        if (st !== 0 || !(stats.adfT < crit) || !(Math.abs(z) > entry)) return;
        const b = stats.beta;
        const qy = Math.floor((capital * c.equity) / (y + Math.abs(b) * x));
        if (!(qy > 0)) return;
        const qx = Math.round(Math.abs(b) * qy);
        const dir = z > entry ? -1 : 1; // −1 sell the spread, +1 buy it
        if (dir > 0) c.buy(0, qy);
        else c.sell(0, qy);
        // the x leg is −dir·β·qy shares: opposite to y for β > 0
        if (qx > 0) {
          if (dir * b > 0) c.sell(1, qx);
          else c.buy(1, qx);
        }
        st = dir;
      },
    };
  },
});
