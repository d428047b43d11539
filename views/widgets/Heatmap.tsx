import { Box, Text } from 'ink';
import React from 'react';
import { fit } from './text.ts';
import { useTheme, type BasicColor } from './theme.ts';

/** four levels from the lowest to the highest value: shade characters (they read without colour too) and colours */
const SHADES = ['░', '▒', '▓', '█'];
const COLORS: BasicColor[] = ['blue', 'cyan', 'yellow', 'red'];

/** The level 0–3 of a value between min and max: [min, max] in four equal parts (max → 3; a single value → 2). */
export function heatLevel(v: number, min: number, max: number): number {
  if (!(max > min)) return 2;
  return Math.max(0, Math.min(3, Math.floor(((v - min) / (max - min)) * 4)));
}

export interface HeatmapProps {
  /** cells[row][col]; row 0 is drawn at the bottom (the smallest value of the y parameter) */
  cells: (number | null)[][];
  min: number;
  max: number;
  xLabels: string[];
  yLabels: string[];
  cursor: { x: number; y: number };
  /** the best cell, marked with ★ */
  best?: { x: number; y: number } | null;
  width: number;
  height: number;
}

/**
 * A grid of shaded cells (columns: x values, rows: y values), the cursor cell inverse; rows scroll to keep the cursor
 * visible and columns narrow to fit the width (2–5 characters each).
 */
export function Heatmap({ cells, min, max, xLabels, yLabels, cursor, best, width, height }: HeatmapProps) {
  const theme = useTheme();
  const ny = cells.length;
  const nx = xLabels.length;
  const yw = Math.max(1, Math.min(8, Math.max(...yLabels.map((l) => l.length), 1)));
  const cw = Math.max(2, Math.min(5, Math.floor((width - yw - 1) / Math.max(1, nx))));
  const cols = Math.max(1, Math.min(nx, Math.floor((width - yw - 1) / cw)));
  const x0 = Math.max(0, Math.min(nx - cols, cursor.x - Math.floor(cols / 2)));
  const rows = Math.max(1, Math.min(ny, height - 1));
  // rows top to bottom = y from high to low; keep the cursor's row in view
  const top = ny - 1 - cursor.y;
  const r0 = Math.max(0, Math.min(ny - rows, top - Math.floor(rows / 2)));
  const lines: React.ReactNode[] = [];
  for (let r = r0; r < r0 + rows; r++) {
    const y = ny - 1 - r;
    const parts: React.ReactNode[] = [<Text key="y" color={theme.color ? theme.muted : undefined}>{fit(yLabels[y] ?? '', yw, 'right') + ' '}</Text>];
    for (let x = x0; x < x0 + cols; x++) {
      const v = cells[y][x];
      const isCursor = x === cursor.x && y === cursor.y;
      const isBest = !!best && best.x === x && best.y === y;
      let text: string;
      let color: BasicColor | undefined;
      if (v === null) text = fit('·', cw - 1, 'right') + ' ';
      else {
        const lv = heatLevel(v, min, max);
        text = isBest ? '★'.padStart(cw - 1, SHADES[lv]) + ' ' : SHADES[lv].repeat(cw - 1) + ' ';
        color = COLORS[lv];
      }
      parts.push(
        <Text key={x} inverse={isCursor} color={theme.color ? color : undefined}>
          {text}
        </Text>,
      );
    }
    lines.push(
      <Text key={r} wrap="truncate">
        {parts}
      </Text>,
    );
  }
  let axis = ' '.repeat(yw + 1);
  for (let x = x0; x < x0 + cols; x++) axis += fit(xLabels[x] ?? '', cw, 'left');
  return (
    <Box flexDirection="column" width={width} height={rows + 1}>
      {lines}
      <Text wrap="truncate" color={theme.color ? theme.muted : undefined}>
        {axis}
      </Text>
    </Box>
  );
}
