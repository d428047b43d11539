/**
 * End to end: the real binary in tmux, driven with send-keys, read with capture-pane — what a person would see.
 * Skipped (and said so) where tmux is not installed; .ci/run installs it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tmpDir } from './helpers/tmp.ts';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const session = `at-e2e-${process.pid}`;
const home = tmpDir('at-e2e-home-');

function tmux(...args: string[]): string {
  return execFileSync('tmux', args, { encoding: 'utf8' });
}
const screen = () => tmux('capture-pane', '-p', '-t', session);
async function waitFor(pred: (s: string) => boolean, what: string, ms = 30_000): Promise<string> {
  const t0 = Date.now();
  let s = '';
  while (Date.now() - t0 < ms) {
    s = screen();
    if (pred(s)) return s;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${what}; screen was:\n${s}`);
}
const keys = (...k: string[]) => tmux('send-keys', '-t', session, ...k);

describe.skipIf(!hasTmux)('console in tmux (real binary)', () => {
  afterAll(() => {
    spawnSync('tmux', ['kill-session', '-t', session]);
  });

  it('opens on the demo workspace, opens a chart, shows help and the palette, and quits cleanly', async () => {
    tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', '-e', `HOME=${home}`, '-e', `XDG_DATA_HOME=${path.join(home, 'data')}`, '-e', 'ALPHATRADE_HOME=', 'bash', '--norc', '--noprofile');
    keys(`export PS1='E2E-PROMPT$ '; unset ALPHATRADE_HOME; clear`, 'Enter');
    await waitFor((s) => s.includes('E2E-PROMPT$'), 'the shell prompt');
    keys(`node ${path.join(ROOT, 'bin/alphatrade')}`, 'Enter');
    // The Data pane lists the demo symbols.
    let s = await waitFor((x) => x.includes('NVDA') && x.includes('ORCL') && x.includes('1 Data'), 'the Data pane with demo symbols');
    expect(s).toMatch(/symbol\s+tf\s+bars/);
    expect(s).toContain('alphatrade-demo');
    // Enter opens the first symbol: a chart with a y axis and the import report.
    keys('Enter');
    s = await waitFor((x) => x.includes('import report'), 'the symbol detail');
    expect(s).toMatch(/range \w+/);
    expect(s).toMatch(/[┤┼]/); // asciichart's y axis
    // Help overlay.
    keys('Escape');
    await waitFor((x) => x.includes('last close'), 'the list again');
    keys('?');
    s = await waitFor((x) => x.includes('Keys — Data pane'), 'the help overlay');
    expect(s).toContain('command palette');
    keys('Escape');
    await waitFor((x) => !x.includes('Keys — Data pane'), 'help closed');
    // Palette with completion.
    keys(':');
    keys('-l', 'data im');
    s = await waitFor((x) => /:data im█\s+import/.test(x) || x.includes(':data im█'), 'the palette');
    expect(s).toMatch(/import/);
    keys('Escape');
    // A backtest from the palette runs in a worker and opens the Backtest pane with its equity chart and trades.
    keys(':');
    keys('-l', 'backtest --strategy sma_cross --symbol ORCL --param fast=20 --param slow=50');
    keys('Enter');
    s = await waitFor((x) => x.includes('final equity') && x.includes('sma_cross fast=20 slow=50'), 'the Backtest pane');
    expect(s).toMatch(/[┤┼]/);
    expect(s).toMatch(/long\s+[\d,]+\s+\d{4}-\d\d-\d\d/);
    // `r` reruns it on the warm job thread.
    keys('r');
    await waitFor((x) => x.includes('sma_cross fast=20 slow=50') && /previous fast=20 slow=50/.test(x), 'the rerun with the previous curve');
    // A sweep shows its heatmap; Enter backtests the cell under the cursor.
    keys(':');
    keys('-l', 'sweep --strategy sma_cross --symbol ORCL --grid fast=10,20 --grid slow=50,100');
    keys('Enter');
    s = await waitFor((x) => x.includes('sweep sma_cross · 4 combinations') && x.includes('★'), 'the sweep heatmap');
    keys('Enter');
    await waitFor((x) => x.includes('final equity') && /sma_cross fast=(10|20) slow=(50|100)/.test(x), 'the cell’s backtest');
    // Quit: the shell prompt is back and the alternate screen is gone.
    keys('q');
    s = await waitFor((x) => x.trimEnd().endsWith('E2E-PROMPT$'), 'the prompt after quitting');
    expect(s).not.toContain('1 Data');
  });

  it('redraws on resize, and SIGTERM (as when a session is killed) restores the terminal', async () => {
    keys('clear', 'Enter');
    keys(`node ${path.join(ROOT, 'bin/alphatrade')}`, 'Enter');
    await waitFor((x) => x.includes('last close'), 'the Data pane');
    tmux('resize-window', '-t', session, '-x', '80', '-y', '24');
    let s = await waitFor((x) => x.includes('last close') && x.split('\n').every((l) => l.length <= 80), 'a redraw at 80 columns');
    expect(s).toContain('1 Data');
    tmux('resize-window', '-t', session, '-x', '160', '-y', '45');
    s = await waitFor((x) => x.includes('last close') && x.split('\n').length >= 44, 'a redraw at 160×45');
    const panePid = tmux('list-panes', '-t', session, '-F', '#{pane_pid}').trim();
    const node = execFileSync('pgrep', ['-P', panePid, 'node'], { encoding: 'utf8' }).trim().split('\n')[0];
    process.kill(Number(node), 'SIGTERM');
    s = await waitFor((x) => x.trimEnd().endsWith('E2E-PROMPT$'), 'the prompt after SIGTERM');
    expect(s).not.toContain('1 Data');
  });

  it('a headless paper session in the background; the console attaches to its journal and shows the live blotter', async () => {
    const { demoWorkspaceDir } = await import('../commands/cli.ts');
    const demo = demoWorkspaceDir({ HOME: home, XDG_DATA_HOME: path.join(home, 'data') });
    const bin = `node ${path.join(ROOT, 'bin/alphatrade')} --workspace ${demo}`;
    tmux('resize-window', '-t', session, '-x', '140', '-y', '40');
    keys('clear', 'Enter');
    // ~10 ms a daily bar: the replay runs for about a minute
    // in the background of the same shell, its stdin must not be the terminal: Node restores the terminal modes it saw
    // at start when it exits, which would take the console out of raw mode (in another tmux window this cannot happen)
    keys(`${bin} paper --strategy sma_cross --symbols ORCL --param fast=3 --param slow=8 --speed 8640000x --headless < /dev/null > /dev/null 2>&1 &`, 'Enter');
    keys(`${bin}`, 'Enter');
    await waitFor((x) => x.includes('1 Data'), 'the console');
    keys('5');
    let s = await waitFor((x) => /session p\S+ · sma_cross on ORCL · running/.test(x), 'the running session in the Blotter pane');
    expect(s).toMatch(/│ paper │/); // the status bar's mode
    const fills = (x: string) => Number(/(\d+) fills/.exec(x)?.[1] ?? 0);
    const first = fills(s);
    s = await waitFor((x) => fills(x) > first + 2, 'fills arriving');
    expect(s).toMatch(/fills \(latest first\)/);
    // stop it from the console: the palette's paper stop reaches the other process through the journal
    keys(':');
    keys('-l', 'paper stop');
    keys('Enter');
    s = await waitFor((x) => /sma_cross on ORCL · stopped/.test(x), 'the session stopped');
    keys('q');
    await waitFor((x) => x.trimEnd().endsWith('E2E-PROMPT$'), 'the prompt');
    // paper without --headless opens the console on the Blotter pane with the session running inside it
    keys('clear', 'Enter');
    keys(`${bin} paper resume --speed max`, 'Enter');
    s = await waitFor((x) => /sma_cross on ORCL · finished/.test(x), 'the resumed session finished in the console');
    expect(s).toContain('5 Blotter');
    keys('q');
    await waitFor((x) => x.trimEnd().endsWith('E2E-PROMPT$'), 'the prompt again');
  }, 120_000);
});
