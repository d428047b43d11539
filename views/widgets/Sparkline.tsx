import { Text } from 'ink';
import React, { useMemo } from 'react';
import { useTheme } from './theme.ts';

const BARS = '▁▂▃▄▅▆▇█';

/**
 * The last `width` points as ▁▂▃▄▅▆▇█, scaled from their min to their max (a constant series is all ▄;
 * NaN/±Infinity become spaces). Shorter series are padded on the left so the string is always
 * exactly `width` characters and the newest point sits at the right edge.
 */
export function sparkline(values: ArrayLike<number>, width: number): string {
  const w = Math.max(0, Math.floor(width));
  if (w === 0) return '';
  const start = Math.max(0, values.length - w);
  let min = Infinity;
  let max = -Infinity;
  for (let i = start; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  let out = ' '.repeat(w - (values.length - start));
  for (let i = start; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) out += ' ';
    else if (range === 0) out += BARS[3];
    else out += BARS[Math.round(((v - min) / range) * (BARS.length - 1))];
  }
  return out;
}

export function Sparkline({ values, width, color }: { values: number[] | Float64Array; width: number; color?: string }) {
  const theme = useTheme();
  const text = useMemo(() => sparkline(values, width), [values, width]);
  return (
    <Text color={theme.color ? (color ?? theme.accent) : undefined} wrap="truncate">
      {text}
    </Text>
  );
}
