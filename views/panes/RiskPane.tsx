import { Box, Text } from 'ink';
import React from 'react';
import { num } from '../../commands/format.ts';
import type { ConsoleState } from '../../commands/session.ts';
import { fit, Table } from '../widgets/index.ts';
import { useTheme } from '../widgets/theme.ts';

const pctText = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(1)}%`);
const limitText = (rule: string, x: number | null) => (x === null ? '—' : rule.endsWith('pct') || rule === 'max_drawdown' || rule === 'daily_loss' ? pctText(x) : rule === 'leverage' ? num(x, 2) : num(x, 0));

/** `[#####-----] 50%` of width w; over 100% the bar is full and the figure says by how much */
function bar(use: number, w: number): string {
  const n = Math.max(0, Math.min(w, Math.round(Math.min(1, use) * w)));
  return `[${'#'.repeat(n)}${'-'.repeat(w - n)}] ${`${Math.round(use * 100)}%`.padStart(4)}`;
}

/** Limits with their utilisation (peak / limit), breakers, VaR/CVaR, exposure by symbol and sector, latest rejections. */
export function RiskPane({ state, width, height }: { state: ConsoleState; width: number; height: number }) {
  const theme = useTheme();
  const r = state.risk;
  const muted = theme.color ? theme.muted : undefined;
  const kill = r.kill.on ? `kill switch ON since ${r.kill.since?.slice(0, 16).replace('T', ' ')} (${r.kill.reason}) — :risk resume` : 'kill switch off (:risk kill)';
  if (!r.source) {
    return (
      <Box width={width} height={height} flexDirection="column">
        <Text wrap="truncate" color={r.kill.on && theme.color ? theme.error : undefined} bold={r.kill.on}>{kill}</Text>
        <Text wrap="truncate">no run with limits yet — press : and run, for example:</Text>
        <Text wrap="truncate" color={muted}>{'  backtest --strategy sma_cross --symbol ORCL --risk limits.json   (alphatrade risk check --help for the file)'}</Text>
      </Box>
    );
  }
  const barW = Math.max(10, Math.min(20, Math.floor(width / 8)));
  // limits beside breakers when both fit (each table needs ~60 columns), else one above the other
  const wide = width >= 130;
  const half = wide ? Math.floor((width - 2) / 2) : width;
  const limitRows = r.limits.map((l) => ({
    rule: l.rule,
    limit: limitText(l.rule, l.limit),
    now: limitText(l.rule, l.value),
    peak: limitText(l.rule, l.peak),
    use: bar(l.use, barW),
    where: l.where ?? '',
  }));
  const breakerRows = r.breakers.map((b) => ({
    name: b.name,
    limit: b.name === 'kill_switch' ? '' : b.name === 'consecutive_losses' ? (b.limit === null ? '—' : String(b.limit)) : limitText(b.name, b.limit),
    now: b.name === 'kill_switch' ? '' : b.name === 'consecutive_losses' ? String(b.value) : pctText(b.value),
    state: b.tripped ? 'TRIPPED' : b.limit === null && b.name !== 'kill_switch' ? 'not set' : 'ok',
    trips: b.trips ? `${b.trips}× first ${b.first?.slice(0, 10)}` : '',
  }));
  const expoRows = r.exposure.slice(0, 8).map((e) => ({ symbol: e.symbol, value: num(e.value, 0), pct: pctText(e.pct) }));
  const secRows = r.sectors.slice(0, 6).map((e) => ({ symbol: e.sector, value: num(e.value, 0), pct: pctText(e.pct) }));
  const rejRows = r.rejections.map((x) => ({ time: x.time.slice(0, 16).replace('T', ' '), symbol: x.symbol, rule: x.rule, value: limitText(x.rule, x.value), limit: limitText(x.rule, x.limit) }));
  const limH = Math.max(3, limitRows.length + 3);
  const brkH = breakerRows.length + 3;
  const topH = wide ? Math.max(limH, brkH) : limH + brkH;
  const lowH = Math.max(3, height - topH - 3);
  const byRule = Object.entries(r.byRule).map(([k, v]) => `${k} ${v}`).join(', ');
  return (
    <Box width={width} height={height} flexDirection="column">
      <Text bold wrap="truncate">{`risk · ${r.source.title}`}</Text>
      <Text wrap="truncate">
        <Text color={r.kill.on && theme.color ? theme.error : undefined} bold={r.kill.on}>{kill}</Text>
        <Text color={muted}>{`   VaR 95% ${pctText(r.var95)} · CVaR 95% ${pctText(r.cvar95)} (historical, per period)${byRule ? ` · rejected: ${byRule}` : ''}`}</Text>
      </Text>
      <Box height={topH} flexDirection={wide ? 'row' : 'column'}>
        <Box width={half} flexDirection="column">
          <Table
            columns={[{ key: 'rule', title: 'limit' }, { key: 'limit', title: 'limit', align: 'right' }, { key: 'now', title: 'end', align: 'right' }, { key: 'peak', title: 'peak', align: 'right' }, { key: 'use', title: 'peak use' }, { key: 'where', title: 'where' }]}
            rows={limitRows}
            selected={-1}
            width={half}
            height={wide ? topH : limH}
            emptyText="no limits set"
          />
        </Box>
        {wide && <Box width={2} />}
        <Box width={half} flexDirection="column">
          <Table columns={[{ key: 'name', title: 'breaker' }, { key: 'limit', title: 'limit', align: 'right' }, { key: 'now', title: 'end', align: 'right' }, { key: 'state', title: 'state' }, { key: 'trips', title: 'trips' }]} rows={breakerRows} selected={-1} width={half} height={wide ? topH : brkH} />
        </Box>
      </Box>
      <Text wrap="truncate" color={muted}>{fit('exposure at the end (symbol, then sector)   ·   latest rejections', width)}</Text>
      <Box height={lowH} flexDirection="row">
        <Box width={Math.floor(width * 0.35)} flexDirection="column">
          <Table columns={[{ key: 'symbol', title: 'symbol/sector' }, { key: 'value', title: 'value', align: 'right' }, { key: 'pct', title: '% equity', align: 'right' }]} rows={[...expoRows, ...secRows]} selected={-1} width={Math.floor(width * 0.35)} height={lowH} emptyText="flat" />
        </Box>
        <Box width={2} />
        <Box width={width - Math.floor(width * 0.35) - 2} flexDirection="column">
          <Table columns={[{ key: 'time', title: 'time' }, { key: 'symbol', title: 'symbol' }, { key: 'rule', title: 'rule' }, { key: 'value', title: 'value', align: 'right' }, { key: 'limit', title: 'limit', align: 'right' }]} rows={rejRows} selected={-1} width={width - Math.floor(width * 0.35) - 2} height={lowH} emptyText="no rejections" />
        </Box>
      </Box>
    </Box>
  );
}
