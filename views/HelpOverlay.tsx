import { Box, Text } from 'ink';
import React from 'react';
import { PANES, type PaneId } from '../commands/session.ts';
import { GLOBAL_KEYS, PANE_KEYS } from './keys.ts';
import { useTheme } from './widgets/theme.ts';

export function HelpOverlay({ pane, width, height }: { pane: PaneId; width: number; height: number }) {
  const theme = useTheme();
  const title = PANES.find((p) => p.id === pane)!.title;
  const rows: { head?: string; keys?: string; does?: string }[] = [{ head: `Keys — ${title} pane` }, ...PANE_KEYS[pane].map((k) => ({ keys: k.keys, does: k.does }))];
  if (PANE_KEYS[pane].length === 0) rows.push({ does: 'no pane-specific keys yet' });
  rows.push({ head: 'Everywhere' }, ...GLOBAL_KEYS.map((k) => ({ keys: k.keys, does: k.does })), { does: 'Esc or ? closes this help' });
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" paddingX={1}>
      {rows.slice(0, Math.max(1, height - 2)).map((r, i) =>
        r.head ? (
          <Text key={i} bold color={theme.color ? theme.accent : undefined} wrap="truncate">
            {r.head}
          </Text>
        ) : (
          <Text key={i} wrap="truncate">
            {`  ${(r.keys ?? '').padEnd(14)}${r.does ?? ''}`}
          </Text>
        ),
      )}
    </Box>
  );
}
