/**
 * The console's state: one store that the engine publishes into and the views read (useSyncExternalStore).
 * Every key a view handles becomes a call to one of the session's actions; all computing (filtering, summaries,
 * resampling on the fly, completion) happens here or below, never in a view.
 */
import { computeFeatures } from '../data/features/pipeline.ts';
import { formatFinding } from '../data/findings.ts';
import { resample } from '../data/resample.ts';
import { BarStore, type BarSetInfo } from '../data/store.ts';
import { RANGES, rangeIndices, summarize, type RangeName, type SymbolSummary } from '../data/summary.ts';
import { EventBus } from '../src/events.ts';
import { parseTimeframe } from '../src/timeframe.ts';
import type { BarSeries } from '../src/types.ts';
import { formatTs } from '../src/tz.ts';
import type { Workspace } from '../src/workspace.ts';
import { nearest } from '../src/errors.ts';
import { parseArgs, validateArgs } from './cli.ts';
import { JobRunner, type JobState } from './jobs.ts';
import { argInfos, type Registry } from './registry.ts';
import type { RunSummary, SweepSection } from '../engine/report.ts';
import { comboAt, objectiveGrid, type ObjectiveGrid, type ParamGrid } from '../engine/sweep.ts';
import type { SweepOutput } from './sweep.ts';
import { ModelRegistry } from '../models/registry.ts';
import { readKillSwitch } from './risk.ts';
import type { DB } from '../src/catalog.ts';
import { equityOf, fillsOf, latestSession, openJournal, ordersOf, positionsOf, type FillRow, type OrderRow, type PositionRow, type SessionRow } from '../engine/live/journal.ts';
import { BUILTIN_STRATEGIES } from '../engine/strategies/index.ts';
import { loadStrategyFile, userStrategyFiles, watchStrategies } from '../engine/strategy-loader.ts';
import type { Strategy, StrategyParamSpec } from '../engine/strategy.ts';
import fs from 'node:fs';
import path from 'node:path';

export const PANES = [
  { id: 'data', key: '1', title: 'Data' },
  { id: 'backtest', key: '2', title: 'Backtest' },
  { id: 'train', key: '3', title: 'Train' },
  { id: 'risk', key: '4', title: 'Risk' },
  { id: 'blotter', key: '5', title: 'Blotter' },
  { id: 'log', key: '6', title: 'Log' },
] as const;
export type PaneId = (typeof PANES)[number]['id'];

export interface BarRow {
  time: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** An indicator the chart can overlay: drawn on the price scale. One item may draw several lines (bands). */
export interface OverlayItem {
  id: string;
  label: string;
  /** Feature names (data/indicators naming), one chart series each. */
  names: string[];
}

export const OVERLAYS: readonly OverlayItem[] = [
  { id: 'sma_20', label: 'sma_20', names: ['sma_20'] },
  { id: 'sma_50', label: 'sma_50', names: ['sma_50'] },
  { id: 'sma_200', label: 'sma_200', names: ['sma_200'] },
  { id: 'ema_20', label: 'ema_20', names: ['ema_20'] },
  { id: 'ema_50', label: 'ema_50', names: ['ema_50'] },
  { id: 'bb_20_2', label: 'Bollinger 20,2', names: ['bb_upper_20_2', 'bb_middle_20_2', 'bb_lower_20_2'] },
  { id: 'kama_30', label: 'kama_30', names: ['kama_30'] },
  { id: 'vwap_20', label: 'vwap_20', names: ['vwap_20'] },
  { id: 'donchian_20', label: 'Donchian 20', names: ['donchian_upper_20', 'donchian_lower_20'] },
  { id: 'keltner_20_10_2', label: 'Keltner 20,10,2', names: ['keltner_upper_20_10_2', 'keltner_middle_20_10_2', 'keltner_lower_20_10_2'] },
  { id: 'sar_0.02_0.2', label: 'Parabolic SAR 0.02,0.2', names: ['sar_0.02_0.2'] },
  { id: 'supertrend_10_3', label: 'Supertrend 10,3', names: ['supertrend_10_3'] },
];

export interface OverlaySeries {
  name: string;
  values: number[];
}

export interface DetailState {
  symbol: string;
  timeframe: string;
  /** Stored timeframes plus coarser ones we can resample to. */
  timeframes: string[];
  resampled: boolean;
  range: RangeName;
  closes: number[];
  labels: string[];
  recent: BarRow[];
  info: BarSetInfo;
  findings: string[];
  findingCount: number;
  bars: number;
  /** The chosen overlays' series, computed over the full series and sliced to the range like `closes`. */
  overlays: OverlaySeries[];
}

export interface LogLine {
  ts: number;
  level: 'info' | 'warn' | 'error';
  text: string;
}

export interface EditableParam {
  name: string;
  type: StrategyParamSpec['type'];
  value: number | boolean | string;
  min?: number;
  max?: number;
  step?: number;
  choices?: string[];
  /** differs from the shown run's value */
  changed: boolean;
}

export interface ParamEditState {
  strategy: string;
  params: EditableParam[];
  cursor: number;
}

/** One finished backtest as the Backtest pane shows it (computed here; the pane only draws). */
export interface BacktestRunView {
  /** the command line that produced it (r reruns it) */
  line: string;
  summary: RunSummary;
  /** equity at ≤ 1,000 evenly spaced steps (the last step of each bucket), with their time labels */
  equity: number[];
  labels: string[];
  /** drawdown from the running peak, as a fraction ≤ 0, at the same steps */
  drawdown: number[];
  /** daily or coarser bars: times shown as dates */
  daily: boolean;
  /** shown from `runs compare`: overlaid on the run before it whatever its data */
  compare?: boolean;
}

/** A sweep as the Backtest pane shows it: progress while it runs, then a heatmap of the objective with a cell cursor. */
export interface SweepView {
  /** the palette line that started it (Enter on a cell turns it into a backtest line) */
  line: string;
  jobId: number;
  result: { strategy: string; objective: string; combinations: number; grid: ParamGrid; errors: number; deflated_sharpe: SweepSection['deflated_sharpe']; pbo: SweepSection['pbo']; runId: number | null } | null;
  heat: ObjectiveGrid | null;
  /** cursor cell: column (first parameter) and row (second) */
  cx: number;
  cy: number;
}

/** What the Risk pane draws (prepared here from the latest run with limits, and the workspace's kill switch). */
export interface RiskPaneState {
  /** the run it describes: command line and title */
  source: { line: string; title: string } | null;
  limits: { rule: string; limit: number; value: number; peak: number; where?: string; /** peak / limit */ use: number }[];
  breakers: { name: string; limit: number | null; value: number; tripped: boolean; trips: number; first: string | null }[];
  var95: number | null;
  cvar95: number | null;
  exposure: { symbol: string; value: number; pct: number }[];
  sectors: { sector: string; value: number; pct: number }[];
  rejections: { time: string; symbol: string; rule: string; value: number | null; limit: number | null; detail: string }[];
  byRule: Record<string, number>;
  kill: { on: boolean; reason: string | null; since: string | null };
}

/** What the Train pane draws: the registry and the latest training's scores (prepared here). */
export interface TrainPaneState {
  models: { id: number; name: string; kind: string; task: string; features: number; created: string; auc: number | null }[];
  last: {
    line: string;
    model_id: number | null;
    model: string;
    features: number;
    rows: { train: number; test: number; purged: number };
    scores: Record<string, number | null>;
    cv: { kind: string; folds: number; auc_mean: number | null; auc_sd: number | null } | null;
    importance: { feature: string; weight?: number; split?: number; gain?: number; permutation?: number | null }[];
    train_seconds: number;
  } | null;
  /** the training that runs (or ran last) in this session: its loss curves and search trials as they arrive */
  live: TrainLive | null;
}

export interface TrainLive {
  jobId: number;
  label: string;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  phase: string;
  message: string;
  model: string;
  round: number;
  rounds: number;
  train: number[];
  valid: number[];
  trials: { number: number; state: string; value: number | null; params: Record<string, unknown> }[];
}

/** What the Blotter pane draws: the latest paper session, read from the journal (another process may be trading). */
export interface BlotterState {
  session: (Pick<SessionRow, 'id' | 'strategy' | 'symbols' | 'status' | 'bars' | 'last_bar_ts' | 'heartbeat'> & { capital: number }) | null;
  equity: number | null;
  cash: number | null;
  curve: number[];
  working: OrderRow[];
  orders: number;
  fills: FillRow[];
  nFills: number;
  positions: PositionRow[];
  /** the latest orders refused (risk limits, the broker), newest first */
  rejected: OrderRow[];
  cursor: number;
}

export interface ConsoleState {
  workspaceDir: string;
  mode: 'research' | 'paper' | 'live';
  pane: PaneId;
  symbols: SymbolSummary[];
  visible: SymbolSummary[];
  selected: number;
  filter: string;
  filtering: boolean;
  view: 'list' | 'detail';
  detail: DetailState | null;
  jobs: JobState[];
  log: LogLine[];
  message: { text: string; tone: 'info' | 'ok' | 'error' } | null;
  palette: { open: boolean; input: string; completions: string[]; history: string[]; historyIdx: number };
  help: boolean;
  /** Chosen overlay ids (OVERLAYS); kept across symbols, ranges and timeframes. */
  overlays: string[];
  overlayPicker: { open: boolean; cursor: number };
  /** finished backtests, newest first (the pane overlays the previous one when it ran on the same symbols) */
  backtests: BacktestRunView[];
  tradeCursor: number;
  /** the Backtest pane's parameter editor: the shown run's parameters, edited with ←/→ and +/-, rerun with r */
  paramEdit: ParamEditState | null;
  /** the latest sweep (v switches the Backtest pane between it and the run) */
  sweep: SweepView | null;
  btView: 'run' | 'sweep';
  risk: RiskPaneState;
  train: TrainPaneState;
  blotter: BlotterState;
  equity: number | null;
  openOrders: number;
  confirmQuit: boolean;
  quit: boolean;
}

/** how long a just-started job waits to be drawn (a quick job is drawn once, with its result; see set()) */
const START_DRAW_DELAY_MS = 150;

const RESAMPLE_TARGETS = ['5m', '15m', '1h', '1d', '1w', '1mo'];

export class ConsoleSession extends EventBus<{ change: ConsoleState }> {
  private state: ConsoleState;
  private stopWatching: (() => void) | null = null;
  readonly store: BarStore;
  readonly jobs: JobRunner;

  constructor(
    readonly ws: Workspace,
    readonly registry: Registry,
    private opts: { cwd?: string; env?: NodeJS.ProcessEnv; jobs?: JobRunner; watchStrategies?: boolean } = {},
  ) {
    super();
    this.store = new BarStore(ws);
    this.jobs = opts.jobs ?? new JobRunner();
    this.state = {
      workspaceDir: ws.dir, mode: 'research', pane: 'data', symbols: [], visible: [], selected: 0, filter: '', filtering: false, view: 'list', detail: null,
      jobs: [], log: [], message: null, palette: { open: false, input: '', completions: [], history: [], historyIdx: -1 }, help: false,
      overlays: [], overlayPicker: { open: false, cursor: 0 }, equity: null, openOrders: 0, confirmQuit: false, quit: false,
      backtests: [], tradeCursor: 0, paramEdit: null, sweep: null, btView: 'run', risk: emptyRisk(), train: { models: [], last: null, live: null },
      blotter: { session: null, equity: null, cash: null, curve: [], working: [], orders: 0, fills: [], nFills: 0, positions: [], rejected: [], cursor: 0 },
    };
    // a job that just started is drawn a little later: a quick one (a rerun) is then drawn once, with its result
    // a job that just started, or reports progress, is drawn a little later: a quick one (a rerun) is then drawn once,
    // with its result, and a long one's progress bar moves at most every START_DRAW_DELAY_MS
    this.jobs.on('update', (j) => {
      if (j.command === 'train' && j.detail && !this.seenDetail.has(j.detail)) this.trainProgress(j);
      this.set({ jobs: this.jobs.list() }, j.status === 'running' ? START_DRAW_DELAY_MS : 0);
    });
    this.jobs.on('finished', (j) => this.onJobFinished(j));
    this.refresh();
    if (opts.watchStrategies !== false) this.stopWatching = watchStrategies(ws.path('strategies'), (file, r) => this.onStrategySaved(file, r), { tmpDir: ws.path('tmp') });
  }

  private readonly seenDetail = new WeakSet<object>();

  /** A training job's progress: loss points of the rounds since the last event, or a finished search trial. */
  private trainProgress(j: JobState): void {
    const d = j.detail!;
    this.seenDetail.add(d);
    const prev = this.state.train.live;
    let live: TrainLive = prev && prev.jobId === j.id ? { ...prev } : { jobId: j.id, label: j.label, status: 'running', phase: '', message: '', model: '', round: 0, rounds: 0, train: [], valid: [], trials: [] };
    live = { ...live, phase: j.phase, message: j.message ?? '' };
    if (typeof d.round === 'number') {
      // a new fit (the next model of --compare-models, or the final fit after a search) starts a new curve
      if (d.model !== live.model || (d.first as number) === 1) live = { ...live, train: [], valid: [] };
      live.model = String(d.model);
      live.round = d.round;
      live.rounds = Number(d.rounds);
      live.train = [...live.train, ...((d.train as number[]) ?? [])];
      live.valid = [...live.valid, ...((d.valid as number[]) ?? [])];
    }
    if (typeof d.trial === 'number') live.trials = [...live.trials, { number: d.trial, state: String(d.state), value: (d.value as number | null) ?? null, params: (d.params as Record<string, unknown>) ?? {} }];
    this.set({ train: { ...this.state.train, live } }, START_DRAW_DELAY_MS);
  }

  getState = (): ConsoleState => this.state;
  subscribe = (fn: () => void): (() => void) => this.on('change', fn);

  /**
   * State changes apply at once (getState() sees them); subscribers hear of them once per task, after a microtask,
   * so an action that changes several things (a job's result: the run, the message, the log lines) draws one frame,
   * not one per change — a frame of a large pane costs tens of milliseconds in Ink.
   */
  private set(patch: Partial<ConsoleState>, deferMs = 0): void {
    this.state = { ...this.state, ...patch };
    if (deferMs > 0) {
      // drawn with the next ordinary change, or after deferMs at the latest
      if (!this.notifyQueued && !this.deferTimer) {
        this.deferTimer = setTimeout(() => {
          this.deferTimer = null;
          this.emit('change', this.state);
        }, deferMs);
        this.deferTimer.unref();
      }
      return;
    }
    if (this.notifyQueued) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      if (this.deferTimer) {
        clearTimeout(this.deferTimer);
        this.deferTimer = null;
      }
      this.emit('change', this.state);
    });
  }
  private notifyQueued = false;
  private deferTimer: NodeJS.Timeout | null = null;

  log(level: LogLine['level'], text: string, deferMs = 0): void {
    const log = [...this.state.log, { ts: Date.now(), level, text }].slice(-500);
    this.set({ log }, deferMs);
  }

  say(text: string, tone: 'info' | 'ok' | 'error' = 'info', deferMs = 0): void {
    this.set({ message: { text, tone } }, deferMs);
    this.log(tone === 'error' ? 'error' : 'info', text, deferMs);
  }

  // ------------------------------------------------------------ data

  /** Reload the symbol list from the store (after imports and at start). */
  refresh(): void {
    const sets = this.store.list();
    const finest = new Map<string, BarSetInfo>();
    for (const s of sets) {
      const cur = finest.get(s.symbol);
      if (!cur || tfMs(s.timeframe) < tfMs(cur.timeframe)) finest.set(s.symbol, s);
    }
    const symbols: SymbolSummary[] = [];
    for (const s of finest.values()) {
      try {
        symbols.push(summarize(this.store.load(s.symbol, s.timeframe)));
      } catch (e) {
        this.log('error', `${s.symbol}: ${(e as Error).message}`);
      }
    }
    this.set({ symbols, ...this.filtered(symbols, this.state.filter) });
  }

  private filtered(symbols: SymbolSummary[], filter: string): { visible: SymbolSummary[]; selected: number } {
    const f = filter.trim().toUpperCase();
    const visible = f ? symbols.filter((s) => s.symbol.includes(f)) : symbols;
    return { visible, selected: Math.min(this.state.selected, Math.max(0, visible.length - 1)) };
  }

  private journal: DB | null = null;
  private blotterTimer: NodeJS.Timeout | null = null;
  private blotterMark = '';

  /**
   * Read the latest paper session from the journal (when it changed: the newest event id and the session's
   * heartbeat). While the Blotter pane is shown this runs twice a second; a running session also sets the status
   * bar's mode and equity.
   */
  refreshBlotter(force = false): void {
    const file = this.ws.path('journal.sqlite');
    if (!this.journal) {
      if (!fs.existsSync(file)) return;
      this.journal = openJournal(file);
    }
    const db = this.journal;
    const s = latestSession(db);
    if (!s) return;
    const mark = `${s.id}|${s.heartbeat}|${s.status}|${(db.prepare('SELECT MAX(id) AS m FROM events').get() as { m: number | null }).m}`;
    if (!force && mark === this.blotterMark) return;
    this.blotterMark = mark;
    const eq = equityOf(db, s.id, 400);
    const allFills = fillsOf(db, s.id);
    const orders = ordersOf(db, s.id);
    const working = orders.filter((o) => o.status === 'working' || o.status === 'partially_filled');
    const capital = (JSON.parse(s.config) as { capital?: number }).capital ?? 0;
    const last = eq.at(-1);
    const b = this.state.blotter;
    const running = s.status === 'running';
    this.set({
      blotter: {
        session: { id: s.id, strategy: s.strategy, symbols: s.symbols, status: s.status, bars: s.bars, last_bar_ts: s.last_bar_ts, heartbeat: s.heartbeat, capital },
        equity: last?.equity ?? null,
        cash: last?.cash ?? null,
        curve: eq.map((e) => e.equity),
        working,
        orders: orders.length,
        fills: allFills.slice(-50).reverse(),
        nFills: allFills.length,
        positions: positionsOf(db, s.id, allFills).filter((p) => p.qty !== 0),
        rejected: orders.filter((o) => o.status === 'rejected').slice(-3).reverse(),
        cursor: Math.min(b.cursor, Math.max(0, working.length - 1)),
      },
      ...(running ? { mode: 'paper' as const, equity: last?.equity ?? null, openOrders: working.length } : { mode: 'research' as const, equity: null, openOrders: 0 }),
    });
  }

  blotterMove(d: number): void {
    const b = this.state.blotter;
    this.set({ blotter: { ...b, cursor: Math.max(0, Math.min(b.working.length - 1, b.cursor + d)) } });
  }

  /** c: cancel the selected working order; C: all; F: flatten; K: kill switch on and cancel all. */
  blotterAction(kind: 'cancel' | 'cancel_all' | 'flatten' | 'kill'): void {
    const b = this.state.blotter;
    if (!b.session || b.session.status !== 'running') return this.say('no running paper session', 'error');
    if (kind === 'cancel') {
      const o = b.working[b.cursor];
      if (!o) return this.say('no working order selected', 'error');
      this.run(`cancel ${o.client_order_id} --session ${b.session.id}`);
    } else if (kind === 'cancel_all') this.run(`cancel --all --session ${b.session.id}`);
    else if (kind === 'flatten') this.run(`flatten --session ${b.session.id}`);
    else {
      this.run('risk kill --reason blotter');
      this.run(`cancel --all --session ${b.session.id}`);
    }
  }

  setPane(pane: PaneId): void {
    if (pane === 'blotter') {
      this.refreshBlotter(true);
      if (!this.blotterTimer) {
        this.blotterTimer = setInterval(() => {
          if (this.state.pane === 'blotter') this.refreshBlotter();
        }, 500);
        this.blotterTimer.unref();
      }
    }
    this.set({ pane, help: false, ...(pane === 'risk' ? { risk: { ...this.state.risk, kill: killSwitch(this.ws.dir) } } : {}), ...(pane === 'train' ? { train: { ...this.state.train, models: this.registryList() } } : {}) });
  }

  move(to: number | 'top' | 'bottom', page = 1): void {
    const n = this.state.visible.length;
    if (n === 0) return;
    let sel = this.state.selected;
    if (to === 'top') sel = 0;
    else if (to === 'bottom') sel = n - 1;
    else sel = Math.max(0, Math.min(n - 1, sel + to * page));
    this.set({ selected: sel });
  }

  startFilter(): void {
    this.set({ filtering: true });
  }

  setFilter(text: string): void {
    this.set({ filter: text, ...this.filtered(this.state.symbols, text) });
  }

  endFilter(keep: boolean): void {
    if (keep) this.set({ filtering: false });
    else this.set({ filtering: false, filter: '', ...this.filtered(this.state.symbols, '') });
  }

  open(): void {
    const s = this.state.visible[this.state.selected];
    if (!s) return;
    this.openSymbol(s.symbol);
  }

  /** The bar series shown for symbol at timeframe (stored, or resampled from the finest stored one). */
  private loadBars(symbol: string, timeframe?: string): { bars: BarSeries; tf: string; resampled: boolean; options: string[]; info: BarSetInfo } {
    const sets = this.store.list().filter((x) => x.symbol === symbol);
    if (sets.length === 0) throw new Error('no stored bars');
    const finest = sets.reduce((a, b) => (tfMs(b.timeframe) < tfMs(a.timeframe) ? b : a));
    const stored = sets.map((x) => x.timeframe);
    const options = [...new Set([...stored, ...RESAMPLE_TARGETS.filter((t) => tfMs(t) > tfMs(finest.timeframe))])].sort((a, b) => tfMs(a) - tfMs(b));
    const tf = timeframe ?? finest.timeframe;
    if (stored.includes(tf)) return { bars: this.store.load(symbol, tf), tf, resampled: false, options, info: sets.find((x) => x.timeframe === tf)! };
    return { bars: resample(this.store.load(symbol, finest.timeframe), parseTimeframe(tf)), tf, resampled: true, options, info: finest };
  }

  /**
   * The chosen overlays over bars: computed over the whole series (so the warm-up is right), then sliced to
   * [a, b) exactly like the closes. An overlay that fails is reported and left out.
   */
  private overlaySeries(bars: BarSeries, a: number, b: number, ids: readonly string[] = this.state.overlays): OverlaySeries[] {
    const names = OVERLAYS.filter((o) => ids.includes(o.id)).flatMap((o) => o.names);
    if (names.length === 0) return [];
    try {
      const m = computeFeatures(bars, names);
      return m.names.map((name, k) => ({ name, values: Array.from(m.columns[k].subarray(a, b)) }));
    } catch (e) {
      this.say(`overlays: ${(e as Error).message}`, 'error');
      return [];
    }
  }

  openSymbol(symbol: string, timeframe?: string, range?: RangeName): void {
    try {
      const { bars, tf, resampled, options, info } = this.loadBars(symbol, timeframe);
      const rng: RangeName = range ?? defaultRange(tf);
      const [a, b] = rangeIndices(bars, rng);
      const daily = tfMs(tf) >= 86_400_000;
      const closes: number[] = [];
      const labels: string[] = [];
      for (let i = a; i < b; i++) {
        closes.push(bars.close[i]);
        labels.push(formatTs(bars.ts[i], bars.tz, daily));
      }
      const recent: BarRow[] = [];
      for (let i = b - 1; i >= Math.max(a, b - 200); i--) {
        recent.push({ time: formatTs(bars.ts[i], bars.tz, daily), open: bars.open[i], high: bars.high[i], low: bars.low[i], close: bars.close[i], volume: bars.volume[i] });
      }
      const report = this.store.findingsOf(info, 200);
      const findings = report.findings.map(formatFinding);
      const count = report.count;
      this.set({
        view: 'detail',
        detail: { symbol, timeframe: tf, timeframes: options, resampled, range: rng, closes, labels, recent, info, findings, findingCount: count, bars: b - a, overlays: this.overlaySeries(bars, a, b) },
      });
    } catch (e) {
      this.say(`${symbol}: ${(e as Error).message}`, 'error');
    }
  }

  back(): void {
    if (this.state.help) this.set({ help: false });
    else if (this.state.overlayPicker.open) this.closeOverlayPicker();
    else if (this.state.view === 'detail') this.set({ view: 'list', detail: null, overlayPicker: { ...this.state.overlayPicker, open: false } });
  }

  /** `i` in the detail view: the overlay picker. */
  openOverlayPicker(): void {
    if (this.state.view !== 'detail' || !this.state.detail) return;
    this.set({ overlayPicker: { open: true, cursor: this.state.overlayPicker.cursor } });
  }

  moveOverlayPicker(dir: number): void {
    const p = this.state.overlayPicker;
    const cursor = Math.max(0, Math.min(OVERLAYS.length - 1, p.cursor + dir));
    if (cursor !== p.cursor) this.set({ overlayPicker: { ...p, cursor } });
  }

  closeOverlayPicker(): void {
    if (this.state.overlayPicker.open) this.set({ overlayPicker: { ...this.state.overlayPicker, open: false } });
  }

  /** Toggle an overlay (by id; default: the one under the picker's cursor) and recompute the open chart's overlays. */
  toggleOverlay(id: string = OVERLAYS[this.state.overlayPicker.cursor]?.id): void {
    if (!OVERLAYS.some((o) => o.id === id)) return;
    const on = this.state.overlays.includes(id);
    // Keep the picker's order, whatever order they were chosen in.
    const overlays = OVERLAYS.map((o) => o.id).filter((x) => (x === id ? !on : this.state.overlays.includes(x)));
    const d = this.state.detail;
    if (!d) {
      this.set({ overlays });
      return;
    }
    try {
      const { bars } = this.loadBars(d.symbol, d.timeframe);
      const [a, b] = rangeIndices(bars, d.range);
      this.set({ overlays, detail: { ...d, overlays: this.overlaySeries(bars, a, b, overlays) } });
    } catch (e) {
      this.set({ overlays });
      this.say(`${d.symbol}: ${(e as Error).message}`, 'error');
    }
  }

  cycleRange(dir: 1 | -1): void {
    const d = this.state.detail;
    if (!d) return;
    const i = RANGES.indexOf(d.range);
    const next = RANGES[Math.max(0, Math.min(RANGES.length - 1, i + dir))];
    if (next !== d.range) this.openSymbol(d.symbol, d.timeframe, next);
  }

  cycleTimeframe(dir: 1 | -1): void {
    const d = this.state.detail;
    if (!d) return;
    const i = d.timeframes.indexOf(d.timeframe);
    const next = d.timeframes[(i + dir + d.timeframes.length) % d.timeframes.length];
    if (next !== d.timeframe) this.openSymbol(d.symbol, next, d.range);
  }

  // ------------------------------------------------------------ overlays

  toggleHelp(): void {
    this.set({ help: !this.state.help });
  }

  /** What a paper or live session publishes for the status bar and the quit guard (issue 9 drives it). */
  setTrading(t: { mode?: ConsoleState['mode']; equity?: number | null; openOrders?: number }): void {
    this.set({ mode: t.mode ?? this.state.mode, equity: t.equity === undefined ? this.state.equity : t.equity, openOrders: t.openOrders ?? this.state.openOrders });
  }

  requestQuit(): void {
    if (this.state.openOrders > 0 && !this.state.confirmQuit) {
      this.set({ confirmQuit: true, message: { text: `${this.state.openOrders} live orders are open: press q again to quit, Esc to stay`, tone: 'error' } });
      return;
    }
    this.set({ quit: true });
  }

  cancelQuit(): void {
    this.set({ confirmQuit: false, message: null });
  }

  // ------------------------------------------------------------ palette

  openPalette(): void {
    this.set({ palette: { ...this.state.palette, open: true, input: '', completions: this.complete(''), historyIdx: -1 } });
  }

  closePalette(): void {
    this.set({ palette: { ...this.state.palette, open: false, input: '', completions: [] } });
  }

  setPaletteInput(input: string): void {
    this.set({ palette: { ...this.state.palette, input, completions: this.complete(input) } });
  }

  paletteHistory(dir: 1 | -1): void {
    const p = this.state.palette;
    if (p.history.length === 0) return;
    // dir -1 = older (↑), +1 = newer (↓)
    let idx = p.historyIdx === -1 ? p.history.length : p.historyIdx;
    idx += dir;
    if (idx >= p.history.length) {
      this.set({ palette: { ...p, historyIdx: -1, input: '', completions: this.complete('') } });
      return;
    }
    idx = Math.max(0, idx);
    const input = p.history[idx];
    this.set({ palette: { ...p, historyIdx: idx, input, completions: this.complete(input) } });
  }

  /** Tab: complete to the longest common prefix of the candidates. */
  paletteTab(): void {
    const p = this.state.palette;
    const c = p.completions;
    if (c.length === 0) return;
    const words = p.input.split(/\s+/);
    const lastWord = p.input.endsWith(' ') ? '' : words[words.length - 1];
    const base = p.input.slice(0, p.input.length - lastWord.length);
    const prefix = commonPrefix(c);
    const pick = c.length === 1 ? `${c[0]} ` : prefix.length > lastWord.length ? prefix : lastWord;
    this.setPaletteInput(base + pick);
  }

  /** Candidates for the word being typed: command names, then flags, enum values and symbols. */
  complete(input: string): string[] {
    const trailing = input.endsWith(' ') || input === '';
    const words = input.trim() === '' ? [] : input.trim().split(/\s+/);
    const cur = trailing ? '' : (words.pop() ?? '');
    const match = this.registry.match(words);
    if (!match) {
      // Still typing the command name.
      const typed = [...words, cur].join(' ');
      const names = this.registry.names().filter((n) => n.startsWith(typed));
      return names.map((n) => n.split(' ').slice(words.length).join(' ')).filter(Boolean).slice(0, 20);
    }
    const infos = argInfos(match.cmd);
    const prev = words[words.length - 1];
    const prevInfo = infos.find((a) => a.flag === prev);
    if (prevInfo && prevInfo.kind === 'enum') return prevInfo.choices!.filter((c) => c.startsWith(cur));
    if (prevInfo && (prevInfo.name === 'symbol')) return this.state.symbols.map((s) => s.symbol).filter((s) => s.startsWith(cur.toUpperCase()));
    if (prevInfo && prevInfo.name === 'strategy') return [...BUILTIN_STRATEGIES.map((s) => s.name), 'alpha_ml', ...userStrategyFiles(this.ws.path('strategies')).map((u) => u.name)].filter((n) => n.startsWith(cur));
    if (prevInfo && prevInfo.name === 'fill') return ['next_open', 'close', 'vwap', 'volume:0.1'].filter((n) => n.startsWith(cur));
    if (prevInfo && prevInfo.name === 'commission') return ['none', 'pct:0.001', 'per_share:0.005', 'fixed:1', 'ibkr_fixed', 'ibkr_tiered'].filter((n) => n.startsWith(cur));
    if (prevInfo && prevInfo.name === 'slippage') return ['none', 'bps:5', 'per_share:0.01', 'spread', 'spread:0.0005', 'atr:0.1', 'impact:0.1'].filter((n) => n.startsWith(cur));
    if (prevInfo && prevInfo.name === 'sizer') return ['all_in', 'percent:95', 'fixed:100', 'weight:0.5'].filter((n) => n.startsWith(cur));
    if (prevInfo && (prevInfo.name === 'timeframe' || prevInfo.name === 'to' || prevInfo.name === 'from')) return RESAMPLE_TARGETS.filter((t) => t.startsWith(cur));
    if (cur.startsWith('-')) return infos.filter((a) => !a.positional && a.flag.startsWith(cur)).map((a) => a.flag);
    const pos = infos.find((a) => a.positional && a.name === 'symbol');
    if (pos && words.length === match.used) return this.state.symbols.map((s) => s.symbol).filter((s) => s.startsWith(cur.toUpperCase())).slice(0, 20);
    return infos.filter((a) => !a.positional && !words.includes(a.flag)).map((a) => a.flag).slice(0, 20);
  }

  /** Run the palette's line as a command in a worker thread. */
  submitPalette(): void {
    const line = this.state.palette.input.trim();
    const history = line ? [...this.state.palette.history.filter((h) => h !== line), line].slice(-100) : this.state.palette.history;
    this.set({ palette: { open: false, input: '', completions: [], history, historyIdx: -1 } });
    if (line) this.run(line);
  }

  run(line: string): JobState | null {
    const words = splitWords(line);
    const m = this.registry.match(words);
    if (!m) {
      const near = nearest(words.slice(0, 2).join(' '), this.registry.names());
      this.say(`unknown command "${words.slice(0, 2).join(' ')}"${near ? ` — did you mean ${near}?` : ''}`, 'error');
      return null;
    }
    const tokens = words.slice(m.used);
    // the Backtest pane draws the equity curve: ask the command for it, sampled to the chart's 1,000 points
    if (['backtest', 'walkforward', 'runs compare'].includes(m.cmd.name) && !tokens.includes('--curve')) tokens.push('--curve', '1000');
    try {
      validateArgs(m.cmd, parseArgs(m.cmd, tokens));
    } catch (e) {
      this.say(`${m.cmd.name}: ${(e as Error).message}`, 'error');
      return null;
    }
    const job = this.jobs.start({ command: m.cmd.name, tokens, workspaceDir: this.ws.dir, cwd: this.opts.cwd ?? process.cwd(), env: { ...(this.opts.env ?? process.env) } }, line);
    this.say(`started: ${line}`, 'info', START_DRAW_DELAY_MS);
    // a sweep shows its progress, then its heatmap, in the Backtest pane
    if (m.cmd.name === 'sweep') this.set({ sweep: { line, jobId: job.id, result: null, heat: null, cx: 0, cy: 0 }, btView: 'sweep', pane: 'backtest' });
    return job;
  }

  cancelLatestJob(): void {
    const r = this.jobs.running().at(-1);
    if (!r) {
      this.say('no job is running');
      return;
    }
    this.jobs.cancel(r.id);
    this.say(`cancelling: ${r.label}`);
  }

  // ------------------------------------------------------------ backtests

  /** `r` in the Backtest pane: run the shown backtest's command line again. */
  rerunBacktest(): void {
    const b = this.state.backtests[0];
    if (!b) {
      this.say('no backtest to rerun — press : and run backtest --strategy NAME --symbol SYM');
      return;
    }
    const e = this.state.paramEdit;
    if (!e || e.strategy !== b.summary.strategy) {
      this.run(b.line);
      return;
    }
    // the shown run's line with its --param flags replaced by the editor's values
    const words = splitWords(b.line);
    const kept: string[] = [];
    for (let i = 0; i < words.length; i++) {
      if (words[i] === '--param') {
        i++;
        continue;
      }
      if (words[i] === '--equity') continue;
      kept.push(/\s/.test(words[i]) ? `"${words[i]}"` : words[i]);
    }
    for (const p of e.params) kept.push('--param', `${p.name}=${p.value}`);
    this.run(kept.join(' '));
  }

  /** ←/→ in the Backtest pane: the parameter to edit */
  selectParam(dir: 1 | -1): void {
    const e = this.state.paramEdit;
    if (!e || e.params.length === 0) return;
    this.set({ paramEdit: { ...e, cursor: (e.cursor + dir + e.params.length) % e.params.length } });
  }

  /** +/- in the Backtest pane: step the selected parameter within its declared range (a bool toggles, a choice cycles) */
  bumpParam(dir: 1 | -1): void {
    const e = this.state.paramEdit;
    const run = this.state.backtests[0];
    if (!e || !run) return;
    const p = e.params[e.cursor];
    if (!p) return;
    let v = p.value;
    if (p.type === 'bool') v = !v;
    else if (p.type === 'string') {
      const c = p.choices ?? [];
      if (c.length) v = c[(c.indexOf(String(v)) + dir + c.length) % c.length];
    } else {
      const step = p.step ?? (p.type === 'int' ? 1 : Math.max(1e-6, Math.abs(Number(v)) * 0.1));
      let x = Number(v) + dir * step;
      if (p.type === 'int') x = Math.round(x);
      else x = Number(x.toPrecision(10));
      if (p.min !== undefined) x = Math.max(p.min, x);
      if (p.max !== undefined) x = Math.min(p.max, x);
      v = x;
    }
    const params = e.params.map((q, i) => (i === e.cursor ? { ...q, value: v, changed: v !== run.summary.params[q.name] } : q));
    this.set({ paramEdit: { ...e, params } });
  }

  /** The editor's parameters for a run: the strategy's declarations (built-in or the workspace's file) and the run's values. */
  private async editorFor(summary: RunSummary): Promise<ParamEditState | null> {
    let strategy: Strategy | undefined = BUILTIN_STRATEGIES.find((s) => s.name === summary.strategy);
    if (!strategy) {
      const f = userStrategyFiles(this.ws.path('strategies')).find((u) => u.name === summary.strategy);
      if (f) strategy = await loadStrategyFile(f.file, { tmpDir: this.ws.path('tmp') }).catch(() => undefined);
    }
    if (!strategy) return null;
    const params: EditableParam[] = Object.entries(strategy.params).map(([name, spec]) => ({
      name,
      type: spec.type,
      value: summary.params[name] ?? spec.default,
      min: spec.min,
      max: spec.max,
      step: spec.step,
      choices: spec.choices,
      changed: false,
    }));
    const prev = this.state.paramEdit;
    return { strategy: strategy.name, params, cursor: prev && prev.strategy === strategy.name ? Math.min(prev.cursor, params.length - 1) : 0 };
  }

  /** `v` in the Backtest pane: the run or the latest sweep's heatmap */
  toggleBacktestView(): void {
    if (!this.state.sweep) {
      this.say('no sweep yet — press : and run sweep --strategy NAME --symbol SYM --grid a=1:10 --grid b=…');
      return;
    }
    this.set({ btView: this.state.btView === 'sweep' ? 'run' : 'sweep' });
  }

  /** arrows in the sweep heatmap: columns are the first parameter's values, rows the second's */
  moveSweepCell(dx: number, dy: number): void {
    const sw = this.state.sweep;
    if (!sw?.heat) return;
    const nx = sw.heat.x.values.length;
    const ny = sw.heat.cells.length;
    this.set({ sweep: { ...sw, cx: Math.max(0, Math.min(nx - 1, sw.cx + dx)), cy: Math.max(0, Math.min(ny - 1, sw.cy + dy)) } });
  }

  /** Enter on a heatmap cell: backtest that combination (the sweep's line with its grid flags turned into --param). */
  openSweepCell(): void {
    const sw = this.state.sweep;
    const k = sw?.heat?.index[sw.cy]?.[sw.cx];
    if (!sw?.heat || !sw.result || k === null || k === undefined) {
      this.say('no result in this cell');
      return;
    }
    const words = splitWords(sw.line);
    const kept: string[] = ['backtest'];
    const drop = new Set(['--grid', '--random', '--seed', '--objective', '--workers', '--top', '--report']);
    for (let i = 1; i < words.length; i++) {
      if (drop.has(words[i])) {
        i++;
        continue;
      }
      if (words[i] === '--json' || words[i] === '--no-save') continue;
      if (words[i] === '--mode' && words[i + 1] === 'auto') {
        i++;
        continue;
      }
      kept.push(/\s/.test(words[i]) ? `"${words[i]}"` : words[i]);
    }
    for (const [name, v] of Object.entries(comboAt(sw.result.grid, k))) kept.push('--param', `${name}=${v}`);
    this.run(kept.join(' '));
  }

  moveTrade(to: number | 'top' | 'bottom', page = 1): void {
    const shown = this.state.backtests[0]?.summary;
    const n = (shown?.walkforward ? shown.walkforward.windows.length : shown?.trades.length) ?? 0;
    if (n === 0) return;
    let c = this.state.tradeCursor;
    if (to === 'top') c = 0;
    else if (to === 'bottom') c = n - 1;
    else c = Math.max(0, Math.min(n - 1, c + to * page));
    this.set({ tradeCursor: c });
  }

  private addBacktest(line: string, result: RunSummary, compare = false): void {
    const c = result.curve;
    const view: BacktestRunView = { line, summary: { ...result, equity: undefined, curve: undefined }, equity: [], labels: [], drawdown: [], daily: false };
    if (c && c.equity.length > 0) {
      // daily or coarser bars (their average spacing, weekends included, is at least most of a day): dates only
      const p = result.period;
      const daily = p.bars > 1 && p.from !== null && p.to !== null && (Date.parse(p.to) - Date.parse(p.from)) / (p.bars - 1) >= 0.9 * 86_400_000;
      view.daily = daily;
      view.equity = c.equity;
      view.drawdown = c.drawdown;
      view.labels = c.time.map((t) => (daily ? t.slice(0, 10) : t.slice(0, 16).replace('T', ' ')));
    }
    if (result.risk) this.set({ risk: riskPaneState(line, result, killSwitch(this.ws.dir)) });
    view.compare = compare;
    this.set({ backtests: [view, ...this.state.backtests].slice(0, 5), tradeCursor: result.walkforward ? 0 : Math.max(0, result.trades.length - 1), pane: 'backtest', btView: 'run' });
    void this.editorFor(result).then((paramEdit) => {
      if (this.state.backtests[0] === view) this.set({ paramEdit });
    });
  }

  private sweepFinished(j: JobState): void {
    const sw = this.state.sweep!;
    if (j.status !== 'done' || !j.result) {
      this.set({ sweep: { ...sw, result: null, heat: null } });
      return;
    }
    const r = j.result as SweepOutput;
    const heat = objectiveGrid(r, r.objective);
    // start on the best cell
    const best = r.best[0]?.index;
    let cx = 0;
    let cy = 0;
    heat.index.forEach((row, y) => row.forEach((k, x) => {
      if (k === best) {
        cx = x;
        cy = y;
      }
    }));
    this.set({ sweep: { ...sw, result: { strategy: r.strategy, objective: r.objective, combinations: r.combinations, grid: r.grid, errors: r.errors, deflated_sharpe: r.deflated_sharpe, pbo: r.pbo, runId: r.run.id }, heat, cx, cy } });
  }

  private onJobFinished(j: JobState): void {
    if ((j.command === 'backtest' || j.command === 'walkforward') && j.status === 'done' && j.result) this.addBacktest(j.label, j.result as RunSummary);
    // comparing two stored runs: the second is shown with the first overlaid (both curves, both drawdowns)
    const cmp = j.command === 'runs compare' && j.status === 'done' ? (j.result as { a: number; b: number; runs?: [RunSummary, RunSummary] }) : null;
    if (cmp?.runs) {
      this.addBacktest(`runs show ${cmp.a}`, cmp.runs[0], true);
      this.addBacktest(`runs show ${cmp.b}`, cmp.runs[1], true);
    }
    if (j.command === 'sweep' && this.state.sweep?.jobId === j.id) this.sweepFinished(j);
    if (j.status === 'done') {
      const first = (j.text ?? '').split('\n').filter(Boolean).at(-1) ?? 'done';
      this.say(`${j.label}: ${first}`, 'ok');
      for (const l of (j.text ?? '').split('\n')) if (l.trim()) this.log('info', l);
    } else this.say(`${j.label}: ${j.status}${j.error ? ` — ${j.error}` : ''}`, 'error');
    if (j.command === 'train') {
      const live = this.state.train.live?.jobId === j.id ? { ...this.state.train.live, status: j.status } : this.state.train.live;
      // --compare-models: the pane shows the best of the models
      const res = j.result as (TrainPaneState['last'] & object) | { compare: (TrainPaneState['last'] & object)[]; best: string | null } | undefined;
      const r = res && 'compare' in res ? (res.compare.find((o) => o.model === res.best) ?? res.compare[0]) : res;
      if (j.status === 'done' && r) this.set({ train: { models: this.registryList(), last: { ...r, line: j.label }, live }, pane: 'train' });
      else this.set({ train: { ...this.state.train, live } });
    }
    if (['models import', 'models delete'].includes(j.command)) this.set({ train: { ...this.state.train, models: this.registryList() } });
    if (['paper', 'paper resume', 'buy', 'sell', 'cancel', 'flatten', 'paper stop'].includes(j.command)) this.refreshBlotter(true);
    if (j.command === 'risk kill' || j.command === 'risk resume') this.set({ risk: { ...this.state.risk, kill: killSwitch(this.ws.dir) } });
    if (['data import', 'data generate', 'data resample', 'data delete', 'demo'].includes(j.command)) {
      this.store.clearCache();
      this.refresh();
      const d = this.state.detail;
      if (d) {
        if (this.state.symbols.some((s) => s.symbol === d.symbol)) this.openSymbol(d.symbol, d.timeframe, d.range);
        else this.set({ view: 'list', detail: null, overlayPicker: { ...this.state.overlayPicker, open: false } });
      }
    }
  }

  /**
   * A strategy file in the workspace was saved: say whether it compiles (errors as file:line:column), and rerun the
   * Backtest pane's run when it used that strategy.
   */
  private onStrategySaved(file: string, r: Strategy | Error): void {
    const rel = path.relative(this.ws.dir, file);
    if (r instanceof Error) {
      this.say(`${r.message.startsWith(file) ? rel + r.message.slice(file.length) : r.message}`, 'error');
      return;
    }
    const shown = this.state.backtests[0];
    if (shown && (shown.summary.strategy === r.name || shown.line.includes(path.basename(file)))) {
      this.say(`${rel}: reloaded ${r.name}, rerunning the backtest`, 'ok');
      this.run(shown.line);
    } else this.say(`${rel}: reloaded ${r.name}`, 'ok');
  }

  /** the registry's models, newest first (read from the catalog; cheap) */
  private registryList(): TrainPaneState['models'] {
    const reg = new ModelRegistry(this.ws.db, this.ws.path('models'), this.ws.dir);
    return reg.list().map((m) => ({ id: m.id, name: m.name, kind: m.kind, task: m.task, features: m.features.length, created: m.created_at, auc: ((m.meta.scores ?? {}) as { auc?: number }).auc ?? null }));
  }

  async close(): Promise<void> {
    if (this.deferTimer) clearTimeout(this.deferTimer);
    if (this.blotterTimer) clearInterval(this.blotterTimer);
    this.journal?.close();
    this.stopWatching?.();
    await this.jobs.shutdown();
  }
}

function tfMs(label: string): number {
  const tf = parseTimeframe(label);
  return tf.unit === 'tick' ? 0 : tf.ms;
}

function defaultRange(tf: string): RangeName {
  const ms = tfMs(tf);
  if (ms >= 7 * 86_400_000) return 'all';
  if (ms >= 86_400_000) return '1y';
  if (ms >= 3_600_000) return '1m';
  return '1w';
}

function commonPrefix(xs: string[]): string {
  if (xs.length === 0) return '';
  let p = xs[0];
  for (const x of xs) while (!x.startsWith(p)) p = p.slice(0, -1);
  return p;
}

/** Split a palette line into words, honouring "double" and 'single' quotes. */
export function splitWords(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

function emptyRisk(): RiskPaneState {
  return { source: null, limits: [], breakers: [], var95: null, cvar95: null, exposure: [], sectors: [], rejections: [], byRule: {}, kill: { on: false, reason: null, since: null } };
}

/** The workspace's kill switch as the Risk pane shows it (commands/risk.ts reads the file). */
function killSwitch(dir: string): RiskPaneState['kill'] {
  const k = readKillSwitch(dir);
  return { on: k.killed, reason: k.reason, since: k.since };
}

function riskPaneState(line: string, r: RunSummary, kill: RiskPaneState['kill']): RiskPaneState {
  const k = r.risk!;
  const loss = (x: number | null | undefined) => (x === null || x === undefined ? null : -x);
  return {
    source: { line, title: `${r.strategy} ${Object.entries(r.params).map(([a, b]) => `${a}=${b}`).join(' ')} · ${r.symbols.join(',')} · ${(r.period.from ?? '').slice(0, 10)} → ${(r.period.to ?? '').slice(0, 10)}` },
    limits: k.limits.map((l) => ({ ...l, use: l.limit > 0 ? l.peak / l.limit : 0 })),
    breakers: k.breakers.map((b) => ({ name: b.name, limit: b.limit, value: b.value, tripped: b.tripped, trips: b.trips.length, first: b.trips[0]?.time ?? null })),
    var95: loss(r.metrics.var_95),
    cvar95: loss(r.metrics.cvar_95),
    exposure: [...k.exposure.bySymbol].sort((a, b) => Math.abs(b.value) - Math.abs(a.value)),
    sectors: [...k.exposure.bySector].sort((a, b) => b.value - a.value),
    rejections: (r.rejections.last ?? r.rejections.first).filter((x) => x.rule).reverse().map((x) => ({ time: x.time, symbol: x.symbol, rule: x.rule!, value: x.value ?? null, limit: x.limit ?? null, detail: x.detail })),
    byRule: r.rejections.by_rule ?? {},
    kill,
  };
}
