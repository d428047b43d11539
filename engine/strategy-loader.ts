// TEMPORARY shim until the user-strategy loader lands: built-ins only.
import { requireBuiltin } from './strategies/index.ts';
import type { Strategy } from './strategy.ts';
export async function resolveStrategy(name: string, _opts: { strategiesDir?: string } = {}): Promise<Strategy> {
  return requireBuiltin(name);
}
