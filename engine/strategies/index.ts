/**
 * The built-in strategies (the seed's 6 momentum + 4 statistical), which are also the examples for users' own.
 */
import { nearest, UsageError } from '../../src/errors.ts';
import type { Strategy } from '../strategy.ts';
import { smaCross } from './sma_cross.ts';

export const BUILTIN_STRATEGIES: readonly Strategy[] = [smaCross];

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
