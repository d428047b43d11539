import { Box, Text } from 'ink';
import React from 'react';
import type { ConsoleSession, ConsoleState } from '../../commands/session.ts';
import type { Key } from '../input.ts';
import { LineChart, Table, sparkline } from '../widgets/index.ts';
import { useTheme } from '../widgets/theme.ts';

const fmtPrice = (x: number | null) => (x === null || !Number.isFinite(x) ? '—' : Math.abs(x) >= 1000 ? x.toFixed(2) : Math.abs(x) >= 1 ? x.toFixed(4).replace(/0{1,2}$/, '') : x.toFixed(6));
const fmtPct = (x: number | null) => (x === null ? '—' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)}%`);
const fmtInt = (x: number) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '—');
const day = (t: number | null) => (t === null ? '—' : new Date(t).toISOString().slice(0, 10));

export function DataPane({ state, width, height }: { state: ConsoleState; width: number; height: number }) {
  if (state.view === 'detail' && state.detail) return <DataDetail state={state} width={width} height={height} />;
  return <DataList state={state} width={width} height={height} />;
}

function DataList({ state, width, height }: { state: ConsoleState; width: number; height: number }) {
  const sparkW = Math.max(8, Math.min(30, width - 80));
  const rows = state.visible.map((s) => ({
    symbol: s.symbol,
    tf: s.timeframe,
    bars: fmtInt(s.bars),
    first: day(s.firstTs),
    last: day(s.lastTs),
    close: fmtPrice(s.lastClose),
    change: fmtPct(s.dayChange),
    trend: sparkline(s.spark, sparkW),
  }));
  const empty = state.symbols.length === 0 ? 'no data yet — press : and run data import FILE (or data generate)' : `no symbol matches "${state.filter}"`;
  return (
    <Table
      columns={[
        { key: 'symbol', title: 'symbol' },
        { key: 'tf', title: 'tf' },
        { key: 'bars', title: 'bars', align: 'right' },
        { key: 'first', title: 'first' },
        { key: 'last', title: 'last' },
        { key: 'close', title: 'last close', align: 'right' },
        { key: 'change', title: 'day chg', align: 'right' },
        { key: 'trend', title: 'trend' },
      ]}
      rows={rows}
      selected={state.selected}
      width={width}
      height={Math.max(1, height - 3)}
      emptyText={empty}
    />
  );
}

function DataDetail({ state, width, height }: { state: ConsoleState; width: number; height: number }) {
  const theme = useTheme();
  const d = state.detail!;
  const chartH = Math.max(5, Math.floor(height * 0.55));
  const lowerH = Math.max(3, height - chartH - 2);
  const leftW = Math.floor(width * 0.55);
  const rightW = width - leftW - 1;
  const header = `${d.symbol}  ${d.timeframe}${d.resampled ? ' (resampled)' : ''}  range ${d.range}  ${fmtInt(d.bars)} bars  ${d.info.adjusted ? 'adjusted' : 'not adjusted'}  source ${d.info.sourceFile ?? '—'}`;
  const rows = d.recent.map((b) => ({ time: b.time, open: fmtPrice(b.open), high: fmtPrice(b.high), low: fmtPrice(b.low), close: fmtPrice(b.close), volume: fmtInt(b.volume) }));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">{header}</Text>
      <LineChart series={[{ name: `${d.symbol} close`, values: d.closes }]} xLabels={d.labels} width={width} height={chartH} />
      <Box height={lowerH + 1}>
        <Box width={leftW} flexDirection="column">
          <Table
            columns={[
              { key: 'time', title: 'time' },
              { key: 'open', title: 'open', align: 'right' },
              { key: 'high', title: 'high', align: 'right' },
              { key: 'low', title: 'low', align: 'right' },
              { key: 'close', title: 'close', align: 'right' },
              { key: 'volume', title: 'volume', align: 'right' },
            ]}
            rows={rows}
            selected={-1}
            width={leftW}
            height={Math.max(1, lowerH - 2)}
            emptyText="no bars in range"
          />
        </Box>
        <Box width={1} />
        <Box width={rightW} flexDirection="column">
          <Text bold wrap="truncate">{`import report (${d.findingCount} finding${d.findingCount === 1 ? '' : 's'})`}</Text>
          {d.findings.length === 0 ? (
            <Text color={theme.color ? theme.muted : undefined} wrap="truncate">clean: no findings</Text>
          ) : (
            d.findings.slice(0, Math.max(1, lowerH - 1)).map((f, i) => (
              <Text key={i} wrap="truncate" color={theme.color ? (f.includes(': error ') ? theme.error : f.includes(': warning ') ? theme.warn : theme.muted) : undefined}>
                {f.replace(/^[^:]*:/, 'line ')}
              </Text>
            ))
          )}
        </Box>
      </Box>
    </Box>
  );
}

export function handleDataKey(session: ConsoleSession, s: ConsoleState, k: Key): void {
  if (s.view === 'detail') {
    if (k.escape || k.input === 'h' || k.leftArrow) return session.back();
    if (k.input === ']') return session.cycleRange(1);
    if (k.input === '[') return session.cycleRange(-1);
    if (k.input === 't') return session.cycleTimeframe(1);
    if (k.input === 'T') return session.cycleTimeframe(-1);
    return;
  }
  if (k.input === 'j' || k.downArrow) return session.move(1);
  if (k.input === 'k' || k.upArrow) return session.move(-1);
  if (k.input === 'g' || k.home) return session.move('top');
  if (k.input === 'G' || k.end) return session.move('bottom');
  if (k.pageDown) return session.move(1, 10);
  if (k.pageUp) return session.move(-1, 10);
  if (k.input === '/') return session.startFilter();
  if (k.return || k.input === 'l' || k.rightArrow) return session.open();
  if (k.escape && s.filter) return session.endFilter(false);
  if (k.input === 'r') return session.refresh();
}
