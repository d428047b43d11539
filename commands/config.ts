import { z } from 'zod';
import { checkKey, Config, envName, SETTINGS, type SettingValue } from '../src/config.ts';
import { table } from './format.ts';
import { defineCommand, type CommandContext } from './registry.ts';

function configOf(ctx: CommandContext): Config {
  return ctx.workspace().config;
}

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export const configList = defineCommand({
  name: 'config list',
  summary: 'list settings with their values and where each comes from',
  args: () => z.object({}),
  async run(ctx) {
    return { file: configOf(ctx).path, settings: configOf(ctx).list() };
  },
  render: (r: { file: string; settings: SettingValue[] }) =>
    `${table(['key', 'value', 'source', 'env', 'meaning'], r.settings.map((s) => [s.key, show(s.value), s.source, envName(s.key), s.doc]), ['l', 'l', 'l', 'l', 'l'])}\n\nfile: ${r.file}`,
});

export const configGet = defineCommand({
  name: 'config get',
  summary: 'print one setting',
  args: () => z.object({ key: z.string().describe(`one of: ${Object.keys(SETTINGS).join(', ')}`) }),
  positional: ['key'],
  async run(ctx, a) {
    return configOf(ctx).resolve(checkKey(a.key));
  },
  render: (r: SettingValue) => show(r.value),
});

export const configSet = defineCommand({
  name: 'config set',
  summary: 'change a setting (validated; recorded in the catalog history)',
  args: () => z.object({ key: z.string().describe('setting key'), value: z.string().describe('new value') }),
  positional: ['key', 'value'],
  async run(ctx, a) {
    const key = checkKey(a.key);
    const ws = ctx.workspace();
    const { old, value } = ws.config.set(key, a.value);
    ws.db.prepare('INSERT INTO settings_history (key, old_value, new_value, changed_at) VALUES (?, ?, ?, ?)').run(key, old === undefined ? null : JSON.stringify(old), JSON.stringify(value), new Date().toISOString());
    const effective = ws.config.resolve(key);
    return { key, old: old ?? null, value, effective: effective.value, overriddenByEnv: effective.source === 'env' ? envName(key) : null };
  },
  render: (r) => `${r.key} = ${show(r.value)}${r.old !== null ? ` (was ${show(r.old)})` : ''}${r.overriddenByEnv ? `\nnote: $${r.overriddenByEnv} is set and overrides it (effective: ${show(r.effective)})` : ''}`,
});

export const CONFIG_COMMANDS = [configList, configGet, configSet];
