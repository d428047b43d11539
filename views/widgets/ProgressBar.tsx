import { Box, Text } from 'ink';
import React from 'react';
import { textWidth, truncate } from './text.ts';
import { useTheme } from './theme.ts';

/**
 * `[#####-----]  45%` in at most `width` columns. The bar is only full and the percentage only 100%
 * once done ≥ total. An unknown total (≤ 0) gives `… 1,234` (the count so far).
 */
export function progressText(done: number, total: number, width: number): string {
  const w = Math.max(0, Math.floor(width));
  const d = Number.isFinite(done) ? Math.max(0, done) : 0;
  if (!(total > 0)) return truncate(`… ${Math.floor(d).toLocaleString('en-US')}`, w);
  const complete = d >= total;
  const frac = Math.min(1, d / total);
  const pct = complete ? 100 : Math.min(99, Math.floor(frac * 100));
  const pctText = `${pct}%`.padStart(4);
  const barW = w - 7; // '[' + bar + '] ' + 'nnn%'
  if (barW < 1) return truncate(pctText.trimStart(), w);
  const filled = complete ? barW : Math.min(barW - 1, Math.round(frac * barW));
  return `[${'#'.repeat(filled)}${'-'.repeat(barW - filled)}] ${pctText}`;
}

export interface ProgressBarProps {
  done: number;
  total: number;
  width: number;
  label?: string;
}

/** `label  [####------]  40%` on one line of `width` columns; the label is cut with `…` to make room. */
export function ProgressBar({ done, total, width, label }: ProgressBarProps) {
  const theme = useTheme();
  const w = Math.max(1, Math.floor(width));
  const barW = label ? Math.min(w, Math.max(12, Math.min(40, Math.floor(w / 3)))) : w;
  const bar = progressText(done, total, barW);
  const labelW = label ? w - textWidth(bar) - 1 : 0;
  const labelText = labelW > 0 && label ? truncate(label, labelW) : '';
  return (
    <Box width={w}>
      <Text wrap="truncate">
        {labelText ? `${labelText} ` : ''}
        <Text color={theme.color ? theme.accent : undefined}>{bar}</Text>
      </Text>
    </Box>
  );
}
