import fs from 'node:fs';
import path from 'node:path';
import { demoWorkspaceDir, runCli } from '../commands/cli.ts';
import { buildRegistry } from '../commands/index.ts';
import { seedDemo } from '../commands/workspace.ts';
import { Workspace } from '../src/workspace.ts';

const registry = buildRegistry();
const env = process.env;

// Output piped into `head` and the like: a closed pipe ends the program quietly, as for any Unix tool.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

const code = await runCli(
  process.argv.slice(2),
  {
    stdout: (s) => s !== '' && process.stdout.write(s.endsWith('\n') ? s : `${s}\n`),
    stderr: (s) => process.stderr.write(s.endsWith('\n') || s.startsWith('\r') ? s : `${s}\n`),
    env,
    isTTY: !!process.stdout.isTTY,
    errIsTTY: !!process.stderr.isTTY,
    cwd: process.cwd(),
  },
  {
    registry,
    async openConsole(g, wsDir, initialCommand) {
      if (!process.stdout.isTTY || !process.stdin.isTTY) {
        process.stderr.write('error: the console needs a terminal (stdin and stdout must be a TTY)\n  run a command instead, e.g. alphatrade data list; alphatrade help lists them\n');
        return 2;
      }
      // First run (no workspace chosen and none at the default place): open the demo workspace.
      const explicit = !!g.workspace || !!env.ALPHATRADE_HOME;
      let dir = wsDir;
      let demo = g.demo;
      if (!explicit && !demo && !initialCommand && !fs.existsSync(path.join(wsDir, 'catalog.sqlite'))) {
        dir = demoWorkspaceDir(env);
        demo = true;
      }
      const ws = Workspace.open(dir, env);
      try {
        if (demo) await seedDemo(ws);
        // Ink renders only a final frame when it thinks it runs in CI (CI, CONTINUOUS_INTEGRATION or CI_* set, read
        // when Ink loads). Here both ends are terminals, so a person is watching: drop those variables first.
        for (const k of Object.keys(process.env)) if (k === 'CI' || k === 'CONTINUOUS_INTEGRATION' || k.startsWith('CI_')) delete process.env[k];
        const { openConsole } = await import('../views/console.tsx');
        const color = ws.config.get('ui.color');
        const noColor = g.noColor || color === 'never' || (color === 'auto' && (!!env.NO_COLOR || env.TERM === 'dumb'));
        return await openConsole({ ws, registry, noColor, fps: ws.config.get('ui.fps'), initialCommand });
      } finally {
        ws.close();
      }
    },
  },
);
process.exitCode = code;
