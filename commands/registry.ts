/**
 * Commands are the only verbs. Each is defined once — name, summary, zod argument schema, run() returning plain
 * data, and a text renderer — and reached from the CLI (flags and --help built from the schema) and the console's
 * palette (completion built from the same schema).
 */
import { z } from 'zod';
import type { EventBus, ProgressFn } from '../src/events.ts';
import type { Workspace } from '../src/workspace.ts';

export interface CommandContext {
  /** The workspace, opened on first use. */
  workspace(): Workspace;
  workspaceDir: string;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  /** Whether output goes to a person (a TTY): affects only rendering, never results. */
  interactive: boolean;
  bus?: EventBus<Record<string, unknown>>;
  cwd: string;
  /**
   * Work that may wait until the result is delivered (the console's job threads post the result first, then run it,
   * before closing the workspace); without it, the work runs at once.
   */
  afterResult?: (fn: () => void) => void;
}

export type ArgsShape = z.ZodRawShape;

export interface CommandDef<S extends ArgsShape = ArgsShape, R = unknown> {
  /** Space-separated path, e.g. "data import". */
  name: string;
  summary: string;
  description?: string;
  args: z.ZodObject<S>;
  /** Argument names taken positionally, in order (the last may be variadic if it is an array). */
  positional?: (keyof S & string)[];
  examples?: string[];
  run(ctx: CommandContext, args: z.infer<z.ZodObject<S>>, progress: ProgressFn): Promise<R>;
  render?(result: R, args: z.infer<z.ZodObject<S>>): string;
  /** Exit code for a result (default 0): e.g. an import that failed validation returns 1. */
  exitCode?(result: R): number;
}

/**
 * A command. `args` may be a function returning the schema: it is then built on first use (building ~45 zod
 * schemas costs ~0.1 s at start-up, and most runs use one command).
 */
export function defineCommand<S extends ArgsShape, R>(def: Omit<CommandDef<S, R>, 'args'> & { args: z.ZodObject<S> | (() => z.ZodObject<S>) }): CommandDef<S, R> {
  const make = def.args;
  if (typeof make !== 'function') return def as CommandDef<S, R>;
  let cached: z.ZodObject<S> | undefined;
  const out = { ...def } as unknown as CommandDef<S, R>;
  Object.defineProperty(out, 'args', { get: () => (cached ??= make()), enumerable: true, configurable: true });
  return out;
}

// ---- schema introspection (zod 4) ----

export interface ArgInfo {
  name: string;
  flag: string;
  kind: 'string' | 'number' | 'boolean' | 'enum' | 'array';
  choices?: string[];
  optional: boolean;
  defaultValue?: unknown;
  description?: string;
  positional: boolean;
}

function unwrap(t: z.ZodType): { inner: z.ZodType; optional: boolean; def?: unknown; description?: string } {
  let cur: any = t;
  let optional = false;
  let def: unknown;
  let description: string | undefined = cur.description;
  for (let i = 0; i < 10; i++) {
    const type = cur._zod?.def?.type;
    if (type === 'optional' || type === 'nullable') {
      optional = true;
      cur = cur._zod.def.innerType;
    } else if (type === 'default' || type === 'prefault') {
      optional = true;
      const d = cur._zod.def.defaultValue;
      def = typeof d === 'function' ? d() : d;
      cur = cur._zod.def.innerType;
    } else if (type === 'pipe') {
      cur = cur._zod.def.in;
    } else break;
    description ??= cur.description;
  }
  return { inner: cur, optional, def, description };
}

export function kebab(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

export function argInfos(cmd: CommandDef<any, any>): ArgInfo[] {
  const shape = cmd.args.shape as Record<string, z.ZodType>;
  return Object.entries(shape).map(([name, t]) => {
    const u = unwrap(t);
    const type = (u.inner as any)._zod?.def?.type as string;
    let kind: ArgInfo['kind'] = 'string';
    let choices: string[] | undefined;
    if (type === 'number' || type === 'int') kind = 'number';
    else if (type === 'boolean') kind = 'boolean';
    else if (type === 'enum') {
      kind = 'enum';
      choices = Object.values((u.inner as any)._zod.def.entries as Record<string, string>);
    } else if (type === 'array') kind = 'array';
    return {
      name, flag: `--${kebab(name)}`, kind, choices, optional: u.optional || kind === 'boolean',
      defaultValue: u.def, description: u.description, positional: (cmd.positional ?? []).includes(name),
    };
  });
}

export class Registry {
  private cmds = new Map<string, CommandDef<any, any>>();
  add(...defs: CommandDef<any, any>[]): this {
    for (const d of defs) this.cmds.set(d.name, d);
    return this;
  }
  get(name: string): CommandDef<any, any> | undefined {
    return this.cmds.get(name);
  }
  all(): CommandDef<any, any>[] {
    return [...this.cmds.values()];
  }
  names(): string[] {
    return [...this.cmds.keys()];
  }
  /** Longest command name matching the leading words. */
  match(words: string[]): { cmd: CommandDef<any, any>; used: number } | undefined {
    for (let n = Math.min(words.length, 3); n >= 1; n--) {
      const c = this.cmds.get(words.slice(0, n).join(' '));
      if (c) return { cmd: c, used: n };
    }
    return undefined;
  }
  /** Groups: first words that have subcommands (e.g. "data"). */
  groups(): string[] {
    return [...new Set(this.names().filter((n) => n.includes(' ')).map((n) => n.split(' ')[0]))];
  }
}
