/**
 * `--report out.html|out.json`: one self-contained file per run. The JSON report is the data (schema
 * `alphatrade.report/1`, below); the HTML report draws the same data with inline SVG (no script, no network): equity
 * against a buy-and-hold benchmark, underwater drawdown, monthly returns heatmap, return histogram, rolling Sharpe,
 * the trades, the parameters and the data's provenance.
 */
import { drawdowns, returnsFromEquity, sharpe } from './metrics.ts';
import type { RunSummary } from './report.ts';

export interface Provenance {
  symbol: string;
  source: string;
  sha256: string;
  adjusted: boolean | null;
  bars: number;
}

/** The JSON report (schema alphatrade.report/1). Times are ISO 8601, returns and drawdowns fractions. */
export interface ReportData {
  schema: 'alphatrade.report/1';
  generated_at: string;
  version: string;
  run: Omit<RunSummary, 'equity' | 'trades'>;
  provenance: Provenance[];
  /** equity and a buy-and-hold benchmark (equal weights of the run's symbols, same starting cash), ≤ 2,000 points */
  equity: { time: string[]; equity: number[]; benchmark: number[] };
  /** drawdown from the running peak (≤ 0) at the same points */
  drawdown: number[];
  monthly_returns: { year: number; month: number; return: number }[];
  /** histogram of period returns: `edges` has one more entry than `counts` */
  histogram: { edges: number[]; counts: number[] };
  /** Sharpe over a trailing window of periods, annualised like the run's metrics */
  rolling_sharpe: { window: number; time: string[]; value: (number | null)[] };
  trades: RunSummary['trades'];
}

export interface ReportInput {
  summary: RunSummary;
  ts: Float64Array;
  equity: Float64Array;
  /** closes of the run's symbols aligned to `ts` (for the benchmark); NaN before a symbol's first bar */
  closes: Float64Array[];
  provenance: Provenance[];
  version: string;
}

export function buildReport(inp: ReportInput): ReportData {
  const { ts, equity } = inp;
  const n = ts.length;
  const periods = inp.summary.metrics.periods_per_year ?? 252;
  // buy and hold: the initial cash split equally, each symbol bought at its first close
  const bench = new Float64Array(n);
  const k = inp.closes.length;
  const start = inp.summary.initial_cash;
  const first = inp.closes.map((c) => c.find((x) => x > 0) ?? NaN);
  const last = inp.closes.map(() => NaN);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let s = 0; s < k; s++) {
      const c = inp.closes[s][i];
      if (c > 0) last[s] = c;
      v += (start / k) * (last[s] === last[s] ? last[s] / first[s] : 1);
    }
    bench[i] = v;
  }
  const r = returnsFromEquity(equity);
  const dd = drawdowns(r);
  const ddFull = new Float64Array(n);
  ddFull.set(dd, 1);
  const pick = sampleIndex(n, 2000);
  // monthly returns from month-end equity
  const monthly: ReportData['monthly_returns'] = [];
  let prevEnd = equity[0];
  for (let i = 0; i < n; i++) {
    const d = new Date(ts[i]);
    const nd = i + 1 < n ? new Date(ts[i + 1]) : null;
    if (!nd || nd.getUTCMonth() !== d.getUTCMonth() || nd.getUTCFullYear() !== d.getUTCFullYear()) {
      monthly.push({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, return: equity[i] / prevEnd - 1 });
      prevEnd = equity[i];
    }
  }
  // histogram: 40 equal bins between the 0.5th and 99.5th percentiles (the rest in the end bins)
  const sorted = Float64Array.from(r).sort();
  const lo = sorted.length ? sorted[Math.floor(0.005 * (sorted.length - 1))] : 0;
  const hi = sorted.length ? sorted[Math.ceil(0.995 * (sorted.length - 1))] : 0;
  const bins = 40;
  const width = hi > lo ? (hi - lo) / bins : 1;
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < r.length; i++) counts[Math.max(0, Math.min(bins - 1, Math.floor((r[i] - lo) / width)))]++;
  const edges = Array.from({ length: bins + 1 }, (_, j) => lo + j * width);
  // rolling Sharpe over about half a year of periods
  const window = Math.max(20, Math.round(periods / 2));
  const rs: (number | null)[] = [];
  for (const i of pick) {
    if (i < window) rs.push(null);
    else {
      const v = sharpe(r.subarray(i - window, i), periods);
      rs.push(Number.isFinite(v) ? v : null);
    }
  }
  const { equity: _e, trades, ...run } = inp.summary;
  return {
    schema: 'alphatrade.report/1',
    generated_at: new Date().toISOString(),
    version: inp.version,
    run,
    provenance: inp.provenance,
    equity: { time: pick.map((i) => new Date(ts[i]).toISOString()), equity: pick.map((i) => equity[i]), benchmark: pick.map((i) => bench[i]) },
    drawdown: pick.map((i) => ddFull[i]),
    monthly_returns: monthly,
    histogram: { edges, counts },
    rolling_sharpe: { window, time: pick.map((i) => new Date(ts[i]).toISOString()), value: rs },
    trades,
  };
}

/** about `m` evenly spaced indices including the first and the last */
function sampleIndex(n: number, m: number): number[] {
  if (n <= m) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  for (let j = 0; j < m; j++) out.push(Math.round((j * (n - 1)) / (m - 1)));
  return out;
}

// ------------------------------------------------------------------ HTML

const esc = (s: unknown) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const fmtPct = (x: number | null | undefined, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : `${(x * 100).toFixed(d)}%`);
const fmtNum = (x: number | null | undefined, d = 2) => (x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));

/** An SVG line chart of one or more series over the same x (indices), with min/max labels and dated ends. */
function lineChart(series: { name: string; values: (number | null)[]; color: string }[], times: string[], opts: { height?: number; zero?: boolean; fill?: boolean; fmt?: (x: number) => string } = {}): string {
  const W = 900;
  const H = opts.height ?? 260;
  const pad = { l: 70, r: 10, t: 10, b: 24 };
  const vals = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  if (vals.length === 0) return '<p>no data</p>';
  let min = Math.min(...vals);
  let max = Math.max(...vals);
  if (opts.zero) {
    min = Math.min(min, 0);
    max = Math.max(max, 0);
  }
  if (max === min) max = min + 1;
  const n = Math.max(...series.map((s) => s.values.length));
  const x = (i: number) => pad.l + (n > 1 ? (i * (W - pad.l - pad.r)) / (n - 1) : 0);
  const y = (v: number) => pad.t + ((max - v) * (H - pad.t - pad.b)) / (max - min);
  const fmt = opts.fmt ?? ((v: number) => fmtNum(v, 0));
  const paths = series
    .map((s) => {
      let d = '';
      let pen = false;
      s.values.forEach((v, i) => {
        if (v === null || !Number.isFinite(v)) {
          pen = false;
          return;
        }
        d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
        pen = true;
      });
      const area = opts.fill && d ? `<path d="${d}L${x(s.values.length - 1).toFixed(1)},${y(0).toFixed(1)}L${x(0).toFixed(1)},${y(0).toFixed(1)}Z" fill="${s.color}" fill-opacity="0.25" stroke="none"/>` : '';
      return `${area}<path class="series" data-name="${esc(s.name)}" d="${d}" fill="none" stroke="${s.color}" stroke-width="1.4"/>`;
    })
    .join('');
  const zero = opts.zero ? `<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(0)}" y2="${y(0)}" stroke="#999" stroke-dasharray="3,3"/>` : '';
  const axis = `<text x="${pad.l - 6}" y="${y(max) + 4}" text-anchor="end">${esc(fmt(max))}</text><text x="${pad.l - 6}" y="${y(min)}" text-anchor="end">${esc(fmt(min))}</text>
<text x="${pad.l}" y="${H - 6}">${esc(times[0]?.slice(0, 10) ?? '')}</text><text x="${W - pad.r}" y="${H - 6}" text-anchor="end">${esc(times[times.length - 1]?.slice(0, 10) ?? '')}</text>`;
  const legend = series.map((s, i) => `<tspan fill="${s.color}" dx="${i ? 16 : 0}">■ ${esc(s.name)}</tspan>`).join('');
  return `<svg viewBox="0 0 ${W} ${H + 16}" role="img"><g transform="translate(0,16)">${zero}${paths}${axis}</g><text x="${pad.l}" y="12">${legend}</text></svg>`;
}

function histogramChart(h: ReportData['histogram']): string {
  const W = 900;
  const H = 200;
  const max = Math.max(1, ...h.counts);
  const bw = (W - 80) / h.counts.length;
  const bars = h.counts
    .map((c, j) => {
      const bh = (c / max) * (H - 40);
      const mid = (h.edges[j] + h.edges[j + 1]) / 2;
      return `<rect class="bar" x="${(70 + j * bw).toFixed(1)}" y="${(H - 24 - bh).toFixed(1)}" width="${(bw - 1).toFixed(1)}" height="${bh.toFixed(1)}" fill="${mid < 0 ? '#c0392b' : '#27ae60'}"><title>${fmtPct(h.edges[j])} to ${fmtPct(h.edges[j + 1])}: ${c}</title></rect>`;
    })
    .join('');
  return `<svg viewBox="0 0 ${W} ${H}" role="img">${bars}<text x="70" y="${H - 6}">${fmtPct(h.edges[0])}</text><text x="${W - 10}" y="${H - 6}" text-anchor="end">${fmtPct(h.edges[h.edges.length - 1])}</text></svg>`;
}

function monthlyTable(m: ReportData['monthly_returns']): string {
  const years = [...new Set(m.map((x) => x.year))].sort();
  const cell = (v: number | undefined) => {
    if (v === undefined) return '<td></td>';
    const a = Math.min(1, Math.abs(v) / 0.1);
    const bg = v >= 0 ? `rgba(39,174,96,${a.toFixed(2)})` : `rgba(192,57,43,${a.toFixed(2)})`;
    return `<td class="m" style="background:${bg}">${(v * 100).toFixed(1)}</td>`;
  };
  const head = `<tr><th>year</th>${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].map((x) => `<th>${x}</th>`).join('')}<th>year</th></tr>`;
  const rows = years.map((y) => {
    const ms = m.filter((x) => x.year === y);
    const yr = ms.reduce((g, x) => g * (1 + x.return), 1) - 1;
    return `<tr><th>${y}</th>${Array.from({ length: 12 }, (_, i) => cell(ms.find((x) => x.month === i + 1)?.return)).join('')}${cell(yr)}</tr>`;
  });
  return `<table class="heat">${head}${rows.join('')}</table>`;
}

export function renderHtml(d: ReportData): string {
  const r = d.run;
  const m = r.metrics;
  const params = Object.entries(r.params).map(([k, v]) => `${esc(k)}=${esc(v)}`).join(', ');
  const metricRows = Object.entries(m)
    .map(([k, v]) => `<tr><td>${esc(k)}</td><td class="num">${v === null ? '–' : Math.abs(v) < 10 && !Number.isInteger(v) ? v.toFixed(4) : fmtNum(v, 2)}</td></tr>`)
    .join('');
  const trades = d.trades
    .map((t) => `<tr><td>${esc(t.symbol)}</td><td>${t.side}</td><td class="num">${fmtNum(t.qty, 0)}</td><td>${esc(t.entry_time.slice(0, 16).replace('T', ' '))}</td><td class="num">${fmtNum(t.entry_price, 4)}</td><td>${t.exit_time ? esc(t.exit_time.slice(0, 16).replace('T', ' ')) : 'open'}</td><td class="num">${t.exit_price === null ? '' : fmtNum(t.exit_price, 4)}</td><td class="num">${fmtNum(t.pnl)}</td><td class="num">${fmtNum(t.commission)}</td></tr>`)
    .join('');
  const prov = d.provenance.map((p) => `<tr><td>${esc(p.symbol)}</td><td>${esc(p.source)}</td><td><code>${esc(p.sha256)}</code></td><td>${p.adjusted === null ? 'unknown' : p.adjusted ? 'adjusted' : 'not adjusted'}</td><td class="num">${fmtNum(p.bars, 0)}</td></tr>`).join('');
  const notes = [...r.flags.map((f) => (f === 'cheat_on_close' ? 'cheat-on-close: market orders filled at the close of the bar they were placed on' : f)), ...r.warnings];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.strategy)} · ${esc(r.symbols.join(','))} — AlphaTrade report</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:960px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:12px}td,th{padding:2px 8px;border-bottom:1px solid #eee;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}.heat td.m{text-align:right;width:44px}
svg{width:100%;height:auto;font-size:11px}.note{color:#a05a00}code{font-size:11px}
.cols{display:flex;gap:24px}.cols>div{flex:1}
</style></head><body>
<h1>${esc(r.strategy)} · ${esc(r.symbols.join(', '))} · ${esc(r.period.from?.slice(0, 10))} → ${esc(r.period.to?.slice(0, 10))}</h1>
<p>parameters: ${params || '(none)'} · mode ${esc(r.mode)} · fill ${esc(r.config.fill)} · commission ${esc(r.config.commission)} · slippage ${esc(r.config.slippage)} · sizer ${esc(r.config.sizer)} · leverage ${r.config.leverage} · cash ${fmtNum(r.initial_cash)}</p>
<p>final equity <b>${fmtNum(r.final_equity)}</b> · total return ${fmtPct(m.total_return)} · CAGR ${fmtPct(m.cagr)} · Sharpe ${fmtNum(m.sharpe)} · max drawdown ${fmtPct(m.max_drawdown)} · ${d.trades.length} trades</p>
${notes.map((x) => `<p class="note">${esc(x)}</p>`).join('')}
<h2>Equity and buy-and-hold benchmark</h2>
<figure id="equity">${lineChart(
    [
      { name: 'strategy', values: d.equity.equity, color: '#1f77b4' },
      { name: 'buy and hold', values: d.equity.benchmark, color: '#999999' },
    ],
    d.equity.time,
  )}</figure>
<h2>Underwater (drawdown from the peak)</h2>
<figure id="drawdown">${lineChart([{ name: 'drawdown', values: d.drawdown, color: '#c0392b' }], d.equity.time, { height: 160, zero: true, fill: true, fmt: (v) => fmtPct(v, 1) })}</figure>
<h2>Monthly returns (%)</h2>
<figure id="monthly">${monthlyTable(d.monthly_returns)}</figure>
<div class="cols"><div>
<h2>Distribution of period returns</h2>
<figure id="histogram">${histogramChart(d.histogram)}</figure></div></div>
<h2>Rolling Sharpe (${d.rolling_sharpe.window} periods)</h2>
<figure id="rolling-sharpe">${lineChart([{ name: 'rolling Sharpe', values: d.rolling_sharpe.value, color: '#8e44ad' }], d.rolling_sharpe.time, { height: 160, zero: true, fmt: (v) => v.toFixed(2) })}</figure>
<h2>Metrics</h2><table id="metrics">${metricRows}</table>
<h2>Trades (${d.trades.length})</h2>
<table id="trades"><tr><th>symbol</th><th>side</th><th>qty</th><th>entry</th><th>price</th><th>exit</th><th>price</th><th>pnl</th><th>commission</th></tr>${trades}</table>
<h2>Data</h2>
<table id="provenance"><tr><th>symbol</th><th>source</th><th>SHA-256 of the bars</th><th>prices</th><th>bars</th></tr>${prov}</table>
<p>AlphaTrade ${esc(d.version)} · generated ${esc(d.generated_at)} · run ${esc(JSON.stringify(r.config))}</p>
</body></html>
`;
}
