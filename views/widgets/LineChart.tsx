import asciichart from 'asciichart';
import { Box, Text } from 'ink';
import React, { useMemo } from 'react';
import { clip, textWidth, truncate } from './text.ts';
import { useTheme, type Theme } from './theme.ts';

export interface ChartSeries {
  name: string;
  values: number[] | Float64Array;
  /** An Ink colour name; defaults to the theme's series colours in order. */
  color?: string;
}

export interface LineChartProps {
  series: ChartSeries[];
  /** Total lines rendered: title/legend line + plot rows + x-axis line. */
  height: number;
  width: number;
  /** One label per point (index-aligned with the values); a few are shown under their columns. */
  xLabels?: string[];
  title?: string;
}

/** Index of the last point of each of `width` equal buckets over `n` points (identity when n ≤ width). */
export function bucketEnds(n: number, width: number): number[] {
  const w = Math.max(0, Math.floor(width));
  if (n <= w) return Array.from({ length: n }, (_, i) => i);
  const out = new Array<number>(w);
  for (let i = 0; i < w; i++) out[i] = Math.floor(((i + 1) * n) / w) - 1;
  return out;
}

/**
 * Shrink a series to `width` points by keeping the last value of each of `width` equal buckets
 * (no averaging, no invented points; NaN stays NaN). A series that already fits is copied as is.
 */
export function downsample(values: ArrayLike<number>, width: number): number[] {
  return bucketEnds(values.length, width).map((i) => values[i]);
}

/** A run of characters drawn in one colour (undefined = default). */
export interface Run {
  text: string;
  color?: string;
}

export interface ChartLines {
  header: Run[] | null;
  plot: Run[][];
  xAxis: string | null;
}

// Private-use characters stand in for colours in asciichart's output so each cell can be traced back
// to its series; the real colour is applied through Ink (and not at all without colour).
const MARK = 0xe000;
const RESET = asciichart.reset;
const DEFAULT_SYMBOLS = ['┼', '┤', '╶', '╴', '─', '╰', '╭', '╮', '╯', '│'];
// Without colour, series after the first are told apart by dashed strokes.
const STROKES: [string, string][] = [
  ['─', '│'],
  ['╌', '╎'],
  ['┄', '┆'],
  ['┈', '┊'],
];

interface Cell {
  ch: string;
  s: number; // series index, -1 for axis/labels/blank
}

function parseLine(line: string): Cell[] {
  const cells: Cell[] = [];
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    if (code >= MARK && code < MARK + 0x100) {
      cells.push({ ch: line[i + 1], s: code - MARK });
      i += 1 + (line.startsWith(RESET, i + 2) ? RESET.length : 0);
    } else cells.push({ ch: line[i], s: -1 });
  }
  return cells;
}

function formatNumber(x: number, decimals: number): string {
  const s = x.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

function finiteRange(arrays: ArrayLike<number>[]): [number, number] | null {
  let min = Infinity;
  let max = -Infinity;
  for (const a of arrays)
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  return min <= max ? [min, max] : null;
}

/** A flat range is widened so asciichart gets a real range and the line sits in the middle. */
function widen([min, max]: [number, number]): [number, number] {
  if (max > min) return [min, max];
  const pad = Math.abs(min) * 0.01 || 1;
  return [min - pad, max + pad];
}

function decimalsFor(min: number, max: number, rows: number): number {
  const step = (max - min) / Math.max(1, rows - 1);
  if (!(step > 0)) return 2;
  // The fewest decimals that still tell neighbouring labels apart (step 2.5 → 0, 0.3 → 1, 0.004 → 3).
  return Math.max(0, Math.min(8, Math.floor(-Math.log10(step)) + 1));
}

function strokeSymbols(j: number, distinct: boolean): string[] {
  if (!distinct) return DEFAULT_SYMBOLS;
  const [h, v] = STROKES[j % STROKES.length];
  const s = DEFAULT_SYMBOLS.slice();
  s[4] = h;
  s[9] = v;
  return s;
}

function toRuns(cells: Cell[], colors: (string | undefined)[], width: number): Run[] {
  const runs: Run[] = [];
  for (const c of cells.slice(0, width)) {
    const color = c.s >= 0 ? colors[c.s] : undefined;
    const last = runs[runs.length - 1];
    if (last && last.color === color) last.text += c.ch;
    else runs.push({ text: c.ch, color });
  }
  return runs;
}

function truncateRuns(runs: Run[], width: number): Run[] {
  const out: Run[] = [];
  let left = width;
  for (const r of runs) {
    if (left <= 0) break;
    const w = textWidth(r.text);
    if (w <= left) {
      out.push(r);
      left -= w;
    } else {
      out.push({ ...r, text: truncate(r.text, left) });
      left = 0;
    }
  }
  return out;
}

/** Place labels under their columns: first left-aligned, last right-aligned, others centred; no overlaps. */
function xAxisLine(labels: string[], cols: number[], width: number): string | null {
  const m = cols.length;
  if (m === 0) return null;
  for (let k = Math.min(5, m); k >= 1; k--) {
    const picks = k === 1 ? [0] : Array.from({ length: k }, (_, j) => Math.round((j * (m - 1)) / (k - 1)));
    const line = new Array<string>(width).fill(' ');
    let prevEnd = -2;
    let ok = true;
    for (let j = 0; j < picks.length; j++) {
      const text = clip(labels[picks[j]] ?? '', width);
      const len = textWidth(text);
      if (len === 0) continue;
      const col = cols[picks[j]];
      let start = j === 0 ? col : j === picks.length - 1 && k > 1 ? col - len + 1 : col - Math.floor(len / 2);
      start = Math.max(0, Math.min(width - len, start));
      if (start < prevEnd + 2) {
        ok = false;
        break;
      }
      Array.from(text).forEach((ch, i) => (line[start + i] = ch));
      prevEnd = start + len - 1;
    }
    if (ok) return line.join('').replace(/\s+$/, '');
  }
  return null;
}

/**
 * Lay the chart out as coloured runs, each line at most `width` columns. Pure: exported for tests
 * and for callers that want the text without Ink.
 */
export function chartLines(props: LineChartProps, theme: Theme): ChartLines {
  const { series, xLabels, title } = props;
  const width = Math.max(1, Math.floor(props.width));
  const height = Math.max(1, Math.floor(props.height));
  const colors = series.map((s, j) => (theme.color ? (s.color ?? theme.series[j % theme.series.length]) : undefined));
  const distinct = !theme.color && series.length > 1;

  // Header: title then one legend entry per series (stroke sample in the series colour + name).
  let headerRuns: Run[] = [];
  if (title) headerRuns.push({ text: title });
  series.forEach((s, j) => {
    if (!s.name) return;
    if (headerRuns.length) headerRuns.push({ text: '  ' });
    const stroke = strokeSymbols(j, distinct)[4];
    headerRuns.push({ text: `${stroke}${stroke} ${s.name}`, color: colors[j] });
  });
  let wantHeader = headerRuns.length > 0;
  let wantAxis = !!xLabels && xLabels.length > 0;
  if (height - (wantHeader ? 1 : 0) - (wantAxis ? 1 : 0) < 2) wantAxis = false;
  if (height - (wantHeader ? 1 : 0) < 2) wantHeader = false;
  const rows = Math.max(2, height - (wantHeader ? 1 : 0) - (wantAxis ? 1 : 0));
  const header = wantHeader ? truncateRuns(headerRuns, width) : null;

  const n = series.reduce((m, s) => Math.max(m, s.values.length), 0);
  const raw = finiteRange(series.map((s) => s.values));
  const noData = (text: string): ChartLines => ({ header, plot: [[{ text: truncate(text, width), color: theme.color ? theme.muted : undefined }]], xAxis: null });
  if (n === 0 || !raw) return noData('no data');

  // Label width from the full data range; the plotted (downsampled) range lies inside it, so its
  // labels are never wider — except when a flat range gets widened, handled by the retry loop.
  let [lo, hi] = widen(raw);
  const decimals = decimalsFor(lo, hi, rows);
  const fmtLen = (a: number, b: number) => Math.max(2, textWidth(formatNumber(a, decimals)), textWidth(formatNumber(b, decimals)));
  let labelW = fmtLen(lo, hi);
  let ends: number[] = [];
  let sampled: number[][] = [];
  for (let attempt = 0; attempt < 4; attempt++) {
    const points = width - (labelW + 1);
    if (points < 2) return noData('(too narrow)');
    ends = bucketEnds(n, points);
    sampled = series.map((s) => ends.map((i) => (i < s.values.length && Number.isFinite(s.values[i]) ? s.values[i] : NaN)));
    const r = finiteRange(sampled);
    if (!r) return noData('no data');
    [lo, hi] = widen(r);
    const need = fmtLen(lo, hi);
    if (need <= labelW) break;
    labelW = need;
  }
  const P = labelW + 1; // label + one space; the axis sits at column P, point i at column P + i
  const format = (x: number) => formatNumber(x, decimals).padStart(labelW);
  const cfg = { min: lo, max: hi, height: rows - 1, offset: 3, format };

  // Axis and labels: plot a single point and reset the axis column (its first-point marker).
  const grid: Cell[][] = asciichart
    .plot([[lo]], cfg)
    .split('\n')
    .map((line) => {
      const cells = parseLine(line).slice(0, P + 1);
      if (cells[P]) cells[P] = { ch: '┤', s: -1 };
      while (cells.length < P + ends.length) cells.push({ ch: ' ', s: -1 });
      return cells;
    });
  const range = hi - lo;
  const ratio = (rows - 1) / range;
  const min2 = Math.round(lo * ratio);
  const lastRow = grid.length - 1;
  const rowOf = (v: number) => lastRow - (Math.round(v * ratio) - min2);

  // asciichart takes NaN-free arrays only: plot each finite run separately on the same scale and
  // overlay it at its x offset, with ╶ / ╴ where a line starts or stops at a gap.
  sampled.forEach((vals, j) => {
    const symbols = strokeSymbols(j, distinct);
    let i = 0;
    while (i < vals.length) {
      if (!Number.isFinite(vals[i])) {
        i++;
        continue;
      }
      const start = i;
      while (i < vals.length && Number.isFinite(vals[i])) i++;
      const seg = vals.slice(start, i);
      const local = asciichart.plot([seg], { ...cfg, colors: [String.fromCharCode(MARK + j)], symbols }).split('\n');
      local.forEach((line, r) => {
        if (r > lastRow) return;
        parseLine(line).forEach((c, col) => {
          if (c.s < 0 || col < P) return;
          const g = col + start;
          if (g >= grid[r].length) return;
          grid[r][g] = { ch: col === P && start > 0 ? symbols[2] : c.ch, s: j };
        });
      });
      if (i < vals.length) {
        const r = rowOf(seg[seg.length - 1]);
        const g = P + i;
        if (r >= 0 && r <= lastRow && g < grid[r].length) grid[r][g] = { ch: symbols[3], s: j };
      }
    }
  });

  const plot = grid.slice(0, rows).map((cells) => toRuns(cells, colors, width));
  while (plot.length < rows) plot.push([]);
  const xAxis = wantAxis && xLabels ? xAxisLine(ends.map((i) => xLabels[i] ?? ''), ends.map((_, k) => P + k), width) : null;
  return { header, plot, xAxis: wantAxis ? (xAxis ?? '') : null };
}

function Line({ runs }: { runs: Run[] }) {
  return (
    <Text wrap="truncate">
      {runs.map((r, i) =>
        r.color ? (
          <Text key={i} color={r.color}>
            {r.text}
          </Text>
        ) : (
          r.text
        ),
      )}
    </Text>
  );
}

/** A line chart drawn with asciichart: legend line, y-axis with fixed-width labels, date labels below. */
export function LineChart(props: LineChartProps) {
  const theme = useTheme();
  const { series, width, height, xLabels, title } = props;
  const lines = useMemo(() => chartLines({ series, width, height, xLabels, title }, theme), [series, width, height, xLabels, title, theme]);
  const w = Math.max(1, Math.floor(width));
  return (
    <Box flexDirection="column" width={w} height={Math.max(1, Math.floor(height))} overflow="hidden">
      {lines.header ? <Line runs={lines.header} /> : null}
      {lines.plot.map((runs, i) => (
        <Line key={i} runs={runs} />
      ))}
      {lines.xAxis !== null ? (
        <Text color={theme.color ? theme.muted : undefined} wrap="truncate">
          {lines.xAxis}
        </Text>
      ) : null}
    </Box>
  );
}
