import { Box, Text } from 'ink';
import React from 'react';
import type { LogLine } from '../../commands/session.ts';
import type { Key } from '../input.ts';
import { useTheme } from '../widgets/theme.ts';

/** offset = lines scrolled back from the newest. */
export function LogPane({ lines, offset, width, height }: { lines: LogLine[]; offset: number; width: number; height: number }) {
  const theme = useTheme();
  const end = Math.max(0, lines.length - offset);
  const shown = lines.slice(Math.max(0, end - height), end);
  if (lines.length === 0) {
    return (
      <Box width={width} height={height}>
        <Text color={theme.color ? theme.muted : undefined}>no messages yet</Text>
      </Box>
    );
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      {shown.map((l, i) => (
        <Text key={i} wrap="truncate" color={theme.color ? (l.level === 'error' ? theme.error : l.level === 'warn' ? theme.warn : undefined) : undefined}>
          {`${new Date(l.ts).toISOString().slice(11, 19)} ${l.text}`}
        </Text>
      ))}
    </Box>
  );
}

export function handleLogKey(k: Key, count: number, setOffset: (f: (o: number) => number) => void): void {
  if (k.input === 'k' || k.upArrow) setOffset((o) => Math.min(Math.max(0, count - 1), o + 1));
  else if (k.input === 'j' || k.downArrow) setOffset((o) => Math.max(0, o - 1));
  else if (k.input === 'g') setOffset(() => Math.max(0, count - 1));
  else if (k.input === 'G') setOffset(() => 0);
}
