/**
 * Prices → returns → expected (annual) returns, following PyPortfolioOpt (pypfopt/expected_returns.py, v1.5):
 *
 * - data are COLUMNS: one Float64Array per asset, all the same length, row t = one date; NaN = missing
 *   (e.g. before a stock was listed);
 * - returns are daily SIMPLE returns r_t = p_t / p_{t−1} − 1, like pandas `prices.pct_change(fill_method=None)`:
 *   NaN when either price is missing (no forward fill across gaps); then rows in which EVERY asset's return is NaN are
 *   dropped (`.dropna(how="all")`), so the first row always goes;
 * - frequency = 252 periods per year;
 * - every estimator skips NaN per asset (pandas' skipna), so each asset uses its own history.
 *
 * Also the reader for wide price CSVs (date column + one column per ticker), e.g. PyPortfolioOpt's
 * tests/resources/stock_prices.csv.
 */
import { readFileSync } from 'node:fs';

/** One Float64Array per asset (all of one length: rows are dates). */
export type Columns = readonly Float64Array[];

export interface PriceTable {
  /** the first column's text, one per data row */
  dates: string[];
  /** header names of the other columns */
  symbols: string[];
  /** one column per symbol; empty cells (and NA markers) are NaN */
  prices: Float64Array[];
}

/** Cells read as missing values (a subset of pandas' default na_values), after trimming. */
const NA = new Set(['', 'NA', 'N/A', 'n/a', 'NaN', 'nan', '-NaN', '-nan', 'null', 'NULL', 'None', '#N/A', '<NA>']);
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Read a wide CSV of prices: a header line `date,SYM1,SYM2,…`, then one line per date; the first column is kept as
 * text (`dates`), every other cell must be a decimal number or empty / an NA marker (→ NaN). Comma-separated, no
 * quoting (surrounding double quotes on header names are removed); CRLF or LF; blank lines are skipped.
 * Errors name the file, the 1-based line and column: `prices.csv:17:4: malformed number "1,2x" in column AAPL`,
 * or a wrong field count for a line.
 */
export function readPricesCsv(file: string): PriceTable {
  const text = readFileSync(file, 'utf8');
  return parsePricesCsv(text, file);
}

/** parse the text of a wide price CSV (see readPricesCsv); `file` is only used in error messages */
export function parsePricesCsv(text: string, file = '<csv>'): PriceTable {
  const lines = text.split(/\r?\n/);
  let headerLine = -1;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '') {
      headerLine = i;
      break;
    }
  }
  if (headerLine < 0) throw new Error(`${file}: no header line (empty file)`);
  const header = lines[headerLine].replace(/^\uFEFF/, '').split(',').map((h) => h.trim().replace(/^"(.*)"$/, '$1'));
  if (header.length < 2) throw new Error(`${file}:${headerLine + 1}: expected a date column and at least one price column`);
  const symbols = header.slice(1);
  const k = symbols.length;
  const dates: string[] = [];
  const cols: number[][] = symbols.map(() => []);
  for (let i = headerLine + 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const f = line.split(',');
    if (f.length !== k + 1) {
      throw new Error(`${file}:${i + 1}: expected ${k + 1} fields (as in the header), found ${f.length}`);
    }
    dates.push(f[0].trim());
    for (let j = 1; j <= k; j++) {
      const cell = f[j].trim();
      if (NA.has(cell)) cols[j - 1].push(NaN);
      else if (NUMBER.test(cell)) cols[j - 1].push(Number(cell));
      else throw new Error(`${file}:${i + 1}:${j + 1}: malformed number ${JSON.stringify(f[j])} in column ${symbols[j - 1]}`);
    }
  }
  return { dates, symbols, prices: cols.map((c) => Float64Array.from(c)) };
}

/** The last finite price of each column (PyPortfolioOpt's get_latest_prices: prices.ffill().iloc[−1]). */
export function latestPrices(prices: Columns): Float64Array {
  const out = new Float64Array(prices.length).fill(NaN);
  prices.forEach((col, i) => {
    for (let t = col.length - 1; t >= 0; t--) {
      if (Number.isFinite(col[t])) {
        out[i] = col[t];
        break;
      }
    }
  });
  return out;
}

function checkColumns(cols: Columns, what: string): number {
  if (cols.length === 0) throw new Error(`${what}: no assets`);
  const T = cols[0].length;
  for (const c of cols) if (c.length !== T) throw new Error(`${what}: columns differ in length (${T} vs ${c.length})`);
  return T;
}

/**
 * Simple returns from prices (pandas pct_change(fill_method=None).dropna(how="all")), with `rows[k]` = the price row
 * that return row k ends on (so dates[rows[k]] is its date).
 */
export function returnsFromPricesWithRows(prices: Columns): { returns: Float64Array[]; rows: Int32Array } {
  const T = checkColumns(prices, 'returnsFromPrices');
  const n = prices.length;
  const keep: number[] = [];
  for (let t = 1; t < T; t++) {
    for (let i = 0; i < n; i++) {
      const r = prices[i][t] / prices[i][t - 1] - 1;
      if (r === r) {
        keep.push(t);
        break;
      }
    }
  }
  const returns = prices.map((p) => {
    const r = new Float64Array(keep.length);
    for (let k = 0; k < keep.length; k++) r[k] = p[keep[k]] / p[keep[k] - 1] - 1;
    return r;
  });
  return { returns, rows: Int32Array.from(keep) };
}

/** Simple returns from prices; see returnsFromPricesWithRows. */
export function returnsFromPrices(prices: Columns): Float64Array[] {
  return returnsFromPricesWithRows(prices).returns;
}

export interface ReturnOptions {
  /** geometric (true, PyPortfolioOpt's default) or arithmetic annualisation */
  compounding?: boolean;
  /** periods per year; default 252 */
  frequency?: number;
}

/**
 * Mean historical return per asset (PyPortfolioOpt mean_historical_return), over each asset's finite returns (n of
 * them): compounding (default) the CAGR (Π(1 + r_t))^(252/n) − 1; otherwise the arithmetic mean × 252.
 */
export function meanHistoricalReturn(returns: Columns, o: ReturnOptions = {}): Float64Array {
  const freq = o.frequency ?? 252;
  const geo = o.compounding ?? true;
  return Float64Array.from(returns, (r) => {
    let n = 0;
    let s = 0;
    let logp = 0;
    for (let t = 0; t < r.length; t++) {
      const x = r[t];
      if (x !== x) continue;
      n++;
      s += x;
      logp += Math.log1p(x);
    }
    if (n === 0) return NaN;
    // Π(1 + r)^(f/n) = exp(f/n × Σ log(1 + r)): the same number without overflow over decades of data
    return geo ? Math.expm1((logp * freq) / n) : (s / n) * freq;
  });
}

/**
 * The last value of pandas `x.ewm(span).mean()` (adjust=True, ignore_na=False): with α = 2/(span + 1),
 *   Σ_t (1 − α)^(T−1−t) x_t / Σ_t (1 − α)^(T−1−t)   over the finite x_t,
 * the decay counting every row including missing ones (pandas' "absolute positions"). NaN when no value is finite.
 */
export function ewmLast(x: Float64Array, span: number): number {
  if (!(span >= 1)) throw new Error(`EWM span must be ≥ 1, got ${span}`);
  const decay = 1 - 2 / (span + 1);
  let num = 0;
  let den = 0;
  let any = false;
  for (let t = 0; t < x.length; t++) {
    num *= decay;
    den *= decay;
    const v = x[t];
    if (v === v) {
      num += v;
      den += 1;
      any = true;
    }
  }
  return any ? num / den : NaN;
}

/**
 * Exponentially weighted mean return per asset (PyPortfolioOpt ema_historical_return), span 500 by default:
 * m = ewmLast(r, span); compounding (default) (1 + m)^252 − 1, else m × 252.
 */
export function emaHistoricalReturn(returns: Columns, o: ReturnOptions & { span?: number } = {}): Float64Array {
  const freq = o.frequency ?? 252;
  const span = o.span ?? 500;
  const geo = o.compounding ?? true;
  return Float64Array.from(returns, (r) => {
    const m = ewmLast(r, span);
    return geo ? (1 + m) ** freq - 1 : m * freq;
  });
}

/** Over the rows where both columns are finite: their count m and the centred sums Σ(x−x̄)(y−ȳ), Σ(x−x̄)², Σ(y−ȳ)². */
function pairSums(x: Float64Array, y: Float64Array): { m: number; sxy: number; sxx: number; syy: number } {
  let m = 0;
  let sx = 0;
  let sy = 0;
  const T = Math.min(x.length, y.length);
  for (let t = 0; t < T; t++) {
    const a = x[t];
    const b = y[t];
    if (a === a && b === b) {
      m++;
      sx += a;
      sy += b;
    }
  }
  if (m < 2) return { m, sxy: NaN, sxx: NaN, syy: NaN };
  const mx = sx / m;
  const my = sy / m;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let t = 0; t < T; t++) {
    const a = x[t];
    const b = y[t];
    if (a === a && b === b) {
      sxy += (a - mx) * (b - my);
      sxx += (a - mx) * (a - mx);
      syy += (b - my) * (b - my);
    }
  }
  return { m, sxy, sxx, syy };
}

/**
 * Sample covariance of two columns over the rows where both are finite (pandas DataFrame.cov's pairwise-complete
 * rule, ddof = 1): Σ (x − x̄)(y − ȳ) / (m − 1) with the means over those m rows. NaN when m < 2.
 */
export function pairwiseCov(x: Float64Array, y: Float64Array): number {
  const p = pairSums(x, y);
  return p.m < 2 ? NaN : p.sxy / (p.m - 1);
}

/**
 * Pearson correlation of two columns over the rows where both are finite (pandas DataFrame.corr's pairwise rule:
 * means and standard deviations over those rows). NaN when fewer than 2 rows or a constant column.
 */
export function pairwiseCorr(x: Float64Array, y: Float64Array): number {
  const p = pairSums(x, y);
  return p.m < 2 ? NaN : p.sxy / Math.sqrt(p.sxx * p.syy);
}

export interface CapmOptions extends ReturnOptions {
  /** market (benchmark) returns aligned with the rows of `returns`; default: the equal-weighted mean of the assets
   * each row (over the assets with a return that row) */
  market?: Float64Array;
  /** annual risk-free rate; default 0.02 (older PyPortfolioOpt default; v1.5.6 changed capm_return's to 0) */
  rf?: number;
}

/**
 * CAPM expected returns (PyPortfolioOpt capm_return): R_i = rf + β_i (R_m − rf) with
 *   β_i = cov(r_i, r_m) / var(r_m)  (pairwise-complete sample covariances, ddof 1 — pandas returns.cov()),
 *   R_m = the market's annualised mean return (geometric by default, as meanHistoricalReturn).
 */
export function capmReturn(returns: Columns, o: CapmOptions = {}): Float64Array {
  const T = checkColumns(returns, 'capmReturn');
  const rf = o.rf ?? 0.02;
  let mkt = o.market;
  if (mkt && mkt.length !== T) throw new Error(`capmReturn: market has ${mkt.length} rows, returns have ${T}`);
  if (!mkt) {
    const m = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      let s = 0;
      let k = 0;
      for (const r of returns) {
        const x = r[t];
        if (x === x) {
          s += x;
          k++;
        }
      }
      m[t] = k ? s / k : NaN;
    }
    mkt = m;
  }
  const varM = pairwiseCov(mkt, mkt);
  const Rm = meanHistoricalReturn([mkt], o)[0];
  return Float64Array.from(returns, (r) => rf + (pairwiseCov(r, mkt!) / varM) * (Rm - rf));
}
