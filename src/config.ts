/**
 * Settings: stored per workspace through `conf` (config.json, written atomically), overridable by environment
 * variables (ALPHATRADE_<KEY> with dots as underscores, e.g. ALPHATRADE_DATA_TZ), and validated with zod, so a bad
 * value is refused with the key and the reason, whether it comes from `config set`, the file or the environment.
 */
import Conf from 'conf';
import { z } from 'zod';
import { UsageError, nearest } from './errors.ts';

export const SETTINGS = {
  'data.tz': { schema: z.string().min(1), default: 'UTC', doc: 'time zone naive timestamps are read in (IANA name)' },
  'data.onError': { schema: z.enum(['fail', 'drop', 'fix']), default: 'fail', doc: 'what an import does with rows that have errors' },
  'data.spikeSigma': { schema: z.coerce.number().positive(), default: 10, doc: 'robust sigmas of a return that make a price spike' },
  'data.cacheBars': { schema: z.coerce.number().int().nonnegative(), default: 50_000_000, doc: 'bars kept in the in-memory LRU cache' },
  'log.level': { schema: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']), default: 'info', doc: 'log file verbosity' },
  'ui.color': { schema: z.enum(['auto', 'always', 'never']), default: 'auto', doc: 'colours in the console (NO_COLOR also turns them off)' },
  'ui.fps': { schema: z.coerce.number().int().min(1).max(60), default: 30, doc: 'console redraw rate limit' },
} as const;

export type SettingKey = keyof typeof SETTINGS;
export type Settings = { [K in SettingKey]: z.infer<(typeof SETTINGS)[K]['schema']> };
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

export function envName(key: string): string {
  return `ALPHATRADE_${key.replace(/\./g, '_').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
}

export function checkKey(key: string): SettingKey {
  if ((SETTING_KEYS as string[]).includes(key)) return key as SettingKey;
  const near = nearest(key, SETTING_KEYS);
  throw new UsageError(`unknown setting "${key}"`, near ? `did you mean ${near}?` : `settings: ${SETTING_KEYS.join(', ')}`);
}

export interface SettingValue {
  key: SettingKey;
  value: unknown;
  source: 'default' | 'file' | 'env';
  doc: string;
}

export class Config {
  private store: Conf<Record<string, unknown>>;
  constructor(dir: string, private env: NodeJS.ProcessEnv = process.env) {
    this.store = new Conf({ cwd: dir, configName: 'config', projectName: 'alphatrade' });
  }

  private parse(key: SettingKey, raw: unknown, source: string): unknown {
    const r = SETTINGS[key].schema.safeParse(raw);
    if (!r.success) throw new UsageError(`invalid value for ${key} (from ${source}): ${r.error.issues.map((i) => i.message).join('; ')}`);
    return r.data;
  }

  resolve(key: SettingKey): SettingValue {
    const env = this.env[envName(key)];
    const doc = SETTINGS[key].doc;
    if (env !== undefined && env !== '') return { key, value: this.parse(key, env, `$${envName(key)}`), source: 'env', doc };
    if (this.store.has(key)) return { key, value: this.parse(key, this.store.get(key), 'config.json'), source: 'file', doc };
    return { key, value: SETTINGS[key].default, source: 'default', doc };
  }

  get<K extends SettingKey>(key: K): Settings[K] {
    return this.resolve(key).value as Settings[K];
  }

  /** Validate and store; returns the old and new values. */
  set(key: SettingKey, raw: string): { old: unknown; value: unknown } {
    const value = this.parse(key, raw, 'the command line');
    const old = this.store.has(key) ? this.store.get(key) : undefined;
    this.store.set(key, value);
    return { old, value };
  }

  unset(key: SettingKey): void {
    this.store.delete(key);
  }

  list(): SettingValue[] {
    return SETTING_KEYS.map((k) => this.resolve(k));
  }

  get path(): string {
    return this.store.path;
  }
}
