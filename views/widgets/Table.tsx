import { Box, Text } from 'ink';
import React, { useEffect, useMemo, useRef } from 'react';
import { fit, textWidth, truncate } from './text.ts';
import { useTheme } from './theme.ts';

export type Align = 'left' | 'right';

export interface Column {
  key: string;
  title: string;
  /** Preferred width; defaults to the widest of the title and the cells. */
  width?: number;
  /** Defaults to 'right' when every non-empty cell of the column is a number, else 'left'. */
  align?: Align;
  /** Narrowest width this column is shrunk to before columns start being dropped (default 3, or its natural width if smaller). */
  min?: number;
}

export type Row = Record<string, string | number>;

export interface TableProps {
  columns: Column[];
  rows: Row[];
  /** Index into rows of the highlighted row; -1 (or out of range) for none. */
  selected: number;
  /** Number of body rows shown (the header, rule and footer are extra lines). */
  height: number;
  width: number;
  emptyText?: string;
}

const DEFAULT_MIN = 3;

export function cellText(v: string | number | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '—';
  return v;
}

export function columnAlign(col: Column, rows: Row[]): Align {
  if (col.align) return col.align;
  let numeric = false;
  for (const r of rows) {
    const v = r[col.key];
    if (v === undefined || v === '') continue;
    if (typeof v !== 'number') return 'left';
    numeric = true;
  }
  return numeric ? 'right' : 'left';
}

/** Natural width of each column: its `width`, or the widest of its title and cells. */
export function naturalWidths(columns: Column[], rows: Row[]): number[] {
  return columns.map((c) => {
    if (c.width !== undefined) return Math.max(0, Math.floor(c.width));
    let w = textWidth(c.title);
    for (const r of rows) w = Math.max(w, textWidth(cellText(r[c.key])));
    return w;
  });
}

export interface TableLayout {
  /** One width per column; 0 means the column is hidden (no room). */
  widths: number[];
  /** Spaces between visible columns: 2 when everything fits that way, else 1. */
  gap: number;
}

/**
 * Fit columns into `width`. Natural widths when they fit (gap 2, then gap 1); otherwise each column
 * gives up room in proportion to how far it can shrink (natural − min), rounded down, and the cuts
 * left by rounding go one each to the columns with the most room (ties: leftmost). When even the minimums do not fit, columns
 * are dropped from the right.
 */
export function tableLayout(columns: Column[], rows: Row[], width: number): TableLayout {
  const n = columns.length;
  if (n === 0) return { widths: [], gap: 1 };
  width = Math.max(0, Math.floor(width));
  const natural = naturalWidths(columns, rows);
  const sum = natural.reduce((a, b) => a + b, 0);
  if (sum + 2 * (n - 1) <= width) return { widths: natural, gap: 2 };
  const gap = 1;
  if (sum + (n - 1) <= width) return { widths: natural, gap };
  const mins = columns.map((c, i) => Math.min(natural[i], Math.max(0, Math.floor(c.min ?? DEFAULT_MIN))));
  const minSum = mins.reduce((a, b) => a + b, 0);
  const avail = width - gap * (n - 1);
  if (minSum <= avail) {
    const excess = sum - avail;
    const room = natural.map((w, i) => w - mins[i]);
    const roomSum = room.reduce((a, b) => a + b, 0);
    const exact = room.map((r) => (excess * r) / roomSum);
    const cut = exact.map(Math.floor);
    let left = excess - cut.reduce((a, b) => a + b, 0);
    // The few cuts left by rounding go one each to the columns with the most room, so short
    // columns (typically numbers) are the last to lose a character.
    const order = room.map((r, i) => ({ i, r })).sort((a, b) => b.r - a.r || a.i - b.i);
    for (const { i } of order) {
      if (left <= 0) break;
      if (cut[i] < room[i]) {
        cut[i]++;
        left--;
      }
    }
    return { widths: natural.map((w, i) => w - cut[i]), gap };
  }
  // Not even the minimums fit: keep columns from the left at their minimum while they fit.
  const widths = new Array<number>(n).fill(0);
  let used = 0;
  for (let i = 0; i < n; i++) {
    const need = mins[i] + (used > 0 ? gap : 0);
    if (used + need > width) {
      if (used === 0) widths[i] = width; // a single column wider than the table: clip it
      break;
    }
    widths[i] = mins[i];
    used += need;
  }
  return { widths, gap };
}

/** Column widths for `width` columns of screen (see tableLayout). */
export function layoutColumns(columns: Column[], rows: Row[], width: number): number[] {
  return tableLayout(columns, rows, width).widths;
}

/**
 * First visible row so that `selected` stays inside a window of `height` rows: the previous offset
 * is kept while the selection is visible (k9s-like), moved just enough otherwise, and clamped.
 */
export function scrollWindow(selected: number, count: number, height: number, prevOffset = 0): number {
  const h = Math.max(1, Math.floor(height));
  if (count <= h) return 0;
  const maxOff = count - h;
  let off = Math.min(Math.max(0, Math.floor(prevOffset)), maxOff);
  if (selected >= 0 && selected < count) {
    if (selected < off) off = selected;
    else if (selected >= off + h) off = selected - h + 1;
  }
  return off;
}

/** One table line from cell strings (hidden columns skipped). */
export function formatRow(cells: string[], widths: number[], aligns: Align[], gap: number): string {
  const parts: string[] = [];
  for (let i = 0; i < widths.length; i++) if (widths[i] > 0) parts.push(fit(cells[i] ?? '', widths[i], aligns[i]));
  return parts.join(' '.repeat(gap)).replace(/\s+$/, '');
}

export function Table({ columns, rows, selected, height, width, emptyText = 'nothing to show' }: TableProps) {
  const theme = useTheme();
  const prevOffset = useRef(0);
  const w = Math.max(1, Math.floor(width));
  const h = Math.max(1, Math.floor(height));
  const layout = useMemo(() => tableLayout(columns, rows, w), [columns, rows, w]);
  const aligns = useMemo(() => columns.map((c) => columnAlign(c, rows)), [columns, rows]);
  const count = rows.length;
  const sel = selected >= 0 && selected < count ? selected : -1;
  const offset = scrollWindow(sel, count, h, prevOffset.current);
  useEffect(() => {
    prevOffset.current = offset;
  });

  const header = formatRow(
    columns.map((c) => c.title),
    layout.widths,
    aligns,
    layout.gap,
  );
  const rule = '─'.repeat(w);
  const muted = theme.color ? theme.muted : undefined;

  if (count === 0) {
    return (
      <Box flexDirection="column" width={w}>
        <Text bold wrap="truncate">{truncate(header, w)}</Text>
        <Text color={muted} wrap="truncate">{rule}</Text>
        <Text color={muted} wrap="truncate">{truncate(emptyText, w)}</Text>
      </Box>
    );
  }

  const end = Math.min(count, offset + h);
  const body: React.ReactNode[] = [];
  for (let i = offset; i < end; i++) {
    const r = rows[i];
    const line = formatRow(
      columns.map((c) => cellText(r[c.key])),
      layout.widths,
      aligns,
      layout.gap,
    );
    if (i === sel) {
      body.push(
        <Text key={i} inverse color={theme.color ? theme.selectedBg : undefined} wrap="truncate">
          {fit(line, w)}
        </Text>,
      );
    } else {
      body.push(
        <Text key={i} wrap="truncate">
          {truncate(line, w)}
        </Text>,
      );
    }
  }
  const scrolling = count > h;
  const footer = scrolling ? (sel >= 0 ? `${sel + 1}/${count}` : `${offset + 1}-${end}/${count}`) : '';

  return (
    <Box flexDirection="column" width={w}>
      <Text bold wrap="truncate">{truncate(header, w)}</Text>
      <Text color={muted} wrap="truncate">{rule}</Text>
      {body}
      {scrolling ? (
        <Text color={muted} wrap="truncate">
          {fit(footer, w, 'right')}
        </Text>
      ) : null}
    </Box>
  );
}
