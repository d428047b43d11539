/**
 * The built-in strategies (the seed's 6 momentum + 4 statistical), which are also the examples for users' own.
 */
import { nearest, UsageError } from '../../src/errors.ts';
import type { Strategy } from '../strategy.ts';
import { breakout } from './breakout.ts';
import { emaCross } from './ema_cross.ts';
import { macd } from './macd.ts';
import { meanReversion } from './mean_reversion.ts';
import { pairs } from './pairs.ts';
import { rsiReversion } from './rsi_reversion.ts';
import { smaCross } from './sma_cross.ts';
import { trendFollowing } from './trend_following.ts';
import { tsMomentum } from './ts_momentum.ts';
import { xsReversal } from './xs_reversal.ts';

export const BUILTIN_STRATEGIES: readonly Strategy[] = [
  // momentum
  smaCross,
  emaCross,
  macd,
  breakout,
  trendFollowing,
  tsMomentum,
  // statistical
  meanReversion,
  rsiReversion,
  pairs,
  xsReversal,
];

export function builtinStrategy(name: string): Strategy | undefined {
  return BUILTIN_STRATEGIES.find((s) => s.name === name);
}

export function requireBuiltin(name: string): Strategy {
  const s = builtinStrategy(name);
  if (!s) {
    const near = nearest(name, BUILTIN_STRATEGIES.map((x) => x.name));
    throw new UsageError(`unknown strategy '${name}'${near ? ` (did you mean ${near}?)` : ''}; see alphatrade strategies list`);
  }
  return s;
}
