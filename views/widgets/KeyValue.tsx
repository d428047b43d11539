import { Box, Text } from 'ink';
import React, { useMemo } from 'react';
import { fit, textWidth, truncate } from './text.ts';
import { useTheme, type Theme } from './theme.ts';

export type Tone = 'up' | 'down' | 'warn' | 'muted';

export interface KeyValueItem {
  key: string;
  value: string | number;
  tone?: Tone;
}

export interface KeyValueProps {
  items: KeyValueItem[];
  /** Total width; lines are cut with `…` to fit. Without it lines take their natural width. */
  width?: number;
  columns?: 1 | 2;
}

const COL_GAP = 3;
const KEY_GAP = 2;

function toneColor(theme: Theme, tone: Tone | undefined): string | undefined {
  if (!theme.color || !tone) return undefined;
  return theme[tone];
}

const valueText = (v: string | number) => (typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '—') : v);

/** Key/value pairs with the keys padded to a common width; two columns fill top-to-bottom, left then right. */
export function KeyValue({ items, width, columns = 1 }: KeyValueProps) {
  const theme = useTheme();
  const layout = useMemo(() => {
    const cols = columns === 2 && items.length > 1 ? 2 : 1;
    const perCol = Math.ceil(items.length / cols);
    const groups = cols === 2 ? [items.slice(0, perCol), items.slice(perCol)] : [items];
    const natural = groups.map((g) => {
      const kw = g.reduce((m, it) => Math.max(m, textWidth(it.key)), 0);
      const vw = g.reduce((m, it) => Math.max(m, textWidth(valueText(it.value))), 0);
      return { kw, vw };
    });
    let colW: number[];
    if (width === undefined) colW = natural.map((n) => n.kw + KEY_GAP + n.vw);
    else {
      const total = Math.max(1, Math.floor(width)) - (cols - 1) * COL_GAP;
      colW = cols === 2 ? [Math.ceil(total / 2), Math.floor(total / 2)] : [total];
    }
    // Keys take their width unless that leaves the value less than half the column.
    const keyW = natural.map((n, i) => Math.max(0, Math.min(n.kw, Math.floor(colW[i] / 2))));
    return { groups, perCol, colW, keyW };
  }, [items, width, columns]);

  const lines: React.ReactNode[] = [];
  for (let r = 0; r < layout.perCol; r++) {
    const parts: React.ReactNode[] = [];
    layout.groups.forEach((g, c) => {
      const it = g[r];
      const cw = layout.colW[c];
      const kw = layout.keyW[c];
      const vw = Math.max(0, cw - kw - KEY_GAP);
      const last = c === layout.groups.length - 1;
      if (c > 0) parts.push(' '.repeat(COL_GAP));
      if (!it) {
        if (!last) parts.push(' '.repeat(cw));
        return;
      }
      const key = fit(it.key, kw);
      let value = truncate(valueText(it.value), vw);
      if (!last) value = value + ' '.repeat(Math.max(0, vw - textWidth(value)));
      parts.push(
        <Text key={`k${c}`} color={theme.color ? theme.muted : undefined}>
          {key + ' '.repeat(KEY_GAP)}
        </Text>,
        <Text key={`v${c}`} color={toneColor(theme, it.tone)}>
          {value}
        </Text>,
      );
    });
    lines.push(
      <Text key={r} wrap="truncate">
        {parts}
      </Text>,
    );
  }
  return (
    <Box flexDirection="column" width={width === undefined ? undefined : Math.max(1, Math.floor(width))}>
      {lines}
    </Box>
  );
}
