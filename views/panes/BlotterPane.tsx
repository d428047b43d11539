import { Box, Text } from 'ink';
import React from 'react';
import { num } from '../../commands/format.ts';
import type { ConsoleSession, ConsoleState } from '../../commands/session.ts';
import type { Key } from '../input.ts';
import { sparkline, Table } from '../widgets/index.ts';
import { useTheme } from '../widgets/theme.ts';

const time = (t: number | null) => (t === null || !Number.isFinite(t) ? '—' : new Date(t).toISOString().slice(0, 16).replace('T', ' '));

/**
 * The latest paper session from the journal (it may run in another process): status, equity and its sparkline,
 * working orders (cursor), positions with unrealised P&L, the latest fills. Keys: j/k move, c cancel, C cancel
 * all, F flatten, K kill switch; :buy / :sell SYM QTY [--limit P] place orders.
 */
export function BlotterPane({ state, width, height }: { state: ConsoleState; width: number; height: number }) {
  const theme = useTheme();
  const b = state.blotter;
  const muted = theme.color ? theme.muted : undefined;
  if (!b.session) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Text wrap="truncate">no paper session in this workspace yet — press : and run, for example:</Text>
        <Text wrap="truncate" color={muted}>{'  paper --strategy sma_cross --symbols ORCL --speed 600x --headless   (or in another tmux window: alphatrade paper … --headless)'}</Text>
      </Box>
    );
  }
  const s = b.session;
  const pnl = b.equity !== null ? b.equity - s.capital : null;
  const age = s.heartbeat ? Math.round((Date.now() - Date.parse(s.heartbeat)) / 1000) : null;
  const head = `session ${s.id} · ${s.strategy} on ${s.symbols} · ${s.status}${s.status === 'running' && age !== null ? ` (heartbeat ${age}s ago)` : ''} · bar ${time(s.last_bar_ts)} · ${s.bars.toLocaleString('en-US')} bars`;
  const money = `equity ${num(b.equity, 2)} · cash ${num(b.cash, 2)} · P&L ${pnl === null ? '—' : `${pnl >= 0 ? '+' : ''}${pnl.toFixed(2)}`} · ${b.orders} orders · ${b.nFills} fills`;
  const spark = sparkline(b.curve, Math.max(10, width - 2));
  // body rows of the three tables: the height less 3 text lines and each table's header, rule and footer
  const rows = Math.max(3, height - 3 - 9 - (b.rejected.length > 0 ? 1 : 0));
  const workH = Math.max(1, Math.min(b.working.length, Math.floor(rows / 4)));
  const posH = Math.max(1, Math.min(b.positions.length, Math.floor(rows / 4)));
  const fillH = Math.max(1, rows - workH - posH);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate" bold>{head}</Text>
      <Text wrap="truncate" color={theme.color && pnl !== null ? (pnl >= 0 ? theme.up : theme.down) : undefined}>{money}</Text>
      <Text wrap="truncate">{spark}</Text>
      {b.rejected.length > 0 && (
        <Text wrap="truncate" color={theme.color ? theme.error : undefined}>{`rejected: ${b.rejected.map((o) => `${o.client_order_id.slice(o.client_order_id.lastIndexOf('-') + 1)} ${o.side} ${o.qty ?? ''} ${o.symbol} (${o.reason ?? 'refused'})`).join(' · ')}`}</Text>
      )}
      <Table
        columns={[
          { key: 'id', title: `working (${b.working.length})` },
          { key: 'symbol', title: 'symbol' },
          { key: 'side', title: 'side' },
          { key: 'type', title: 'type' },
          { key: 'filled', title: 'filled/qty', align: 'right' },
          { key: 'avg', title: 'avg', align: 'right' },
          { key: 'status', title: 'status' },
          { key: 'source', title: 'from' },
        ]}
        rows={b.working.map((o) => ({ id: o.client_order_id, symbol: o.symbol, side: o.side, type: o.limit_price !== null ? `${o.type} ${o.limit_price}` : o.type, filled: `${o.filled_qty}/${o.qty ?? '—'}`, avg: num(o.avg_price, 4), status: o.status, source: o.source }))}
        selected={b.cursor}
        width={width}
        height={workH}
        emptyText="no working orders"
      />
      <Table
        columns={[
          { key: 'symbol', title: 'position' },
          { key: 'qty', title: 'qty', align: 'right' },
          { key: 'avg', title: 'avg price', align: 'right' },
          { key: 'mark', title: 'mark', align: 'right' },
          { key: 'value', title: 'value', align: 'right' },
          { key: 'upnl', title: 'unrealised', align: 'right' },
          { key: 'rpnl', title: 'realised', align: 'right' },
        ]}
        rows={b.positions.map((p) => ({ symbol: p.symbol, qty: String(p.qty), avg: p.avg_price.toFixed(4), mark: num(p.mark, 4), value: num(p.market_value, 2), upnl: num(p.unrealized_pnl, 2), rpnl: p.realized_pnl.toFixed(2) }))}
        selected={-1}
        width={width}
        height={posH}
        emptyText="flat"
      />
      <Table
        columns={[
          { key: 'time', title: 'fills (latest first)' },
          { key: 'symbol', title: 'symbol' },
          { key: 'side', title: 'side' },
          { key: 'qty', title: 'qty', align: 'right' },
          { key: 'price', title: 'price', align: 'right' },
          { key: 'fee', title: 'fee', align: 'right' },
          { key: 'id', title: 'order' },
        ]}
        rows={b.fills.map((f) => ({ time: time(f.bar_ts), symbol: f.symbol, side: f.side, qty: String(f.qty), price: f.price.toFixed(4), fee: f.commission.toFixed(2), id: f.client_order_id }))}
        selected={-1}
        width={width}
        height={fillH}
        emptyText="no fills yet"
      />
    </Box>
  );
}

export function handleBlotterKey(session: ConsoleSession, _s: ConsoleState, k: Key): void {
  if (k.input === 'j' || k.downArrow) return session.blotterMove(1);
  if (k.input === 'k' || k.upArrow) return session.blotterMove(-1);
  if (k.input === 'c') return session.blotterAction('cancel');
  if (k.input === 'C') return session.blotterAction('cancel_all');
  if (k.input === 'F') return session.blotterAction('flatten');
  if (k.input === 'K') return session.blotterAction('kill');
}
