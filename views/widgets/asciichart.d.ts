declare module 'asciichart' {
  interface PlotConfig {
    min?: number;
    max?: number;
    offset?: number;
    padding?: string;
    height?: number;
    /** Prefix strings wrapped around each cell of series i (asciichart appends its `reset`). */
    colors?: string[];
    symbols?: string[];
    format?: (x: number, i: number) => string;
  }
  const asciichart: {
    plot(series: number[] | number[][], cfg?: PlotConfig): string;
    colored(char: string, color?: string): string;
    reset: string;
  };
  export = asciichart;
}
