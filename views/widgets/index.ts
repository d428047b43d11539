export { makeTheme, ThemeContext, useTheme, tint, type Theme, type BasicColor } from './theme.ts';
export { Table, layoutColumns, tableLayout, scrollWindow, formatRow, naturalWidths, columnAlign, cellText, type Column, type Row, type TableProps, type TableLayout, type Align } from './Table.tsx';
export { LineChart, downsample, bucketEnds, chartLines, type ChartSeries, type LineChartProps, type ChartLines, type Run } from './LineChart.tsx';
export { Sparkline, sparkline } from './Sparkline.tsx';
export { ProgressBar, progressText, type ProgressBarProps } from './ProgressBar.tsx';
export { KeyValue, type KeyValueItem, type KeyValueProps, type Tone } from './KeyValue.tsx';
export { truncate, fit, clip, textWidth, ELLIPSIS } from './text.ts';
export { Heatmap, heatLevel, type HeatmapProps } from './Heatmap.tsx';
