import { Box, Text } from 'ink';
import React, { useMemo } from 'react';
import { int, num, pct, price } from '../../commands/format.ts';
import type { ConsoleSession, ConsoleState } from '../../commands/session.ts';
import type { Key } from '../input.ts';
import { Heatmap, KeyValue, LineChart, ProgressBar, Table, type KeyValueItem } from '../widgets/index.ts';
import { useTheme } from '../widgets/theme.ts';

const TRADE_COLUMNS = [
  { key: 'symbol', title: 'symbol' },
  { key: 'side', title: 'side' },
  { key: 'qty', title: 'qty', align: 'right' as const },
  { key: 'entry', title: 'entry' },
  { key: 'ep', title: 'price', align: 'right' as const },
  { key: 'exit', title: 'exit' },
  { key: 'xp', title: 'price', align: 'right' as const },
  { key: 'pnl', title: 'pnl', align: 'right' as const },
];

const WINDOW_COLUMNS = [
  { key: 'n', title: '#', align: 'right' as const },
  { key: 'test', title: 'test window' },
  { key: 'params', title: 'chosen' },
  { key: 'is', title: 'IS', align: 'right' as const },
  { key: 'oos', title: 'OOS', align: 'right' as const },
  { key: 'ret', title: 'OOS return', align: 'right' as const },
  { key: 'wfe', title: 'WFE', align: 'right' as const },
];

const when = (s: string | null, daily: boolean) => (s === null ? 'open' : daily ? s.slice(0, 10) : s.slice(0, 16).replace('T', ' '));
const rate = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(1)}%`);

/** The latest backtest: equity (and the previous run on the same symbols, for comparison), metrics, trades. */
export function BacktestPane({ state, width, height }: { state: ConsoleState; width: number; height: number }) {
  if (state.btView === 'sweep' && state.sweep) return <SweepView state={state} width={width} height={height} />;
  return <RunView state={state} width={width} height={height} />;
}

/** The latest sweep: progress while it runs, then the objective over its first two parameters with a cell cursor. */
function SweepView({ state, width, height }: { state: ConsoleState; width: number; height: number }) {
  const theme = useTheme();
  const sw = state.sweep!;
  const job = state.jobs.find((j) => j.id === sw.jobId);
  const muted = theme.color ? theme.muted : undefined;
  if (!sw.result || !sw.heat) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Text bold wrap="truncate">{sw.line}</Text>
        {job && job.status === 'running' ? (
          <ProgressBar done={job.done} total={job.total || 1} width={width} label={`${job.phase || 'starting'} ${int(job.done)} / ${int(job.total)}`} />
        ) : (
          <Text wrap="truncate" color={theme.color ? theme.error : undefined}>{job ? `sweep ${job.status}${job.error ? `: ${job.error}` : ''}` : 'sweep finished'}</Text>
        )}
        <Text wrap="truncate" color={muted}>{'x cancels · v shows the last run'}</Text>
      </Box>
    );
  }
  const r = sw.result;
  const h = sw.heat;
  const k = h.index[sw.cy]?.[sw.cx];
  const cellParams = k === null || k === undefined ? null : comboText(r.grid, k);
  let best: { x: number; y: number } | null = null;
  h.cells.forEach((row, y) => row.forEach((v, x) => {
    if (v !== null && v === h.max && !best) best = { x, y };
  }));
  const v = h.cells[sw.cy]?.[sw.cx];
  const names = r.grid.map((g) => `${g.name} (${g.values.length})`).join(' × ');
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">{`sweep ${r.strategy} · ${int(r.combinations)} combinations of ${names} · objective ${r.objective}${r.runId !== null ? ` · run ${r.runId}` : ''}`}</Text>
      <Text wrap="truncate" color={muted}>
        {`deflated Sharpe of the best ${r.deflated_sharpe ? `${(r.deflated_sharpe.dsr * 100).toFixed(1)}%` : '—'} · PBO ${r.pbo ? `${(r.pbo.pbo * 100).toFixed(1)}%` : '—'}${r.errors ? ` · ${r.errors} failed` : ''}${r.grid.length > 2 ? ` · cells show the best over ${r.grid.slice(2).map((g) => g.name).join(', ')}` : ''}`}
      </Text>
      <Text wrap="truncate">{`${h.y ? `${h.y.name} ↑  ` : ''}${h.x.name} →   cell: ${cellParams ?? '—'}  ${r.objective} ${v === null || v === undefined ? '—' : v.toFixed(3)}`}</Text>
      <Heatmap cells={h.cells} min={h.min} max={h.max} xLabels={h.x.values.map(String)} yLabels={h.y ? h.y.values.map(String) : ['']} cursor={{ x: sw.cx, y: sw.cy }} best={best} width={width} height={Math.max(2, height - 4)} />
      <Text wrap="truncate" color={muted}>{`arrows move · Enter backtests the cell · v run view · ${r.objective} ${num(h.min, 2)} ░▒▓█ ${num(h.max, 2)} (★ best)`}</Text>
    </Box>
  );
}

function comboText(grid: { name: string; values: (number | boolean | string)[] }[], k: number): string {
  const out: string[] = [];
  for (let j = grid.length - 1; j >= 0; j--) {
    const n = grid[j].values.length;
    out.unshift(`${grid[j].name}=${grid[j].values[k % n]}`);
    k = Math.floor(k / n);
  }
  return out.join(' ');
}

function RunView({ state, width, height }: { state: ConsoleState; width: number; height: number }) {
  const theme = useTheme();
  const run = state.backtests[0];
  const prev = run?.compare ? state.backtests[1] : state.backtests.find((b, i) => i > 0 && run && b.summary.symbols.join() === run.summary.symbols.join() && b.summary.period.from === run.summary.period.from);
  const series = useMemo(() => {
    if (!run) return [];
    const out = [{ name: `${run.compare ? run.line.replace('runs show ', 'run ') : 'equity'} ${paramText(run.summary.params)}`, values: run.equity }];
    if (prev && prev.equity.length === run.equity.length) out.push({ name: `${run.compare ? prev.line.replace('runs show ', 'run ') : 'previous'} ${paramText(prev.summary.params)}`, values: prev.equity });
    return out;
  }, [run, prev]);
  const ddSeries = useMemo(() => {
    if (!run) return [];
    const out = [{ name: 'drawdown', values: run.drawdown.map((d) => d * 100) }];
    if (prev && prev.drawdown.length === run.drawdown.length) out.push({ name: 'previous', values: prev.drawdown.map((d) => d * 100) });
    return out;
  }, [run, prev]);
  const windows = useMemo(
    () =>
      (run?.summary.walkforward?.windows ?? []).map((w) => ({
        n: String(w.index),
        test: `${w.test.from.slice(0, 7)}…${w.test.to.slice(0, 7)}`,
        params: w.params ? paramText(w.params) : '(none)',
        is: num(w.in_sample[run.summary.walkforward!.objective] ?? null),
        oos: num(w.out_of_sample.objective),
        ret: pct(w.out_of_sample.total_return),
        wfe: num(w.efficiency),
      })),
    [run],
  );
  const trades = useMemo(
    () =>
      (run?.summary.trades ?? []).map((t) => ({
        symbol: t.symbol,
        side: t.side,
        qty: int(t.qty),
        entry: when(t.entry_time, run.daily),
        ep: price(t.entry_price),
        exit: when(t.exit_time, run.daily),
        xp: t.exit_price === null ? '' : price(t.exit_price),
        pnl: num(t.pnl - t.commission),
      })),
    [run],
  );
  if (!run) {
    return (
      <Box width={width} height={height} flexDirection="column">
        <Text wrap="truncate">no backtest yet — press : and run, for example:</Text>
        <Text wrap="truncate" color={theme.color ? theme.muted : undefined}>{'  backtest --strategy sma_cross --symbol ORCL --param fast=20 --param slow=50'}</Text>
      </Box>
    );
  }
  const r = run.summary;
  const m = r.metrics;
  const items: KeyValueItem[] = [
    { key: 'final equity', value: price(r.final_equity) },
    { key: 'total return', value: pct(m.total_return), tone: (m.total_return ?? 0) >= 0 ? 'up' : 'down' },
    { key: 'CAGR', value: pct(m.cagr) },
    { key: 'Sharpe', value: num(m.sharpe) },
    { key: 'Sortino', value: num(m.sortino) },
    { key: 'max drawdown', value: pct(m.max_drawdown), tone: 'down' },
    { key: 'trades', value: `${int(r.trades.length)}${r.open_trades ? ` (${r.open_trades} open)` : ''}` },
    { key: 'win rate', value: rate(m.win_rate) },
    { key: 'profit factor', value: num(m.profit_factor) },
    { key: 'exposure', value: rate(m.exposure_time) },
    { key: 'commission', value: num(r.costs.commission) },
    { key: 'slippage', value: num(r.costs.slippage) },
  ];
  const wf = r.walkforward;
  if (wf) items.splice(6, 0, { key: 'WF efficiency', value: num(wf.efficiency) });
  const head = `${r.strategy} ${wf ? `walk-forward (${wf.windows.length} windows, ${wf.anchored ? 'anchored' : 'rolling'} ${wf.train}/${wf.test})` : paramText(r.params)} · ${r.symbols.join(',')} · ${r.mode} · ${(r.period.from ?? '').slice(0, 10)} → ${(r.period.to ?? '').slice(0, 10)} · ${int(r.period.bars)} bars · ${r.elapsed_ms} ms`;
  const notes = [...r.flags.map((f) => (f === 'cheat_on_close' ? 'cheat-on-close (fills at the signal bar close)' : f)), ...r.warnings];
  const chartsH = Math.max(5, Math.floor((height - 2) * 0.5));
  // the drawdown chart takes a third of the chart area when there is room for both
  const ddH = chartsH >= 12 ? Math.floor(chartsH / 3) : 0;
  const chartH = chartsH - ddH;
  const showEdit = !!state.paramEdit && !wf;
  const lowerH = Math.max(3, height - chartsH - 2 - (notes.length ? 1 : 0) - (showEdit ? 1 : 0));
  const wide = width >= 100;
  const leftW = wide ? 34 : width;
  const rightW = wide ? width - leftW - 2 : width;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">{head}</Text>
      <Text wrap="truncate" color={theme.color ? theme.muted : undefined}>{`fill ${r.config.fill} · commission ${r.config.commission} · slippage ${r.config.slippage} · sizer ${r.config.sizer}${r.config.leverage !== 1 ? ` · leverage ${r.config.leverage}` : ''}`}</Text>
      {showEdit && state.paramEdit && (
        <Text wrap="truncate">
          {'params '}
          {state.paramEdit.params.map((p, i) => (
            <Text key={p.name} inverse={i === state.paramEdit!.cursor} bold={p.changed}>{` ${p.name}=${p.value}${p.changed ? '*' : ''} `}</Text>
          ))}
          <Text color={theme.color ? theme.muted : undefined}>{'  ←/→ select · +/- change · r rerun'}</Text>
        </Text>
      )}
      <LineChart series={series} xLabels={run.labels} width={width} height={chartH} />
      {ddH > 0 && <LineChart series={ddSeries} width={width} height={ddH} title="drawdown %" />}
      {notes.length > 0 && <Text wrap="truncate" color={theme.color ? theme.warn : undefined}>{`note: ${notes.join(' · ')}`}</Text>}
      <Box height={lowerH} flexDirection={wide ? 'row' : 'column'}>
        <Box width={leftW} flexDirection="column">
          <KeyValue items={wide ? items.slice(0, lowerH) : items.slice(0, 2 * Math.max(1, lowerH - 1))} width={leftW} columns={wide ? 1 : 2} />
        </Box>
        {wide && <Box width={2} />}
        <Box width={rightW} flexDirection="column">
          {wf ? (
            <Table columns={WINDOW_COLUMNS} rows={windows} selected={state.tradeCursor} width={rightW} height={Math.max(1, wide ? lowerH - 3 : lowerH - 6)} emptyText="no windows" />
          ) : (
            <Table columns={r.symbols.length > 1 ? TRADE_COLUMNS : TRADE_COLUMNS.slice(1)} rows={trades} selected={state.tradeCursor} width={rightW} height={Math.max(1, wide ? lowerH - 3 : lowerH - 6)} emptyText="no trades" />
          )}
        </Box>
      </Box>
    </Box>
  );
}

function paramText(p: Record<string, number | boolean | string>): string {
  return Object.entries(p).map(([k, v]) => `${k}=${v}`).join(' ');
}

export function handleBacktestKey(session: ConsoleSession, s: ConsoleState, k: Key): void {
  if (k.input === 'v') return session.toggleBacktestView();
  if (s.btView === 'sweep' && s.sweep) {
    if (k.leftArrow || k.input === 'h') return session.moveSweepCell(-1, 0);
    if (k.rightArrow || k.input === 'l') return session.moveSweepCell(1, 0);
    if (k.upArrow || k.input === 'k') return session.moveSweepCell(0, 1);
    if (k.downArrow || k.input === 'j') return session.moveSweepCell(0, -1);
    if (k.return) return session.openSweepCell();
    return;
  }
  if (k.input === 'j' || k.downArrow) return session.moveTrade(1);
  if (k.input === 'k' || k.upArrow) return session.moveTrade(-1);
  if (k.input === 'g' || k.home) return session.moveTrade('top');
  if (k.input === 'G' || k.end) return session.moveTrade('bottom');
  if (k.pageDown) return session.moveTrade(1, 10);
  if (k.pageUp) return session.moveTrade(-1, 10);
  if (k.input === 'r') return session.rerunBacktest();
  if (k.leftArrow || k.input === 'h') return session.selectParam(-1);
  if (k.rightArrow || k.input === 'l') return session.selectParam(1);
  if (k.input === '+' || k.input === '=') return session.bumpParam(1);
  if (k.input === '-' || k.input === '_') return session.bumpParam(-1);
}
