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
    const out = await cli(['--workspace', ws, 'train', '--data', ORCL, '--tz', 'America/New_York', '--only', 'rsi_14,roc_12,atr_14,bb_width_20_2', '--label', 'direction:5', '--train-frac', '0.7', '--json']);
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
      const cvj = (await cli(['train', '--data', ORCL, '--tz', 'America/New_York', '--only', 'rsi_14,roc_12', '--cv', kind, '--folds', '4', '--no-save', '--json'])).json();
      expect(cvj.cv.kind).toBe(kind);
      expect(cvj.cv.folds).toBe(4);
      expect(cvj.cv.auc_mean).toBeCloseTo(cvj.cv.auc.reduce((p: number, q: number) => p + q, 0) / 4, 12);
      for (const x of cvj.cv.auc) expect(x > 0.3 && x < 0.7).toBe(true);
    }
    const bad = await cli(['--workspace', ws, 'train', '--data', ORCL, '--tz', 'America/New_York', '--model', 'gbdt']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not built yet/);
  });
});
