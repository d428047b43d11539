import { Box, Text } from 'ink';
import React, { useMemo } from 'react';
import { int, num, pct, price } from '../../commands/format.ts';
import type { ConsoleSession, ConsoleState } from '../../commands/session.ts';
import type { Key } from '../input.ts';
import { KeyValue, LineChart, Table, type KeyValueItem } from '../widgets/index.ts';
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

const when = (s: string | null, daily: boolean) => (s === null ? 'open' : daily ? s.slice(0, 10) : s.slice(0, 16).replace('T', ' '));
const rate = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(1)}%`);

/** The latest backtest: equity (and the previous run on the same symbols, for comparison), metrics, trades. */
export function BacktestPane({ state, width, height }: { state: ConsoleState; width: number; height: number }) {
  const theme = useTheme();
  const run = state.backtests[0];
  const prev = state.backtests.find((b, i) => i > 0 && run && b.summary.symbols.join() === run.summary.symbols.join() && b.summary.period.from === run.summary.period.from);
  const series = useMemo(() => {
    if (!run) return [];
    const out = [{ name: `equity ${paramText(run.summary.params)}`, values: run.equity }];
    if (prev && prev.equity.length === run.equity.length) out.push({ name: `previous ${paramText(prev.summary.params)}`, values: prev.equity });
    return out;
  }, [run, prev]);
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
  const head = `${r.strategy} ${paramText(r.params)} · ${r.symbols.join(',')} · ${r.mode} · ${(r.period.from ?? '').slice(0, 10)} → ${(r.period.to ?? '').slice(0, 10)} · ${int(r.period.bars)} bars · ${r.elapsed_ms} ms`;
  const notes = [...r.flags.map((f) => (f === 'cheat_on_close' ? 'cheat-on-close (fills at the signal bar close)' : f)), ...r.warnings];
  const chartH = Math.max(5, Math.floor((height - 2) * 0.5));
  const lowerH = Math.max(3, height - chartH - 2 - (notes.length ? 1 : 0) - (state.paramEdit ? 1 : 0));
  const wide = width >= 100;
  const leftW = wide ? 34 : width;
  const rightW = wide ? width - leftW - 2 : width;
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">{head}</Text>
      <Text wrap="truncate" color={theme.color ? theme.muted : undefined}>{`fill ${r.config.fill} · commission ${r.config.commission} · slippage ${r.config.slippage} · sizer ${r.config.sizer}${r.config.leverage !== 1 ? ` · leverage ${r.config.leverage}` : ''}`}</Text>
      {state.paramEdit && (
        <Text wrap="truncate">
          {'params '}
          {state.paramEdit.params.map((p, i) => (
            <Text key={p.name} inverse={i === state.paramEdit!.cursor} bold={p.changed}>{` ${p.name}=${p.value}${p.changed ? '*' : ''} `}</Text>
          ))}
          <Text color={theme.color ? theme.muted : undefined}>{'  ←/→ select · +/- change · r rerun'}</Text>
        </Text>
      )}
      <LineChart series={series} xLabels={run.labels} width={width} height={chartH} />
      {notes.length > 0 && <Text wrap="truncate" color={theme.color ? theme.warn : undefined}>{`note: ${notes.join(' · ')}`}</Text>}
      <Box height={lowerH} flexDirection={wide ? 'row' : 'column'}>
        <Box width={leftW} flexDirection="column">
          <KeyValue items={wide ? items : items.slice(0, 6)} width={leftW} columns={wide ? 1 : 2} />
        </Box>
        {wide && <Box width={2} />}
        <Box width={rightW} flexDirection="column">
          <Table columns={r.symbols.length > 1 ? TRADE_COLUMNS : TRADE_COLUMNS.slice(1)} rows={trades} selected={state.tradeCursor} width={rightW} height={Math.max(1, wide ? lowerH - 3 : lowerH - 6)} emptyText="no trades" />
        </Box>
      </Box>
    </Box>
  );
}

function paramText(p: Record<string, number | boolean | string>): string {
  return Object.entries(p).map(([k, v]) => `${k}=${v}`).join(' ');
}

export function handleBacktestKey(session: ConsoleSession, _s: ConsoleState, k: Key): void {
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
