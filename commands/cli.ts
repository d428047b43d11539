/**
 * The headless CLI: argv → command → result rendered as text (or JSON with --json).
 * Exit codes: 0 ok, 1 failure, 2 usage error (unknown command/flag, bad value).
 */
import { z } from 'zod';
import { AlphaError, UsageError, nearest } from '../src/errors.ts';
import type { ProgressEvent, ProgressFn } from '../src/events.ts';
import { VERSION } from '../src/version.ts';
import { defaultWorkspaceDir, Workspace } from '../src/workspace.ts';
import { argInfos, kebab, type ArgInfo, type CommandContext, type CommandDef, type Registry } from './registry.ts';

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  errIsTTY: boolean;
  cwd: string;
}

export const GLOBAL_FLAGS: { flag: string; value?: string; doc: string }[] = [
  { flag: '--workspace', value: 'DIR', doc: 'workspace directory (default $ALPHATRADE_HOME, else ~/.local/share/alphatrade)' },
  { flag: '--json', doc: 'print the result as JSON' },
  { flag: '--debug', doc: 'show stack traces on errors' },
  { flag: '--no-color', doc: 'no colours' },
  { flag: '--demo', doc: 'use the demo workspace (seeded with real prices on first use)' },
  { flag: '--help', doc: 'help for a command (also: alphatrade help COMMAND)' },
  { flag: '--version', doc: 'print the version' },
];

export interface Globals {
  workspace?: string;
  json: boolean;
  debug: boolean;
  help: boolean;
  version: boolean;
  noColor: boolean;
  demo: boolean;
}

/** Pull global flags out of argv (anywhere before a bare `--`). */
export function splitGlobals(argv: string[]): { globals: Globals; rest: string[] } {
  const g: Globals = { json: false, debug: false, help: false, version: false, noColor: false, demo: false };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === '--json') g.json = true;
    else if (a === '--debug') g.debug = true;
    else if (a === '--help' || a === '-h') g.help = true;
    else if (a === '--version' || a === '-V') g.version = true;
    else if (a === '--no-color') g.noColor = true;
    else if (a === '--demo') g.demo = true;
    else if (a === '--workspace' || a === '-w') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError('--workspace needs a directory');
      g.workspace = v;
    } else if (a.startsWith('--workspace=')) g.workspace = a.slice('--workspace='.length);
    else rest.push(a);
  }
  return { globals: g, rest };
}

/** Parse a command's own arguments into a raw object for zod. */
export function parseArgs(cmd: CommandDef<any, any>, tokens: string[]): Record<string, unknown> {
  const infos = argInfos(cmd);
  const byFlag = new Map(infos.map((a) => [a.flag, a]));
  const out: Record<string, unknown> = {};
  const positional = infos.filter((a) => a.positional).sort((a, b) => cmd.positional!.indexOf(a.name) - cmd.positional!.indexOf(b.name));
  let pi = 0;
  const coerce = (a: ArgInfo, v: string): unknown => {
    if (a.kind === 'number') {
      const n = Number(v);
      if (v.trim() === '' || Number.isNaN(n)) throw new UsageError(`${a.flag} expects a number, got "${v}"`);
      return n;
    }
    if (a.kind === 'enum' && a.choices && !a.choices.includes(v)) {
      const near = nearest(v, a.choices);
      throw new UsageError(`${a.flag} must be one of ${a.choices.join('|')}, got "${v}"`, near ? `did you mean ${near}?` : undefined);
    }
    return v;
  };
  const put = (a: ArgInfo, v: unknown) => {
    if (a.kind === 'array') out[a.name] = [...((out[a.name] as unknown[]) ?? []), v];
    else out[a.name] = v;
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === '--') {
      for (const p of tokens.slice(i + 1)) addPositional(p);
      break;
    }
    if (t.startsWith('--')) {
      const eq = t.indexOf('=');
      const flag = eq > 0 ? t.slice(0, eq) : t;
      let a = byFlag.get(flag);
      if (!a && flag.startsWith('--no-')) {
        const b = byFlag.get(`--${flag.slice(5)}`);
        if (b && b.kind === 'boolean') {
          out[b.name] = false;
          continue;
        }
      }
      if (!a) {
        const near = nearest(flag, [...byFlag.keys()]);
        throw new UsageError(`unknown flag ${flag} for "${cmd.name}"`, near ? `did you mean ${near}?` : `see: alphatrade ${cmd.name} --help`);
      }
      if (a.kind === 'boolean') {
        if (eq > 0) {
          const v = t.slice(eq + 1).toLowerCase();
          if (!['true', 'false', '1', '0', 'yes', 'no'].includes(v)) throw new UsageError(`${flag} takes true or false, got "${v}"`);
          out[a.name] = ['true', '1', 'yes'].includes(v);
        } else out[a.name] = true;
        continue;
      }
      const v = eq > 0 ? t.slice(eq + 1) : tokens[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value${a.choices ? ` (${a.choices.join('|')})` : ''}`);
      put(a, coerce(a, v));
      continue;
    }
    if (t.startsWith('-') && t.length > 1 && !/^-\d/.test(t)) {
      const near = nearest(`--${t.replace(/^-+/, '')}`, [...byFlag.keys()]);
      throw new UsageError(`unknown option ${t} for "${cmd.name}"`, near ? `did you mean ${near}?` : `flags are written --name`);
    }
    addPositional(t);
  }
  function addPositional(v: string) {
    const a = positional[pi];
    if (!a) throw new UsageError(`unexpected argument "${v}" for "${cmd.name}"`, `see: alphatrade ${cmd.name} --help`);
    put(a, coerce(a, v));
    if (a.kind !== 'array') pi++;
  }
  return out;
}

export function validateArgs(cmd: CommandDef<any, any>, raw: Record<string, unknown>): unknown {
  const r = cmd.args.safeParse(raw);
  if (r.success) return r.data;
  const infos = new Map(argInfos(cmd).map((a) => [a.name, a]));
  const msgs = r.error.issues.map((iss: z.core.$ZodIssue) => {
    const key = String(iss.path[0] ?? '');
    const a = infos.get(key);
    const label = a ? (a.positional ? a.name.toUpperCase() : a.flag) : key;
    if (iss.code === 'invalid_type' && raw[key] === undefined) return `${label} is required`;
    return `${label}: ${iss.message}`;
  });
  throw new UsageError(msgs.join('; '), `see: alphatrade ${cmd.name} --help`);
}

// ---- help ----

function pad(s: string, n: number): string {
  return s.length >= n ? `${s}  ` : s + ' '.repeat(n - s.length);
}

export function mainHelp(reg: Registry): string {
  const lines = [`alphatrade ${VERSION} — a keyboard-driven trading console`, '', 'Usage:', '  alphatrade                 open the console (the demo workspace on first run)', '  alphatrade COMMAND [ARGS] [--json]', '', 'Commands:'];
  for (const c of reg.all()) lines.push(`  ${pad(c.name, 22)}${c.summary}`);
  lines.push('', 'Global flags:');
  for (const g of GLOBAL_FLAGS) lines.push(`  ${pad(g.flag + (g.value ? ` ${g.value}` : ''), 22)}${g.doc}`);
  lines.push('', 'Run `alphatrade COMMAND --help` for a command\'s arguments.');
  return lines.join('\n');
}

export function groupHelp(reg: Registry, group: string): string {
  const lines = [`alphatrade ${group} — subcommands:`, ''];
  for (const c of reg.all().filter((c) => c.name.startsWith(`${group} `))) lines.push(`  ${pad(c.name, 22)}${c.summary}`);
  return lines.join('\n');
}

export function commandHelp(cmd: CommandDef<any, any>): string {
  const infos = argInfos(cmd);
  const pos = (cmd.positional ?? []).map((p) => {
    const a = infos.find((x) => x.name === p)!;
    const n = a.kind === 'array' ? `${p.toUpperCase()}...` : p.toUpperCase();
    return a.optional ? `[${n}]` : n;
  });
  const lines = [`alphatrade ${cmd.name} ${pos.join(' ')}${infos.some((a) => !a.positional) ? ' [FLAGS]' : ''}`.trimEnd(), '', cmd.summary];
  if (cmd.description) lines.push('', cmd.description);
  const posInfos = infos.filter((a) => a.positional);
  if (posInfos.length) {
    lines.push('', 'Arguments:');
    for (const a of posInfos) lines.push(`  ${pad(a.name.toUpperCase(), 24)}${a.description ?? ''}`);
  }
  const flags = infos.filter((a) => !a.positional);
  if (flags.length) {
    lines.push('', 'Flags:');
    for (const a of flags) {
      const val = a.kind === 'boolean' ? '' : a.kind === 'enum' ? ` ${a.choices!.join('|')}` : a.kind === 'number' ? ' N' : ` ${kebab(a.name).toUpperCase()}`;
      const def = a.defaultValue !== undefined && a.kind !== 'boolean' ? ` (default ${String(a.defaultValue)})` : '';
      const req = !a.optional ? ' (required)' : '';
      lines.push(`  ${pad(a.flag + val, 24)}${a.description ?? ''}${def}${req}`);
    }
  }
  lines.push('  --json                  print the result as JSON');
  if (cmd.examples?.length) {
    lines.push('', 'Examples:');
    for (const e of cmd.examples) lines.push(`  ${e}`);
  }
  return lines.join('\n');
}

// ---- progress ----

export function ttyProgress(write: (s: string) => void): { fn: ProgressFn; end: () => void } {
  let last = 0;
  let shown = false;
  const fn: ProgressFn = (e: ProgressEvent) => {
    const now = Date.now();
    if (now - last < 100 && e.done !== e.total) return;
    last = now;
    const width = 24;
    const frac = e.total > 0 ? Math.min(1, e.done / e.total) : 0;
    const fill = Math.round(frac * width);
    const bar = e.total > 0 ? `[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${(frac * 100).toFixed(0).padStart(3)}%` : `[${e.done}]`;
    write(`\r\x1b[2K${bar} ${e.phase}${e.message ? `: ${e.message}` : ''}`.slice(0, 200));
    shown = true;
  };
  return { fn, end: () => shown && write('\r\x1b[2K') };
}

// ---- main ----

export interface RunOptions {
  registry: Registry;
  /** Called for `alphatrade` with no command (opens the console). */
  openConsole?: (globals: Globals, workspaceDir: string, initialCommand?: string) => Promise<number>;
}

export async function runCli(argv: string[], io: Io, opts: RunOptions): Promise<number> {
  const reg = opts.registry;
  let globals: Globals = { json: false, debug: argv.includes('--debug'), help: false, version: false, noColor: false, demo: false };
  const ac = new AbortController();
  let ws: Workspace | undefined;
  try {
    const split = splitGlobals(argv);
    globals = split.globals;
    const words = split.rest;
    if (globals.version) {
      io.stdout(globals.json ? JSON.stringify({ version: VERSION }) : `alphatrade ${VERSION}`);
      return 0;
    }
    const wsDir = globals.workspace ? globals.workspace : globals.demo ? demoWorkspaceDir(io.env) : defaultWorkspaceDir(io.env);
    if (words.length === 0) {
      if (globals.help || !opts.openConsole) {
        io.stdout(mainHelp(reg));
        return 0;
      }
      return await opts.openConsole(globals, wsDir);
    }
    if (words[0] === 'help') {
      const rest = words.slice(1);
      if (rest.length === 0) {
        io.stdout(mainHelp(reg));
        return 0;
      }
      const m = reg.match(rest);
      if (m) {
        io.stdout(commandHelp(m.cmd));
        return 0;
      }
      if (reg.groups().includes(rest[0])) {
        io.stdout(groupHelp(reg, rest[0]));
        return 0;
      }
      throw unknownCommand(reg, rest);
    }
    const m = reg.match(words);
    if (!m) {
      if (reg.groups().includes(words[0])) {
        if (words.length === 1 || globals.help) {
          io.stdout(groupHelp(reg, words[0]));
          return words.length === 1 && !globals.help ? 2 : 0;
        }
      }
      throw unknownCommand(reg, words);
    }
    const cmd = m.cmd;
    if (globals.help) {
      io.stdout(commandHelp(cmd));
      return 0;
    }
    const raw = parseArgs(cmd, words.slice(m.used));
    const args = validateArgs(cmd, raw);
    // a paper session started from a terminal without --headless runs inside the console, on the Blotter pane
    if ((cmd.name === 'paper' || cmd.name === 'paper resume') && !(args as { headless?: boolean }).headless && !globals.json && io.isTTY && opts.openConsole) {
      return await opts.openConsole(globals, wsDir, [cmd.name, ...words.slice(m.used), '--headless'].join(' '));
    }
    const ctx: CommandContext = {
      workspace: () => (ws ??= Workspace.open(wsDir, io.env)),
      workspaceDir: wsDir,
      signal: ac.signal,
      env: io.env,
      interactive: io.isTTY,
      cwd: io.cwd,
    };
    const onSig = () => ac.abort(new AlphaError('interrupted', { exitCode: 130 }));
    process.once('SIGINT', onSig);
    const prog = io.errIsTTY && !globals.json ? ttyProgress(io.stderr) : { fn: () => {}, end: () => {} };
    let result: unknown;
    try {
      result = await cmd.run(ctx, args as never, prog.fn);
    } finally {
      prog.end();
      process.off('SIGINT', onSig);
    }
    if (globals.json) io.stdout(JSON.stringify(result, jsonReplacer, 2));
    else io.stdout(cmd.render ? cmd.render(result as never, args as never) : defaultRender(result));
    return cmd.exitCode ? cmd.exitCode(result as never) : 0;
  } catch (e) {
    return reportError(e, io, globals);
  } finally {
    ws?.close();
  }
}

function unknownCommand(reg: Registry, words: string[]): UsageError {
  const tried = words.slice(0, 2).join(' ');
  const cands = [...reg.names(), ...reg.groups(), 'help'];
  const near = nearest(tried, cands) ?? nearest(words[0], cands);
  return new UsageError(`unknown command "${tried}"`, near ? `did you mean "${near}"? (alphatrade help lists commands)` : 'alphatrade help lists commands');
}

export function reportError(e: unknown, io: Pick<Io, 'stderr'>, globals: Pick<Globals, 'debug' | 'json'>): number {
  if (e instanceof AlphaError) {
    io.stderr(`error: ${e.message}${e.hint ? `\n  ${e.hint}` : ''}`);
    if (globals.debug && e.stack) io.stderr(e.stack);
    return e.exitCode;
  }
  const err = e as Error;
  io.stderr(`error: ${err?.message ?? String(e)}${globals.debug ? '' : '\n  (run with --debug for details)'}`);
  if (globals.debug && err?.stack) io.stderr(err.stack);
  return 1;
}

export function jsonReplacer(_k: string, v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
  if (typeof v === 'bigint') return Number(v);
  return v;
}

export function defaultRender(result: unknown): string {
  if (result === undefined || result === null) return '';
  if (typeof result === 'string') return result;
  return JSON.stringify(result, jsonReplacer, 2);
}

export function demoWorkspaceDir(env: NodeJS.ProcessEnv): string {
  return `${defaultWorkspaceDir(env)}-demo`;
}
