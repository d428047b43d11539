/**
 * `risk var`, `risk check`, `risk kill|resume` and `backtest --risk`: the numbers against formulas worked out here
 * (numpy's percentile with linear interpolation, the normal quantile), errors naming the file and the field.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.ts';
import { ROOT, tmpDir } from './helpers/tmp.ts';

const PRICES = path.resolve(ROOT, '../shared/data/pypfopt/stock_prices.csv');
const ORCL = path.join(ROOT, 'demo/data/orcl-1995-2014.txt');

/** numpy.percentile(x, q), method 'linear' */
function percentile(x: number[], q: number): number {
  const s = [...x].sort((a, b) => a - b);
  const h = (s.length - 1) * (q / 100);
  const lo = Math.floor(h);
  return s[lo] + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]) - s[lo]);
}

function wideColumns(): { header: string[]; rows: string[][] } {
  const lines = fs.readFileSync(PRICES, 'utf8').trim().split(/\r?\n/);
  return { header: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

describe('risk var', () => {
  it('historical VaR/CVaR of a 60/40 portfolio equal numpy’s percentile rule on the complete rows', async () => {
    const { header, rows } = wideColumns();
    const a = header.indexOf('AAPL');
    const b = header.indexOf('XOM');
    const r: number[] = [];
    for (let i = 1; i < rows.length; i++) {
      const [pa, pb, qa, qb] = [rows[i - 1][a], rows[i - 1][b], rows[i][a], rows[i][b]].map(Number);
      if ([rows[i - 1][a], rows[i - 1][b], rows[i][a], rows[i][b]].some((x) => x === '')) continue;
      r.push(0.6 * (qa / pa - 1) + 0.4 * (qb / pb - 1));
    }
    const q = percentile(r, 5);
    const tail = r.filter((x) => x <= q);
    const out = await cli(['risk', 'var', '--portfolio', PRICES, '--weights', 'AAPL=0.6,XOM=0.4', '--json']);
    expect(out.code, out.stderr).toBe(0);
    const j = out.json();
    expect(j.observations).toBe(r.length);
    expect(j.var).toBeCloseTo(-q, 12);
    expect(j.cvar).toBeCloseTo(-tail.reduce((x, y) => x + y, 0) / tail.length, 12);
    expect(j.weights).toEqual({ AAPL: 0.6, XOM: 0.4 });
  });

  it('parametric VaR of a return file: −(μ + σ·Φ⁻¹(0.01)) with Φ⁻¹(0.01) = −2.326348 (normal table), √h over 10 periods', async () => {
    const dir = tmpDir('at-var-');
    const file = path.join(dir, 'r.csv');
    const r = Array.from({ length: 500 }, (_, i) => 0.001 + 0.02 * Math.sin(i * 1.7));
    fs.writeFileSync(file, `date,ret\n${r.map((x, i) => `${new Date(Date.UTC(2020, 0, 1) + i * 864e5).toISOString().slice(0, 10)},${x}`).join('\n')}\n`);
    const mu = r.reduce((x, y) => x + y, 0) / r.length;
    const sd = Math.sqrt(r.reduce((x, y) => x + (y - mu) ** 2, 0) / (r.length - 1));
    const j = (await cli(['risk', 'var', '--returns', file, '--method', 'parametric', '--level', '0.99', '--json'])).json();
    expect(j.var).toBeCloseTo(-(mu - 2.326348 * sd), 6);
    const h = (await cli(['risk', 'var', '--returns', file, '--method', 'parametric', '--level', '0.99', '--horizon', '10', '--json'])).json();
    expect(h.var).toBeCloseTo(-(10 * mu - 2.326348 * sd * Math.sqrt(10)), 5);
    const mc = (await cli(['risk', 'var', '--returns', file, '--method', 'montecarlo', '--seed', '7', '--json'])).json();
    const mc2 = (await cli(['risk', 'var', '--returns', file, '--method', 'montecarlo', '--seed', '7', '--json'])).json();
    expect(mc2.var).toBe(mc.var); // seeded
    expect(mc.var).toBeCloseTo(-(mu - 1.644854 * sd), 2);
  });

  it('bad input: an unknown method, a symbol not in the file, weights not summing to 1', async () => {
    expect((await cli(['risk', 'var', '--portfolio', PRICES, '--method', 'magic'])).stderr).toMatch(/unknown --method magic/);
    expect((await cli(['risk', 'var', '--portfolio', PRICES, '--weights', 'MSFT=1'])).stderr).toMatch(/MSFT is not a column/);
    expect((await cli(['risk', 'var', '--portfolio', PRICES, '--weights', 'AAPL=0.5,XOM=0.4'])).stderr).toMatch(/sum to 0\.9/);
  });
});

describe('limits files, the kill switch, backtest --risk', () => {
  it('a limits file with a typo or a wrong type is an error naming the file and the field', async () => {
    const dir = tmpDir('at-lim-');
    const bad = path.join(dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ limits: { position_pct: 'ten' } }));
    const out = await cli(['risk', 'check', bad]);
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(bad);
    expect(out.stderr).toMatch(/limits\.position_pct/);
    fs.writeFileSync(bad, JSON.stringify({ breakers: { max_dd: 0.2 } }));
    expect((await cli(['risk', 'check', bad])).stderr).toMatch(/unknown setting max_dd/);
  });

  it('backtest --risk reports each rejection with its rule, limit and value, and the limits’ peaks', async () => {
    const dir = tmpDir('at-lim-');
    const file = path.join(dir, 'limits.json');
    fs.writeFileSync(file, JSON.stringify({ limits: { position_pct: 0.5 } }));
    const j = (await cli(['backtest', '--strategy', 'sma_cross', '--data', ORCL, '--tz', 'America/New_York', '--risk', file, '--no-save', '--json'])).json();
    expect(j.trades).toHaveLength(0);
    expect(j.rejections.by_rule.position_pct).toBe(j.rejections.count);
    expect(j.rejections.first[0]).toMatchObject({ reason: 'risk_limit', rule: 'position_pct', limit: 0.5 });
    expect(j.rejections.first[0].value).toBeGreaterThan(0.5);
    expect(j.risk.limits).toEqual([expect.objectContaining({ rule: 'position_pct', limit: 0.5, peak: 0 })]);
  });

  it('risk kill and resume turn the workspace’s kill switch on and off', async () => {
    const ws = tmpDir('at-kill-');
    const on = (await cli(['--workspace', ws, 'risk', 'kill', '--reason', 'fat finger', '--json'])).json();
    expect(on).toMatchObject({ killed: true, reason: 'fat finger' });
    const dir = tmpDir('at-lim-');
    fs.writeFileSync(path.join(dir, 'l.json'), '{}');
    expect((await cli(['--workspace', ws, 'risk', 'check', path.join(dir, 'l.json')])).stdout).toMatch(/kill switch: ON \(fat finger\)/);
    expect((await cli(['--workspace', ws, 'risk', 'resume', '--json'])).json()).toMatchObject({ killed: false });
  });
});

describe('risk in reports', () => {
  it('the HTML report lists each limit with its peak, the breakers, and the rejections with rule, value and limit', async () => {
    const dir = tmpDir('at-lim-');
    const file = path.join(dir, 'limits.json');
    fs.writeFileSync(file, JSON.stringify({ limits: { position_pct: 0.5 }, breakers: { max_drawdown: 0.3 } }));
    const html = path.join(dir, 'r.html');
    const j = (await cli(['backtest', '--strategy', 'sma_cross', '--data', ORCL, '--tz', 'America/New_York', '--sizer', 'percent:45', '--risk', file, '--report', html, '--no-save', '--json'])).json();
    const h = fs.readFileSync(html, 'utf8');
    const peak = j.risk.limits[0].peak;
    expect(h).toContain(`<td>position_pct</td><td class="num">50.0%</td><td class="num">${(peak * 100).toFixed(1)}%</td>`);
    expect(h).toMatch(/<td>max_drawdown<\/td><td class="num">30\.0%<\/td><td>tripped 1× \(first \d{4}-\d\d-\d\d\)<\/td>/);
    expect((h.match(/<td>max_drawdown<\/td><td class="num">\d+\.\d%<\/td><td class="num">30\.0%<\/td>/g) ?? []).length).toBe(Math.min(20, j.rejections.by_rule.max_drawdown));
  });
});
