/**
 * A seeded synthetic universe for scale tests and demos.
 *
 * Model, per bar t of symbol s (log returns):
 *   r = (mu[regime] - ½σ²)·dt − κ·(log P − anchor) + σ_s · v[regime] · u_t · (√w_s · m_t + √(1−w_s) · ε_t)
 * where
 *  - regime is a market-wide 2-state Markov chain (calm / turbulent: lower drift, higher vol, more volume);
 *  - m_t is a common market shock (GARCH(1,1) on Student-t innovations), giving mild cross-sectional correlation
 *    (pairwise ≈ √(w_a·w_b), w in [0.08, 0.3]);
 *  - ε_t is the symbol's own shock: Student-t (nu = 5, unit variance) scaled by its own GARCH(1,1) volatility;
 *  - u_t is the intraday volatility seasonality (U shape, higher at the open and close);
 *  - κ is a weak pull of the log price toward a slowly rising anchor (half-life of years) so an 11-year series
 *    stays in a plausible price range.
 * Intraday bars follow the session 09:30–16:00 on the local clock of `tz` (America/New_York by default), weekdays
 * only (holidays are not modelled); the first bar of each session opens with an overnight gap. Daily bars are
 * weekdays at local midnight, weekly bars Mondays, monthly bars the 1st (labels as `resample` makes them).
 *
 * Determinism: the market path (regime and market shocks) depends only on (seed, calendar); each symbol draws
 * from its own Rng seeded by (seed, symbol index) — see `symbolRng` — so symbols can be generated in any order or
 * in parallel workers with bit-identical results.
 */
import { UsageError } from '../src/errors.ts';
import { DAY_MS, isIntraday, type Timeframe } from '../src/timeframe.ts';
import { checkTz, utcToWall, wallToUtc } from '../src/tz.ts';
import { allocBars, type BarSeries } from '../src/types.ts';
import { Rng } from '../src/rng.ts';

export interface SyntheticOptions {
  symbols: number;
  bars: number;
  timeframe: Timeframe;
  seed: number;
  /** Epoch ms of the first bar at or after which bars are generated; default 2015-01-02 00:00 local. */
  start?: number;
  /** IANA zone of the session clock and of the series; default America/New_York. */
  tz?: string;
}

const DEFAULT_TZ = 'America/New_York';
const MIN = 60_000;
const SESSION_OPEN = 9.5 * 3_600_000; // 09:30 local
const SESSION_LEN = 6.5 * 3_600_000; // to 16:00
const TRADING_DAYS = 252;
/** Student-t degrees of freedom for all innovations (excess kurtosis 6 before GARCH). */
const NU = 5;
/** Share of a day's variance that arrives overnight (as the first intraday bar's opening gap). */
const OVERNIGHT_SHARE = 0.15;

// GARCH(1,1) on unit-variance innovations: h' = (1 − a − b) + a·x² + b·h, E[h] = 1. With t5 innovations
// (E[x⁴] = 9) b² + 2ab + 9a² = 0.989 < 1, so returns have a finite fourth moment.
const G_A = 0.06;
const G_B = 0.92;
const G_W = 1 - G_A - G_B;

// Regimes: 0 calm, 1 turbulent. Vol multipliers normalised so the stationary mean variance is 1.
const CALM_DAYS = 60; // expected duration of a calm spell, in trading days
const TURB_DAYS = 15;
const P_TURB = TURB_DAYS / (CALM_DAYS + TURB_DAYS);
const VOL_NORM = Math.sqrt((1 - P_TURB) * 0.8 * 0.8 + P_TURB * 1.8 * 1.8);
const REGIME_VOL = [0.8 / VOL_NORM, 1.8 / VOL_NORM];
const REGIME_DRIFT = [0.14, -0.35]; // annual, added to the symbol's own drift
const REGIME_VOLUME = [1, 1.6];

/** Deterministic names: SYN000, SYN001, ..., SYN999, SYN1000, ... */
export function symbolName(i: number): string {
  return `SYN${String(i).padStart(3, '0')}`;
}

function mixSeed(seed: number, salt: number): number {
  let h = (seed ^ 0x5bd1e995) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  h = (h + Math.imul(salt + 0x27d4eb2f, 0x165667b1)) | 0;
  h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The Rng of symbol `index` for a universe seed: what generateUniverse passes to generateSeries. */
export function symbolRng(seed: number, index: number): Rng {
  return new Rng(mixSeed(seed, index));
}

// ---- calendar ----

interface Calendar {
  ts: Float64Array;
  /** Slot in the session (0 = first bar of the day); always 0 for daily and coarser bars. */
  slot: Int32Array;
  slotsPerDay: number;
  /** Bars per trading day (fractional for weekly/monthly bars). */
  barsPerDay: number;
  /** Per-slot volatility multiplier (RMS 1 over a session) and volume multiplier (mean 1). */
  volShape: Float64Array;
  volumeShape: Float64Array;
}

function dayOfWeek(dayNum: number): number {
  return (((dayNum + 4) % 7) + 7) % 7; // 0 = Sunday; 1970-01-01 was a Thursday
}

function buildCalendar(tf: Timeframe, bars: number, start: number, tz: string): Calendar {
  const ts = new Float64Array(bars);
  const slot = new Int32Array(bars);
  let n = 0;
  let day = Math.floor(utcToWall(start, tz) / DAY_MS);
  let slotsPerDay = 1;
  let barsPerDay = 1;
  if (isIntraday(tf)) {
    slotsPerDay = Math.max(1, Math.ceil(SESSION_LEN / tf.ms));
    barsPerDay = slotsPerDay;
    for (; n < bars; day++) {
      const dow = dayOfWeek(day);
      if (dow === 0 || dow === 6) continue;
      // The session never spans a DST change (those happen at night), so one offset serves the whole day.
      const open = wallToUtc(day * DAY_MS + SESSION_OPEN, tz);
      for (let k = 0; k < slotsPerDay && n < bars; k++) {
        const t = open + k * tf.ms;
        if (t < start) continue;
        ts[n] = t;
        slot[n++] = k;
      }
    }
  } else if (tf.unit === 'd') {
    barsPerDay = 1 / tf.n;
    let weekday = 0;
    for (; n < bars; day++) {
      const dow = dayOfWeek(day);
      if (dow === 0 || dow === 6) continue;
      const t = wallToUtc(day * DAY_MS, tz);
      if (t < start) continue;
      if (weekday++ % tf.n === 0) ts[n++] = t;
    }
  } else if (tf.unit === 'w') {
    barsPerDay = 1 / (5 * tf.n);
    while (dayOfWeek(day) !== 1 || wallToUtc(day * DAY_MS, tz) < start) day++;
    for (; n < bars; day += 7 * tf.n) ts[n++] = wallToUtc(day * DAY_MS, tz);
  } else if (tf.unit === 'mo') {
    barsPerDay = 1 / (21 * tf.n);
    const d0 = new Date(day * DAY_MS);
    const y = d0.getUTCFullYear();
    let m = d0.getUTCMonth();
    if (d0.getUTCDate() !== 1 || wallToUtc(day * DAY_MS, tz) < start) m++;
    for (; n < bars; m += tf.n) ts[n++] = wallToUtc(Date.UTC(y, m, 1), tz); // Date.UTC carries months over
  } else {
    throw new UsageError(`cannot generate synthetic ${tf.label} bars`, 'use a fixed timeframe such as 1m, 15m, 1h, 1d');
  }

  const volShape = new Float64Array(slotsPerDay);
  const volumeShape = new Float64Array(slotsPerDay);
  if (slotsPerDay === 1) {
    volShape[0] = 1;
    volumeShape[0] = 1;
  } else {
    let ss = 0;
    let sv = 0;
    for (let k = 0; k < slotsPerDay; k++) {
      const x = (2 * k) / (slotsPerDay - 1) - 1; // -1 at the open, +1 at the close
      const x2 = x * x;
      volShape[k] = 0.75 + 0.6 * x2 * x2 + (k === 0 ? 0.4 : 0);
      volumeShape[k] = 0.7 + 1.2 * x2 * x2 * x2 + (k === 0 ? 0.4 : k === slotsPerDay - 1 ? 0.3 : 0);
      ss += volShape[k] * volShape[k];
      sv += volumeShape[k];
    }
    const rms = Math.sqrt(ss / slotsPerDay);
    const mean = sv / slotsPerDay;
    for (let k = 0; k < slotsPerDay; k++) {
      volShape[k] /= rms;
      volumeShape[k] /= mean;
    }
  }
  return { ts, slot, slotsPerDay, barsPerDay, volShape, volumeShape };
}

// ---- market path ----

interface Market {
  key: string;
  cal: Calendar;
  regime: Uint8Array;
  /** Unit-variance (on average) market shock per bar, GARCH-scaled. */
  shock: Float64Array;
}

let marketCache: Market | undefined;

function resolve(opts: SyntheticOptions): { tz: string; start: number } {
  const tz = checkTz(opts.tz ?? DEFAULT_TZ);
  const start = opts.start ?? wallToUtc(Date.UTC(2015, 0, 2), tz);
  if (!Number.isFinite(start)) throw new UsageError('synthetic start must be a finite epoch time in ms');
  if (!Number.isInteger(opts.bars) || opts.bars < 0) throw new UsageError(`synthetic bars must be a non-negative integer (got ${opts.bars})`);
  if (opts.timeframe.unit === 'tick') throw new UsageError('cannot generate synthetic tick data', 'use a fixed timeframe such as 1m, 15m, 1h, 1d');
  return { tz, start };
}

/** The market-wide regime and shock path of a universe: depends only on the seed and the calendar (cached). */
function market(opts: SyntheticOptions): Market {
  const { tz, start } = resolve(opts);
  const key = `${opts.seed >>> 0}|${opts.bars}|${opts.timeframe.label}|${start}|${tz}`;
  if (marketCache?.key === key) return marketCache;
  const cal = buildCalendar(opts.timeframe, opts.bars, start, tz);
  const n = opts.bars;
  const rng = new Rng(mixSeed(opts.seed, -1));
  const regime = new Uint8Array(n);
  const shock = new Float64Array(n);
  const pCalmToTurb = Math.min(0.5, 1 / (CALM_DAYS * cal.barsPerDay));
  const pTurbToCalm = Math.min(0.5, 1 / (TURB_DAYS * cal.barsPerDay));
  let state = rng.next() < P_TURB ? 1 : 0;
  let h = 1;
  for (let i = 0; i < n; i++) {
    const u = rng.next();
    if (state === 0 ? u < pCalmToTurb : u < pTurbToCalm) state ^= 1;
    regime[i] = state;
    const x = Math.sqrt(h) * rng.studentT(NU);
    shock[i] = x;
    h = G_W + G_A * x * x + G_B * h;
  }
  marketCache = { key, cal, regime, shock };
  return marketCache;
}

// ---- series ----

/**
 * One symbol's bars. `rng` supplies everything specific to the symbol (use `symbolRng(opts.seed, index)` to match
 * generateUniverse); the market path is derived from `opts.seed`.
 */
export function generateSeries(symbol: string, opts: SyntheticOptions, rng: Rng): BarSeries {
  const mk = market(opts);
  const { cal, regime, shock } = mk;
  const tz = checkTz(opts.tz ?? DEFAULT_TZ);
  const n = opts.bars;
  const out = allocBars(symbol, opts.timeframe, tz, n);
  out.ts.set(cal.ts);
  const { open, high, low, close, volume } = out;

  // Per-symbol parameters, drawn in a fixed order.
  const price0 = Math.exp(Math.log(8) + rng.next() * Math.log(400 / 8)); // 8 .. 400, log-uniform
  const volAnnual = 0.15 + 0.45 * rng.next(); // 15% .. 60%
  const driftAnnual = 0.02 + 0.1 * rng.next();
  const w = 0.08 + 0.22 * rng.next(); // market share of variance
  const dailyVolume = Math.exp(Math.log(2e5) + rng.next() * Math.log(3e7 / 2e5)); // shares per day
  const range = 0.35 + 0.25 * rng.next(); // high/low excursion scale, in units of the bar's sigma

  const intraday = isIntraday(opts.timeframe);
  const periodsPerYear = TRADING_DAYS * cal.barsPerDay;
  const dt = 1 / periodsPerYear;
  // Intraday bars carry (1 - overnight share) of the day's variance; the rest is the opening gap.
  const barVar = (volAnnual * volAnnual * dt) * (intraday ? 1 - OVERNIGHT_SHARE : 1);
  const barSigma = Math.sqrt(barVar);
  const gapSigma = intraday ? volAnnual * Math.sqrt(OVERNIGHT_SHARE / TRADING_DAYS) : 0.25 * barSigma;
  const kappa = 0.3 * dt; // mean reversion of log price toward the anchor: half-life ~2.3 years
  const sw = Math.sqrt(w);
  const si = Math.sqrt(1 - w);
  const volPerBar = dailyVolume / cal.barsPerDay;
  const { slot, volShape, volumeShape } = cal;

  let anchor = Math.log(price0);
  let logP = anchor;
  let h = 0.5 + rng.next(); // GARCH state of the idiosyncratic shock
  let prevClose = price0;
  for (let i = 0; i < n; i++) {
    const reg = regime[i];
    const k = slot[i];
    const vm = REGIME_VOL[reg] * volShape[k];
    const sig = barSigma * vm;
    const eps = Math.sqrt(h) * rng.studentT(NU);
    h = G_W + G_A * eps * eps + G_B * h;
    const z = sw * shock[i] + si * eps;
    const mu = (driftAnnual + REGIME_DRIFT[reg]) * dt - 0.5 * sig * sig - kappa * (logP - anchor);
    anchor += driftAnnual * dt;

    // Opening gap: overnight news on the first bar of a session; a little noise otherwise.
    const g = k === 0 ? gapSigma * REGIME_VOL[reg] * rng.studentT(NU) : 0.02 * sig * rng.normal();
    const o = prevClose * Math.exp(g);
    const r = mu + sig * z; // open-to-close
    const c = o * Math.exp(r);
    logP = Math.log(c);
    // Excursions beyond the body: exponential, scaled by the bar's sigma.
    const up = -Math.log(1 - rng.next()) * range * sig;
    const dn = -Math.log(1 - rng.next()) * range * sig;
    open[i] = o;
    close[i] = c;
    high[i] = (o > c ? o : c) * Math.exp(up);
    low[i] = (o < c ? o : c) * Math.exp(-dn);
    // Volume: session U shape, regime, and activity (bigger moves trade more), with lognormal noise.
    const activity = 0.6 + 0.5 * Math.abs(z) + 0.3 * Math.abs(g) / (sig + 1e-12);
    const v = volPerBar * volumeShape[k] * REGIME_VOLUME[reg] * activity * Math.exp(0.35 * rng.normal() - 0.06);
    volume[i] = v < 1 ? 1 : Math.round(v);
    prevClose = c;
  }
  return out;
}

/** `opts.symbols` series named symbolName(0..), each from symbolRng(seed, i). */
export function generateUniverse(opts: SyntheticOptions, onProgress?: (done: number, total: number) => void): BarSeries[] {
  if (!Number.isInteger(opts.symbols) || opts.symbols < 0) throw new UsageError(`synthetic symbols must be a non-negative integer (got ${opts.symbols})`);
  resolve(opts);
  const out: BarSeries[] = [];
  for (let i = 0; i < opts.symbols; i++) {
    out.push(generateSeries(symbolName(i), opts, symbolRng(opts.seed, i)));
    onProgress?.(i + 1, opts.symbols);
  }
  return out;
}

// ---- CSV ----

function pad2(x: number): string {
  return x < 10 ? `0${x}` : String(x);
}

/** `YYYY-MM-DD HH:MM:SS` in UTC, without allocating a Date. */
function isoUtc(t: number): string {
  const day = Math.floor(t / DAY_MS);
  let rem = t - day * DAY_MS;
  const hh = Math.floor(rem / 3_600_000);
  rem -= hh * 3_600_000;
  const mm = Math.floor(rem / MIN);
  const ss = Math.floor((rem - mm * MIN) / 1000);
  // civil from days (Hinnant)
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)} ${pad2(hh)}:${pad2(mm)}:${pad2(ss)}`;
}

const num = (x: number) => (x === x ? x.toFixed(4) : '');

/**
 * CSV text: header `timestamp,open,high,low,close,volume`, timestamps `YYYY-MM-DD HH:MM:SS` in UTC, prices with 4
 * decimals, volume as an integer; NaN is an empty field. Ends with a newline.
 */
export function toCsv(bars: BarSeries): string {
  const { ts, open, high, low, close, volume } = bars;
  const lines: string[] = new Array(ts.length + 1);
  lines[0] = 'timestamp,open,high,low,close,volume';
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    const v = volume[i];
    lines[i + 1] = `${t === t ? isoUtc(t) : ''},${num(open[i])},${num(high[i])},${num(low[i])},${num(close[i])},${v === v ? Math.round(v) : ''}`;
  }
  return lines.join('\n') + '\n';
}
