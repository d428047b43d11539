/**
 * Scores worked out by hand, and `train` end to end: a time-ordered split with purging, a model stored as ONNX that
 * alpha_ml then trades through onnxruntime.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { auc, classification, logLoss } from '../models/evaluate.ts';
import { cli } from './helpers/cli.ts';
import { ROOT, tmpDir } from './helpers/tmp.ts';

describe('scores', () => {
  it('AUC by ranks with ties as one half; log-loss; accuracy, precision and recall at 0.5', () => {
    // positives 0.35 and 0.8 against negatives 0.1 and 0.4: 3 of the 4 pairs ordered right
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
    expect(auc([0.5, 0.5], [0, 1])).toBe(0.5);
    expect(auc([0.2, 0.3], [1, 1])).toBeNaN();
    expect(logLoss([0.8, 0.3], [1, 0])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 15);
    // predictions ≥ 0.5: rows 0, 2 and 3; labels 1, 0, 1, 1: tp 2 (rows 0, 3), fp 1 (row 2), fn 1 (row 1), tn 0
    expect(classification([0.9, 0.2, 0.6, 0.5], [1, 1, 0, 1])).toEqual({ accuracy: 0.5, precision: 2 / 3, recall: 2 / 3 });
  });
});

describe('train', () => {
  it('splits by time, purges training rows whose label reaches the test period, stores an ONNX model alpha_ml trades', async () => {
    const ws = tmpDir('at-train-');
    const ORCL = path.join(ROOT, 'demo/data/orcl-1995-2014.txt');
    const out = await cli(['--workspace', ws, 'train', '--model', 'logreg', '--data', ORCL, '--tz', 'America/New_York', '--only', 'rsi_14,roc_12,atr_14,bb_width_20_2', '--label', 'direction:5', '--train-frac', '0.7', '--json']);
    expect(out.code, out.stderr).toBe(0);
    const j = out.json();
    expect(j.model_id).toBe(1);
    expect(j.features).toBe(4);
    // training ends before testing starts, and 5-bar labels of the last training days would reach into the test: purged
    expect(Date.parse(j.train_range.to)).toBeLessThan(Date.parse(j.test_range.from));
    expect(j.rows.purged).toBeGreaterThanOrEqual(1);
    expect(j.rows.purged).toBeLessThanOrEqual(5);
    expect(j.rows.test / (j.rows.train + j.rows.test + j.rows.purged)).toBeCloseTo(0.3, 1);
    expect(j.scores.auc).toBeGreaterThan(0.3);
    expect(j.scores.auc).toBeLessThan(0.7);
    const shown = (await cli(['--workspace', ws, 'models', 'show', '1', '--json'])).json();
    expect(shown).toMatchObject({ kind: 'logreg', task: 'binary', features: ['rsi_14', 'roc_12', 'atr_14', 'bb_width_20_2'] });
    const args = ['--workspace', ws, 'backtest', '--strategy', 'alpha_ml', '--param', 'models=1', '--param', 'threshold=0.52', '--data', ORCL, '--tz', 'America/New_York', '--no-save', '--json'];
    const ev = (await cli(args)).json();
    const vec = (await cli([...args, '--mode', 'vectorized'])).json();
    expect(ev.trades.length).toBeGreaterThan(5);
    expect(vec.trades).toEqual(ev.trades);
    // cross-validation on the training period: one AUC per fold, their mean reported
    for (const kind of ['purged', 'walkforward']) {
      const cvj = (await cli(['train', '--model', 'logreg', '--data', ORCL, '--tz', 'America/New_York', '--only', 'rsi_14,roc_12', '--cv', kind, '--folds', '4', '--no-save', '--json'])).json();
      expect(cvj.cv.kind).toBe(kind);
      expect(cvj.cv.folds).toBe(4);
      expect(cvj.cv.auc_mean).toBeCloseTo(cvj.cv.auc.reduce((p: number, q: number) => p + q, 0) / 4, 12);
      for (const x of cvj.cv.auc) expect(x > 0.3 && x < 0.7).toBe(true);
    }
    const bad = await cli(['--workspace', ws, 'train', '--data', ORCL, '--tz', 'America/New_York', '--model', 'xgb']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown model/);
  });

  it('gbdt: stored as a tree ensemble that alpha_ml trades through onnxruntime; importance by splits, gain and permutation', async () => {
    const ws = tmpDir('at-train-gbdt-');
    const ORCL = path.join(ROOT, 'demo/data/orcl-1995-2014.txt');
    const feats = 'rsi_14,roc_12,atr_14,bb_width_20_2,macd_hist_12_26_9,adx_14';
    const j = (await cli(['--workspace', ws, 'train', '--model', 'gbdt', '--data', ORCL, '--tz', 'America/New_York', '--only', feats, '--rounds', '40', '--num-leaves', '7', '--json'])).json();
    expect(j.model).toBe('gbdt');
    expect(j.params).toMatchObject({ rounds: 40, numLeaves: 7, trees: 40 });
    expect(j.curve.train).toHaveLength(40);
    // boosting lowers the training loss round after round
    expect(j.curve.train[39]).toBeLessThan(j.curve.train[0]);
    const imp = j.importance as { feature: string; split: number; gain: number; permutation: number | null }[];
    expect(imp.map((x) => x.feature).sort()).toEqual(feats.split(',').sort());
    // splits: at most 6 per tree (7 leaves) over 40 trees; gain sorted descending
    expect(imp.reduce((p, x) => p + x.split, 0)).toBeLessThanOrEqual(40 * 6);
    for (let i = 1; i < imp.length; i++) expect(imp[i].gain).toBeLessThanOrEqual(imp[i - 1].gain);
    expect(imp.filter((x) => x.permutation !== null).length).toBeGreaterThan(0);
    const shown = (await cli(['--workspace', ws, 'models', 'show', String(j.model_id), '--json'])).json();
    expect(shown).toMatchObject({ kind: 'gbdt', features: feats.split(',') });
    const bt = (await cli(['--workspace', ws, 'backtest', '--strategy', 'alpha_ml', '--param', `models=${j.model_id}`, '--data', ORCL, '--tz', 'America/New_York', '--no-save', '--json'])).json();
    expect(bt.trades.length).toBeGreaterThan(5);
    // the signal backtest covers the test period: buy and hold from its first close to the file's last close
    const fs = await import('node:fs');
    const lines = fs.readFileSync(ORCL, 'utf8').trim().split('\n');
    const head = lines[0].split(',');
    const rows = lines.slice(1).map((l) => l.split(','));
    const ci = head.findIndex((h) => /^close$/i.test(h));
    const first = rows.find((r) => r[0] >= j.test_range.from.slice(0, 10))!;
    expect(j.signal.buy_hold_return).toBeCloseTo(Number(rows.at(-1)![ci]) / Number(first[ci]) - 1, 10);
    expect(j.signal.trades).toBeGreaterThan(0);
    expect(j.signal.exposure).toBeGreaterThan(0);
    expect(j.signal.exposure).toBeLessThanOrEqual(1);
  });

  it('--compare-models trains every family on the same split', async () => {
    const ORCL = path.join(ROOT, 'demo/data/orcl-1995-2014.txt');
    const j = (await cli(['train', '--compare-models', '--data', ORCL, '--tz', 'America/New_York', '--only', 'rsi_14,roc_12,atr_14', '--rounds', '20', '--no-save', '--json'])).json();
    expect(j.compare.map((o: { model: string }) => o.model)).toEqual(['logreg', 'gbdt', 'gbdt_depthwise', 'gbdt_oblivious', 'random_forest', 'extra_trees']);
    for (const o of j.compare) expect(o.test_range).toEqual(j.compare[0].test_range);
    const best = j.compare.reduce((p: { auc: number }, q: { auc: number }) => (q.auc > p.auc ? q : p));
    expect(j.best).toBe(best.model);
  });
});

describe('train --matrix', () => {
  it('trains on a given feature matrix with a time-ordered split and reports train_seconds, auc and accuracy', async () => {
    const dir = tmpDir('at-matrix-');
    const fs = await import('node:fs');
    const { Rng } = await import('../src/rng.ts');
    const rng = new Rng(4);
    const lines = ['date,signal,noise,label'];
    for (let i = 0; i < 2000; i++) {
      const x = rng.normal();
      // the label follows the signal's sign, flipped 5% of the time: the best AUC is about 0.95
      const y = (x > 0) !== rng.next() < 0.05 ? 1 : 0;
      lines.push(`2020-01-01T00:${String(i % 60).padStart(2, '0')},${x.toFixed(5)},${i % 7 === 0 ? '' : rng.normal().toFixed(5)},${y}`);
    }
    const file = path.join(dir, 'm.csv');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const j = (await cli(['train', '--matrix', file, '--label-column', 'label', '--train-frac', '0.75', '--model', 'gbdt', '--rounds', '30', '--no-save', '--json'])).json();
    expect(j.features).toBe(2);
    expect(j.dropped).toEqual(['date']); // text column: not a feature
    expect(j.rows.train + j.rows.test).toBe(2000);
    expect(j.rows.test).toBe(500);
    expect(j.test_range.from).toBe('row 1501');
    expect(j.auc).toBeGreaterThan(0.85);
    expect(j.accuracy).toBeGreaterThan(0.85);
    expect(typeof j.train_seconds).toBe('number');
    expect(j.importance[0].feature).toBe('signal');
    // a label that is not 0/1: the error names the file, line and field
    fs.writeFileSync(file, ['a,label', '1,0', '2,1', '3,7'].join('\n'));
    const bad = await cli(['train', '--matrix', file, '--no-save']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/m\.csv: line 4, field 'label'/);
  });
});

describe('train --optimize', () => {
  it('a TPE study stored in the catalog: rerunning resumes it, a trial left running is marked failed', async () => {
    const ws = tmpDir('at-study-');
    const ORCL = path.join(ROOT, 'demo/data/orcl-1995-2014.txt');
    const base = ['--workspace', ws, 'train', '--model', 'gbdt', '--data', ORCL, '--tz', 'America/New_York', '--only', 'rsi_14,roc_12,atr_14', '--optimize', '--study', 's1', '--threads', '2', '--no-save', '--json'];
    const a = (await cli([...base, '--trials', '6'])).json();
    expect(a.search).toMatchObject({ study: 's1', trials: 6, resumed: 0 });
    expect(a.search.completed + a.search.pruned).toBe(6);
    // the final model uses the best trial's parameters and its best round
    expect(a.params.numLeaves).toBe(a.search.best_params.num_leaves);
    expect(a.params.rounds).toBe(a.search.best_round);
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path.join(ws, 'catalog.sqlite'));
    // simulate an interrupted run: a trial still 'running'
    db.prepare("INSERT INTO trials (study_id, number, state, params, started_at) VALUES (1, 99, 'running', '{}', 'x')").run();
    db.close();
    const b = (await cli([...base, '--trials', '9'])).json();
    expect(b.search.resumed).toBe(6);
    expect(b.search.completed + b.search.pruned).toBe(9);
    const db2 = new Database(path.join(ws, 'catalog.sqlite'));
    expect(db2.prepare('SELECT state FROM trials WHERE number = 99').get()).toEqual({ state: 'failed' });
    expect((db2.prepare("SELECT COUNT(*) n FROM trials WHERE state IN ('complete', 'pruned')").get() as { n: number }).n).toBe(9);
    db2.close();
    // another search space under the same name is refused
    const c = await cli([...base, '--trials', '9', '--space', 'num_leaves=int:4:8']);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/exists with another/);
  });
});
