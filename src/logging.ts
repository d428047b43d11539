/**
 * Logs go to a file in the workspace (logs/alphatrade.log), never to the terminal: the TUI owns the screen and
 * headless output must stay clean for scripts. Secrets are redacted by key name.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(logDir: string | null, level = 'info'): Logger {
  if (!logDir) return pino({ level: 'silent' });
  fs.mkdirSync(logDir, { recursive: true });
  const dest = pino.destination({ dest: path.join(logDir, 'alphatrade.log'), sync: true, mkdir: true });
  return pino(
    {
      level,
      redact: { paths: ['*.key', '*.secret', '*.token', '*.password', 'key', 'secret', 'token', 'password', '*.APCA_API_SECRET_KEY', '*.APCA_API_KEY_ID'], censor: '[redacted]' },
      base: { pid: process.pid },
    },
    dest,
  );
}
