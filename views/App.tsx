import { Box, Text, useInput } from 'ink';
import React, { useEffect, useState, useSyncExternalStore } from 'react';
import { PANES, type ConsoleSession, type ConsoleState, type PaneId } from '../commands/session.ts';
import { RiskPane } from './panes/RiskPane.tsx';
import { TrainPane } from './panes/TrainPane.tsx';
import { BacktestPane, handleBacktestKey } from './panes/BacktestPane.tsx';
import { BlotterPane, handleBlotterKey } from './panes/BlotterPane.tsx';
import { DataPane, handleDataKey } from './panes/DataPane.tsx';
import { LogPane, handleLogKey } from './panes/LogPane.tsx';
import { HelpOverlay } from './HelpOverlay.tsx';
import { handleOverlayPickerKey } from './OverlayPicker.tsx';
import { Palette } from './Palette.tsx';
import { ProgressBar } from './widgets/index.ts';
import { useTheme } from './widgets/theme.ts';
import type { Key } from './input.ts';

export interface AppProps {
  session: ConsoleSession;
  width: number;
  /** Frame height: the terminal's rows - 1 (a full-height frame makes Ink clear the screen on every frame). */
  height: number;
  clock?: () => Date;
}


export function useSession(session: ConsoleSession): ConsoleState {
  return useSyncExternalStore(session.subscribe, session.getState);
}

export function App({ session, width, height, clock = () => new Date() }: AppProps) {
  const s = useSession(session);
  const theme = useTheme();
  const [now, setNow] = useState(clock());
  const [logOffset, setLogOffset] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setNow(clock()), 1000);
    return () => clearInterval(t);
  }, [clock]);

  useInput((input, key) => {
    // Several keys can arrive in one chunk (fast typing, tmux send-keys, a paste): handle them one by one, except
    // that in the palette and the filter a run of characters is typed text — up to a newline, which is Enter (so a
    // pasted line with its newline runs, and what follows it is keys again).
    if (input.length > 1 && !key.ctrl && !key.meta) {
      let rest = input;
      while (rest.length > 0) {
        const st = session.getState();
        if (st.palette.open || st.filtering) {
          const nl = /[\r\n]/.exec(rest);
          const text = nl ? rest.slice(0, nl.index) : rest;
          if (text) handleKey({ ...NO_KEY, input: text });
          if (!nl) break;
          handleKey({ ...NO_KEY, input: '', return: true });
          rest = rest.slice(nl.index + 1);
        } else {
          const ch = rest[0];
          rest = rest.slice(1);
          const cr = ch === '\r' || ch === '\n';
          handleKey({ ...NO_KEY, input: cr ? '' : ch, return: cr });
        }
      }
      return;
    }
    // A newline is Enter too: keys typed before Ink switches the terminal to raw mode arrive through the tty's
    // line discipline, which turns Enter's CR into LF (Ink then reports it as 'enter', not 'return').
    if (input === '\n' || input === '\r') {
      handleKey({ ...key, input: '', return: true });
      return;
    }
    handleKey({ ...key, input });
  });

  function handleKey(k: Key): void {
    const { input } = k;
    const key = k;
    const s = session.getState();
    if (key.ctrl && input === 'c') return session.requestQuit();
    if (s.palette.open) return handlePaletteKey(session, k);
    if (s.filtering) return handleFilterKey(session, s, k);
    if (s.confirmQuit) {
      if (input === 'q') return session.requestQuit();
      if (key.escape) return session.cancelQuit();
      return;
    }
    if (s.help) {
      if (key.escape || input === '?' || input === 'q') return session.toggleHelp();
      return;
    }
    if (s.overlayPicker.open && s.pane === 'data' && s.view === 'detail') return handleOverlayPickerKey(session, k);
    if (input === ':') return session.openPalette();
    if (input === '?') return session.toggleHelp();
    if (input === 'q') return session.requestQuit();
    if (input === 'x') return session.cancelLatestJob();
    const pane = PANES.find((p) => p.key === input);
    if (pane) return session.setPane(pane.id);
    if (s.pane === 'data') return handleDataKey(session, s, k);
    if (s.pane === 'backtest') return handleBacktestKey(session, s, k);
    if (s.pane === 'log') return handleLogKey(k, s.log.length, setLogOffset);
    if (s.pane === 'blotter') return handleBlotterKey(session, s, k);
  }

  const running = s.jobs.filter((j) => j.status === 'running');
  const bodyHeight = Math.max(3, height - 4);
  const ws = s.workspaceDir.length > width / 3 ? `…${s.workspaceDir.slice(-Math.floor(width / 3))}` : s.workspaceDir;
  const status = [`AlphaTrade`, ws, s.mode, now.toISOString().slice(11, 19) + 'Z', s.equity !== null ? `equity ${s.equity.toFixed(2)}` : null, running.length ? `jobs ${running.length} running` : 'no jobs'].filter(Boolean).join(' │ ');

  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text inverse={theme.color} bold wrap="truncate">{pad(` ${status}`, width)}</Text>
      <Box>
        {PANES.map((p) => (
          <Text key={p.id} inverse={p.id === s.pane} color={theme.color && p.id !== s.pane ? theme.muted : undefined} wrap="truncate">
            {` ${p.key} ${p.title} `}
          </Text>
        ))}
      </Box>
      <Box height={bodyHeight} flexDirection="column">
        {s.help ? (
          <HelpOverlay pane={s.pane} width={width} height={bodyHeight} />
        ) : s.pane === 'data' ? (
          <DataPane state={s} width={width} height={bodyHeight} />
        ) : s.pane === 'backtest' ? (
          <BacktestPane state={s} width={width} height={bodyHeight} />
        ) : s.pane === 'train' ? (
          <TrainPane state={s} width={width} height={bodyHeight} />
        ) : s.pane === 'risk' ? (
          <RiskPane state={s} width={width} height={bodyHeight} />
        ) : s.pane === 'log' ? (
          <LogPane lines={s.log} offset={logOffset} width={width} height={bodyHeight} />
        ) : (
          <BlotterPane state={s} width={width} height={bodyHeight} />
        )}
      </Box>
      {running.length ? (
        <ProgressBar done={running[0].done} total={running[0].total} width={width} label={`${running[0].label} — ${running[0].phase}${running[0].message ? `: ${running[0].message}` : ''}`} />
      ) : (
        <Text wrap="truncate" color={theme.color ? (s.message?.tone === 'error' ? theme.error : s.message?.tone === 'ok' ? theme.up : undefined) : undefined}>
          {s.message ? s.message.text : ' '}
        </Text>
      )}
      {s.palette.open ? (
        <Palette input={s.palette.input} completions={s.palette.completions} width={width} />
      ) : s.filtering ? (
        <Text wrap="truncate">{`/${s.filter}█`}</Text>
      ) : (
        <Text wrap="truncate" color={theme.color ? theme.muted : undefined}>
          {': command  ? help  1-6 panes  / filter  Enter open  Esc back  q quit'}
        </Text>
      )}
    </Box>
  );
}

const NO_KEY: Key = {
  input: '', upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false,
  capsLock: false, numLock: false,
};

function pad(s: string, w: number): string {
  return s.length >= w ? s.slice(0, w) : s + ' '.repeat(w - s.length);
}

function handlePaletteKey(session: ConsoleSession, k: Key): void {
  const p = session.getState().palette;
  if (k.escape) return session.closePalette();
  if (k.return) return session.submitPalette();
  if (k.tab) return session.paletteTab();
  if (k.upArrow) return session.paletteHistory(-1);
  if (k.downArrow) return session.paletteHistory(1);
  if (k.backspace || k.delete) return session.setPaletteInput(p.input.slice(0, -1));
  if (k.ctrl && k.input === 'u') return session.setPaletteInput('');
  if (k.input && !k.ctrl && !k.meta) session.setPaletteInput(p.input + k.input);
}

function handleFilterKey(session: ConsoleSession, s: ConsoleState, k: Key): void {
  if (k.escape) return session.endFilter(false);
  if (k.return) return session.endFilter(true);
  if (k.backspace || k.delete) return session.setFilter(s.filter.slice(0, -1));
  if (k.downArrow) return session.move(1);
  if (k.upArrow) return session.move(-1);
  if (k.input && !k.ctrl && !k.meta) session.setFilter(s.filter + k.input);
}
