/**
 * `backtest --report`: the JSON report's numbers against identities worked out independently, and the HTML report
 * drawn by headless Chromium (where it is installed: `.ci/run` does not install it, so that part is skipped there).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFile } from '../data/loader.ts';
import { cli } from './helpers/cli.ts';
import { ROOT, tmpDir } from './helpers/tmp.ts';

const ORCL = path.join(ROOT, 'demo/data/orcl-1995-2014.txt');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));

async function report(ext: 'json' | 'html', ...more: string[]) {
  const ws = tmpDir('at-rep-');
  const file = path.join(ws, `report.${ext}`);
  const out = await cli(['--workspace', ws, 'backtest', '--strategy', 'sma_cross', '--data', ORCL, '--tz', 'America/New_York', '--commission', 'pct:0.001', '--report', file, '--json', '--equity', ...more]);
  expect(out.stderr).toBe('');
  return { file, run: out.json() };
}

describe('backtest reports', () => {
  it('JSON: equity, drawdown, monthly returns, histogram and benchmark agree with the run', async () => {
    // 2000–2006: fewer than 2,000 bars, so every bar is in the report
    const { file, run } = await report('json', '--from', '2000-01-01', '--to', '2006-12-31');
    const d = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(d.schema).toBe('alphatrade.report/1');
    expect(d.equity.equity).toEqual(run.equity.equity);
    expect(d.equity.time).toEqual(run.equity.time);
    // the deepest point of the underwater curve is the max drawdown metric
    expect(Math.min(...d.drawdown)).toBeCloseTo(run.metrics.max_drawdown, 12);
    // monthly returns compound to the total return
    const g = d.monthly_returns.reduce((a: number, m: { return: number }) => a * (1 + m.return), 1) - 1;
    expect(g).toBeCloseTo(run.metrics.total_return, 9);
    expect(d.monthly_returns).toHaveLength(7 * 12);
    // every period return is counted once
    expect(d.histogram.counts.reduce((a: number, b: number) => a + b, 0)).toBe(run.period.bars - 1);
    expect(d.histogram.edges).toHaveLength(d.histogram.counts.length + 1);
    // buy and hold: the cash in ORCL at the first close, marked at each close
    const bars = loadFile(ORCL, { tz: 'America/New_York' }).series[0].bars;
    const i0 = bars.ts.indexOf(Date.parse(run.period.from));
    const i1 = bars.ts.indexOf(Date.parse(run.period.to));
    expect(d.equity.benchmark.at(-1)).toBeCloseTo((100_000 * bars.close[i1]) / bars.close[i0], 6);
    expect(d.provenance).toEqual([{ symbol: 'ORCL', source: path.relative(ROOT, ORCL), sha256: run.run.data_hash.ORCL, adjusted: false, bars: run.period.bars }]);
    expect(d.trades).toEqual(run.trades);
    expect(d.rolling_sharpe.value.filter((v: number | null) => v !== null).length).toBeGreaterThan(1000);
  });

  it('HTML: one self-contained file with every chart and table', async () => {
    const { file } = await report('html');
    const html = fs.readFileSync(file, 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/|<link /);
    for (const id of ['equity', 'drawdown', 'monthly', 'histogram', 'rolling-sharpe', 'metrics', 'trades', 'provenance']) expect(html).toContain(`id="${id}"`);
    expect((html.match(/<rect class="bar"/g) ?? []).length).toBe(40);
    // one row per year 1995–2014 in the monthly heatmap
    expect((html.match(/<tr><th>(19|20)\d\d<\/th>/g) ?? []).length).toBe(20);
  });

  it.skipIf(!CHROMIUM)('HTML: headless Chromium draws the charts', async () => {
    const { file } = await report('html');
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 800 } });
      await page.goto(`file://${file}`);
      // each line chart's paths have a real size on the page
      const boxes = await page.$$eval('figure svg path.series', (ps) => ps.map((p) => {
        const b = (p as SVGGraphicsElement).getBBox();
        return { name: p.getAttribute('data-name'), w: b.width, h: b.height };
      }));
      expect(boxes.map((b) => b.name)).toEqual(['strategy', 'buy and hold', 'drawdown', 'rolling Sharpe']);
      for (const b of boxes) {
        expect(b.w, b.name!).toBeGreaterThan(500);
        expect(b.h, b.name!).toBeGreaterThan(20);
      }
      const bars = await page.$$eval('#histogram rect.bar', (rs) => rs.filter((r) => (r as SVGGraphicsElement).getBBox().height > 0).length);
      expect(bars).toBeGreaterThan(10);
    } finally {
      await browser.close();
    }
  });
});
