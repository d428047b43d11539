/**
 * `--report out.html|out.json`: one self-contained file per run. The JSON report is the data (schema
 * `alphatrade.report/1`, below); the HTML report draws the same data with inline SVG (no script, no network): equity
 * against a buy-and-hold benchmark, underwater drawdown, monthly returns heatmap, return histogram, rolling Sharpe,
 * the trades, the parameters and the data's provenance.
 */
import { drawdowns, returnsFromEquity, sharpe } from './metrics.ts';
import type { RunSummary, SweepSection, WalkForwardSection } from './report.ts';
import { objectiveGrid } from './sweep.ts';

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
  run: Omit<RunSummary, 'equity' | 'trades' | 'sweep' | 'walkforward'>;
  /** a sweep's report: `run` is its best combination's backtest; every combination's metrics, DSR and PBO */
  sweep?: SweepSection;
  /** a walk-forward's report: `run` is the stitched out-of-sample curve; the windows and their chosen parameters */
  walkforward?: WalkForwardSection;
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
  const { equity: _e, trades, sweep, walkforward, ...run } = inp.summary;
  return {
    schema: 'alphatrade.report/1',
    generated_at: new Date().toISOString(),
    version: inp.version,
    run,
    ...(sweep ? { sweep } : {}),
    ...(walkforward ? { walkforward } : {}),
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

/** The objective over the sweep's first two parameters as an SVG grid of coloured cells (the best outlined). */
function sweepHeatmap(sec: SweepSection): string {
  const g = objectiveGrid(sec, sec.objective);
  const nx = g.x.values.length;
  const ny = g.cells.length;
  const cw = Math.max(14, Math.min(60, Math.floor(800 / nx)));
  const ch = Math.max(12, Math.min(30, Math.floor(400 / ny)));
  const left = 60;
  const top = 10;
  const span = g.max > g.min ? g.max - g.min : 1;
  let cells = '';
  for (let r = 0; r < ny; r++) {
    for (let c = 0; c < nx; c++) {
      const v = g.cells[r][c];
      const x = left + c * cw;
      const y = top + (ny - 1 - r) * ch;
      const fill = v === null ? '#eee' : heat((v - g.min) / span);
      const best = g.index[r][c] !== null && g.index[r][c] === sec.best_index;
      const label = `${g.x.name}=${g.x.values[c]}${g.y ? ` ${g.y.name}=${g.y.values[r]}` : ''}: ${sec.objective} ${v === null ? '–' : v.toFixed(3)}`;
      cells += `<rect class="cell" x="${x}" y="${y}" width="${cw - 1}" height="${ch - 1}" fill="${fill}"${best ? ' stroke="#000" stroke-width="2"' : ''}><title>${esc(label)}</title></rect>`;
    }
  }
  const W = left + nx * cw + 10;
  const H = top + ny * ch + 34;
  const xl = g.x.values.map((v, c) => (nx <= 20 || c % Math.ceil(nx / 20) === 0 ? `<text x="${left + c * cw + cw / 2}" y="${top + ny * ch + 12}" text-anchor="middle">${esc(v)}</text>` : '')).join('');
  const yl = g.y ? g.y.values.map((v, r) => (ny <= 20 || r % Math.ceil(ny / 20) === 0 ? `<text x="${left - 4}" y="${top + (ny - 1 - r) * ch + ch / 2 + 4}" text-anchor="end">${esc(v)}</text>` : '')).join('') : '';
  const names = `<text x="${left + (nx * cw) / 2}" y="${top + ny * ch + 28}" text-anchor="middle">${esc(g.x.name)}</text>${g.y ? `<text x="12" y="${top + (ny * ch) / 2}" transform="rotate(-90 12 ${top + (ny * ch) / 2})" text-anchor="middle">${esc(g.y.name)}</text>` : ''}`;
  return `<svg viewBox="0 0 ${W} ${H}" role="img" style="max-width:${W}px">${cells}${xl}${yl}${names}</svg><p>${esc(sec.objective)} from ${fmtNum(g.min, 3)} (blue) to ${fmtNum(g.max, 3)} (red)${sec.grid.length > 2 ? `; each cell shows the best over ${esc(sec.grid.slice(2).map((x) => x.name).join(', '))}` : ''}; the best combination is outlined.</p>`;
}

/** blue (0) → white (0.5) → red (1) */
function heat(t: number): string {
  const a = Math.max(0, Math.min(1, t));
  const lerp = (p: number, q: number, u: number) => Math.round(p + (q - p) * u);
  return a < 0.5 ? `rgb(${lerp(49, 247, a * 2)},${lerp(54, 247, a * 2)},${lerp(149, 247, a * 2)})` : `rgb(${lerp(247, 165, (a - 0.5) * 2)},${lerp(247, 0, (a - 0.5) * 2)},${lerp(247, 38, (a - 0.5) * 2)})`;
}

function sweepSection(sec: SweepSection): string {
  const ranked = sec.results.filter((r) => !r.error && r.metrics[sec.objective] !== null && r.metrics[sec.objective] !== undefined).sort((a, b) => (b.metrics[sec.objective] as number) - (a.metrics[sec.objective] as number) || a.index - b.index);
  const rows = ranked
    .slice(0, 20)
    .map((r) => `<tr><td>${esc(Object.entries(r.params).map(([k, v]) => `${k}=${v}`).join(' '))}</td><td class="num">${fmtNum(r.metrics[sec.objective], 3)}</td><td class="num">${fmtNum(r.metrics.sharpe)}</td><td class="num">${fmtPct(r.metrics.cagr)}</td><td class="num">${fmtPct(r.metrics.max_drawdown)}</td><td class="num">${fmtNum(r.metrics.num_trades, 0)}</td></tr>`)
    .join('');
  const dsr = sec.deflated_sharpe ? `deflated Sharpe of the best ${fmtPct(sec.deflated_sharpe.dsr, 1)} (best of ${sec.deflated_sharpe.trials} trials)` : 'deflated Sharpe: –';
  const pbo = sec.pbo ? `probability of backtest overfitting ${fmtPct(sec.pbo.pbo, 1)} (CSCV, ${sec.pbo.blocks} blocks, ${sec.pbo.splits} splits)` : 'PBO: –';
  return `<section id="sweep"><h2>Sweep: ${fmtNum(sec.combinations, 0)} combinations of ${esc(sec.grid.map((g) => `${g.name} (${g.values.length})`).join(' × '))}, objective ${esc(sec.objective)}</h2>
<p>${dsr} · ${pbo}${sec.errors ? ` · ${sec.errors} failed` : ''}. The charts below are the best combination's backtest.</p>
<figure id="heatmap">${sweepHeatmap(sec)}</figure>
<table id="sweep-best"><tr><th>parameters</th><th>${esc(sec.objective)}</th><th>Sharpe</th><th>CAGR</th><th>max dd</th><th>trades</th></tr>${rows}</table></section>`;
}

function walkForwardSection(w: WalkForwardSection): string {
  const rows = w.windows
    .map((x) => `<tr class="wf-window"><td>${x.index}</td><td>${esc(x.train.from.slice(0, 10))} → ${esc(x.train.to.slice(0, 10))}</td><td>${esc(x.test.from.slice(0, 10))} → ${esc(x.test.to.slice(0, 10))}</td><td>${esc(x.params ? Object.entries(x.params).map(([k, v]) => `${k}=${v}`).join(' ') : '(none)')}</td><td class="num">${fmtNum(x.in_sample[w.objective], 3)}</td><td class="num">${fmtNum(x.out_of_sample.objective, 3)}</td><td class="num">${fmtPct(x.out_of_sample.total_return)}</td><td class="num">${fmtPct(x.out_of_sample.max_drawdown)}</td><td class="num">${x.out_of_sample.num_trades}</td><td class="num">${fmtNum(x.efficiency)}</td></tr>`)
    .join('');
  return `<section id="walkforward"><h2>Walk-forward: ${w.windows.length} windows, ${w.anchored ? 'anchored' : 'rolling'}, train ${fmtNum(w.train, 0)} / test ${fmtNum(w.test, 0)} bars, ${fmtNum(w.combinations, 0)} combinations, objective ${esc(w.objective)}</h2>
<p>walk-forward efficiency <b>${fmtNum(w.efficiency)}</b> (out-of-sample CAGR / mean in-sample CAGR of the chosen combinations). The charts below are the stitched out-of-sample run.</p>
<table id="wf-windows"><tr><th>#</th><th>train</th><th>test</th><th>chosen</th><th>IS ${esc(w.objective)}</th><th>OOS ${esc(w.objective)}</th><th>OOS return</th><th>OOS max dd</th><th>trades</th><th>WFE</th></tr>${rows}</table></section>`;
}

/** Limits (peak use), breakers (trips) and the risk rejections of a run with --risk. */
function riskSection(r: ReportData['run']): string {
  const k = r.risk;
  if (!k) return '';
  const lim = (rule: string, v: number | null) => (v === null ? '–' : rule.endsWith('pct') || rule === 'max_drawdown' || rule === 'daily_loss' ? fmtPct(v, 1) : fmtNum(v, rule === 'leverage' ? 2 : 0));
  const limits = k.limits.map((l) => `<tr><td>${esc(l.rule)}</td><td class="num">${lim(l.rule, l.limit)}</td><td class="num">${lim(l.rule, l.peak)}</td><td class="num">${fmtPct(l.limit > 0 ? l.peak / l.limit : null, 0)}</td></tr>`).join('');
  const breakers = k.breakers.filter((b) => b.limit !== null || b.trips.length).map((b) => `<tr><td>${esc(b.name)}</td><td class="num">${b.name === 'consecutive_losses' ? String(b.limit ?? '–') : lim(b.name, b.limit)}</td><td>${b.trips.length ? `tripped ${b.trips.length}× (first ${esc(b.trips[0].time.slice(0, 10))})` : 'not tripped'}</td></tr>`).join('');
  const rej = (r.rejections.last ?? r.rejections.first).filter((x) => x.rule).map((x) => `<tr><td>${esc(x.time.slice(0, 16).replace('T', ' '))}</td><td>${esc(x.symbol)}</td><td>${esc(x.rule)}</td><td class="num">${lim(x.rule!, x.value ?? null)}</td><td class="num">${lim(x.rule!, x.limit ?? null)}</td></tr>`).join('');
  const by = Object.entries(r.rejections.by_rule ?? {}).map(([a, b]) => `${esc(a)} ${b}`).join(', ');
  return `<section id="risk"><h2>Risk limits and breakers</h2>
<table id="risk-limits"><tr><th>limit</th><th>limit</th><th>peak</th><th>peak use</th></tr>${limits}</table>
<table id="risk-breakers"><tr><th>breaker</th><th>limit</th><th>state</th></tr>${breakers}</table>
<p>orders rejected by the risk manager: ${by || 'none'}</p>${rej ? `<table id="risk-rejections"><tr><th>time</th><th>symbol</th><th>rule</th><th>value</th><th>limit</th></tr>${rej}</table>` : ''}</section>`;
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
<p>parameters: ${params || (d.walkforward ? 'chosen in each window (below)' : '(none)')} · mode ${esc(r.mode)} · fill ${esc(r.config.fill)} · commission ${esc(r.config.commission)} · slippage ${esc(r.config.slippage)} · sizer ${esc(r.config.sizer)} · leverage ${r.config.leverage} · cash ${fmtNum(r.initial_cash)}</p>
<p>final equity <b>${fmtNum(r.final_equity)}</b> · total return ${fmtPct(m.total_return)} · CAGR ${fmtPct(m.cagr)} · Sharpe ${fmtNum(m.sharpe)} · max drawdown ${fmtPct(m.max_drawdown)} · ${d.trades.length} trades</p>
${notes.map((x) => `<p class="note">${esc(x)}</p>`).join('')}
${d.sweep ? sweepSection(d.sweep) : ''}${d.walkforward ? walkForwardSection(d.walkforward) : ''}
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
${riskSection(r)}
<h2>Trades (${d.trades.length})</h2>
<table id="trades"><tr><th>symbol</th><th>side</th><th>qty</th><th>entry</th><th>price</th><th>exit</th><th>price</th><th>pnl</th><th>commission</th></tr>${trades}</table>
<h2>Data</h2>
<table id="provenance"><tr><th>symbol</th><th>source</th><th>SHA-256 of the bars</th><th>prices</th><th>bars</th></tr>${prov}</table>
<p>AlphaTrade ${esc(d.version)} · generated ${esc(d.generated_at)} · run ${esc(JSON.stringify(r.config))}</p>
</body></html>
`;
}
