import { Box, Text } from 'ink';
import React, { useMemo } from 'react';
import { int, pct, price } from '../../commands/format.ts';
import type { ConsoleSession, ConsoleState } from '../../commands/session.ts';
import type { Key } from '../input.ts';
import { LineChart, Table, sparkline } from '../widgets/index.ts';
import { useTheme } from '../widgets/theme.ts';
import { OverlayPicker } from '../OverlayPicker.tsx';

const day = (t: number | null) => (t === null ? '—' : new Date(t).toISOString().slice(0, 10));

export function DataPane({ state, width, height }: { state: ConsoleState; width: number; height: number }) {
  if (state.view === 'detail' && state.detail) return <DataDetail state={state} width={width} height={height} />;
  return <DataList state={state} width={width} height={height} />;
}

const LIST_COLUMNS = [
  { key: 'symbol', title: 'symbol' },
  { key: 'tf', title: 'tf' },
  { key: 'bars', title: 'bars', align: 'right' as const },
  { key: 'first', title: 'first' },
  { key: 'last', title: 'last' },
  { key: 'close', title: 'last close', align: 'right' as const },
  { key: 'change', title: 'day chg', align: 'right' as const },
  { key: 'trend', title: 'trend' },
];

function DataList({ state, width, height }: { state: ConsoleState; width: number; height: number }) {
  const sparkW = Math.max(8, Math.min(30, width - 80));
  // Rows change only when the list or the width does, not on every key: keep them (and the table's layout) stable.
  const rows = useMemo(
    () =>
      state.visible.map((s) => ({
        symbol: s.symbol,
        tf: s.timeframe,
        bars: int(s.bars),
        first: day(s.firstTs),
        last: day(s.lastTs),
        close: price(s.lastClose),
        change: pct(s.dayChange),
        trend: sparkline(s.spark, sparkW),
      })),
    [state.visible, sparkW],
  );
  const empty = state.symbols.length === 0 ? 'no data yet — press : and run data import FILE (or data generate)' : `no symbol matches "${state.filter}"`;
  return <Table columns={LIST_COLUMNS} rows={rows} selected={state.selected} width={width} height={Math.max(1, height - 3)} emptyText={empty} />;
}

function DataDetail({ state, width, height }: { state: ConsoleState; width: number; height: number }) {
  const theme = useTheme();
  const d = state.detail!;
  const chartH = Math.max(5, Math.floor(height * 0.55));
  const lowerH = Math.max(3, height - chartH - (width >= 110 ? 2 : 3));
  // Side by side from 110 columns; below that the bars take the width and the report is summarised in a line.
  const wide = width >= 110;
  const leftW = wide ? Math.floor(width * 0.55) : width;
  const rightW = wide ? width - leftW - 1 : 0;
  const errors = d.findings.filter((f) => f.includes(': error ')).length;
  const header = `${d.symbol}  ${d.timeframe}${d.resampled ? ' (resampled)' : ''}  range ${d.range}  ${int(d.bars)} bars  ${d.info.adjusted ? 'adjusted' : 'not adjusted'}  source ${d.info.sourceFile ?? '—'}`;
  // The price first, then the chosen overlays (computed in the session, sliced like the closes).
  const series = useMemo(() => [{ name: `${d.symbol} close`, values: d.closes }, ...d.overlays], [d.symbol, d.closes, d.overlays]);
  const rows = d.recent.map((b) => ({ time: b.time, open: price(b.open), high: price(b.high), low: price(b.low), close: price(b.close), volume: int(b.volume) }));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">{header}</Text>
      {!wide && (
        <Text wrap="truncate" color={theme.color ? (d.findingCount ? theme.warn : theme.muted) : undefined}>
          {d.findingCount ? `import report: ${d.findingCount} finding${d.findingCount === 1 ? '' : 's'}${errors ? ` (${errors} error${errors === 1 ? '' : 's'})` : ''} — first: ${d.findings[0]?.replace(/^[^:]*:/, 'line ') ?? ''}` : 'import report: clean, no findings'}
        </Text>
      )}
      <LineChart series={series} xLabels={d.labels} width={width} height={chartH} />
      {state.overlayPicker.open ? (
        <OverlayPicker chosen={state.overlays} cursor={state.overlayPicker.cursor} width={Math.min(width, 72)} height={lowerH + 1} />
      ) : (
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
        {wide && <Box width={1} />}
        {wide && (<Box width={rightW} flexDirection="column">
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
        </Box>)}
      </Box>
      )}
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
    if (k.input === 'i') return session.openOverlayPicker();
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
