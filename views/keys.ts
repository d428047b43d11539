/** Every key the console knows, per pane, as data: the help overlay lists exactly these. */
export interface KeyHelp {
  keys: string;
  does: string;
}

export const GLOBAL_KEYS: KeyHelp[] = [
  { keys: ':', does: 'command palette (Tab completes, ↑/↓ history, Enter runs, Esc closes)' },
  { keys: '?', does: 'this help' },
  { keys: '1-6', does: 'switch pane: Data, Backtest, Train, Risk, Blotter, Log' },
  { keys: 'x', does: 'cancel the latest running job' },
  { keys: 'q / Ctrl-C', does: 'quit (asks only when live orders are open)' },
];

export const PANE_KEYS: Record<string, KeyHelp[]> = {
  data: [
    { keys: 'j/k ↑/↓', does: 'move' },
    { keys: 'g/G', does: 'first / last' },
    { keys: 'PgUp/PgDn', does: 'page up / down' },
    { keys: '/', does: 'filter symbols (Enter keeps, Esc clears)' },
    { keys: 'Enter', does: 'open the symbol: chart, recent bars, import report' },
    { keys: 'Esc', does: 'back to the list' },
    { keys: '[ / ]', does: 'chart range shorter / longer (1d … all)' },
    { keys: 't / T', does: 'next / previous timeframe (resampled on the fly)' },
    { keys: 'i', does: 'overlay indicators on the chart (SMA, EMA, Bollinger, …): opens the picker' },
    { keys: 'j/k (picker)', does: 'move in the overlay picker' },
    { keys: 'space/Enter', does: 'overlay on / off (kept across symbols, ranges and timeframes)' },
    { keys: 'Esc (picker)', does: 'close the overlay picker' },
    { keys: 'r', does: 'reload the symbol list' },
  ],
  backtest: [
    { keys: 'j/k ↑/↓', does: 'move in the trade list' },
    { keys: 'g/G', does: 'first / last trade' },
    { keys: 'PgUp/PgDn', does: 'page up / down' },
    { keys: '←/→ h/l', does: 'select a strategy parameter' },
    { keys: '+ / -', does: 'step it within its declared range (a yes/no flips)' },
    { keys: 'r', does: 'rerun with the edited parameters (the previous run stays on the chart to compare)' },
    { keys: 'v', does: 'switch between the run and the latest sweep’s heatmap' },
    { keys: 'arrows (sweep)', does: 'move over the heatmap (columns: first --grid, rows: second)' },
    { keys: 'Enter (sweep)', does: 'backtest the combination under the cursor' },
  ],
  train: [
    { keys: ':train --symbol SYM --model gbdt [--cv purged]', does: 'fit, score and register a model; this pane shows its loss curves as it trains, then its scores and feature importance' },
    { keys: ':train … --optimize --trials 30', does: 'search hyperparameters (TPE): trials and the best so far appear here as they finish' },
    { keys: ':train … --compare-models', does: 'every model family on the same split (the pane shows the best)' },
    { keys: 'x', does: 'cancel the training (a search keeps its finished trials and resumes when rerun)' },
    { keys: ':models import FILE.onnx --features names.json', does: 'register a model trained elsewhere' },
  ],
  risk: [
    { keys: ':risk kill / :risk resume', does: 'kill switch on / off (paper and live trading place only reducing orders)' },
    { keys: ':backtest … --risk FILE', does: 'run with limits and breakers: this pane shows their use, trips and rejections' },
  ],
  blotter: [
    { keys: 'j/k ↑/↓', does: 'move through the working orders' },
    { keys: 'c', does: 'cancel the selected order' },
    { keys: 'C', does: 'cancel every working order' },
    { keys: 'F', does: 'flatten: cancel all and close every position' },
    { keys: 'K', does: 'kill switch: halt new exposure and cancel all (:risk resume to clear)' },
    { keys: ':buy SYM QTY [limit PRICE]', does: 'place an order in the running session (:sell likewise; --algo twap|vwap|iceberg|auto)' },
    { keys: ':paper --strategy S --symbols A --speed 600x', does: 'start a session here (or alphatrade paper … --headless in another tmux window)' },
  ],
  log: [
    { keys: 'j/k', does: 'scroll' },
    { keys: 'g/G', does: 'oldest / newest' },
  ],
};
