import { Box, Text } from 'ink';
import React from 'react';
import { OVERLAYS, type ConsoleSession } from '../commands/session.ts';
import type { Key } from './input.ts';
import { useTheme } from './widgets/theme.ts';

/** The Data pane's indicator-overlay picker (`i` in the detail view): a checklist of OVERLAYS. */
export function OverlayPicker({ chosen, cursor, width, height }: { chosen: readonly string[]; cursor: number; width: number; height: number }) {
  const theme = useTheme();
  // Border (2) and the title line take 3 rows; the items scroll to keep the cursor visible.
  const rows = Math.max(1, height - 3);
  const start = Math.max(0, Math.min(OVERLAYS.length - rows, cursor - Math.floor(rows / 2)));
  const shown = OVERLAYS.slice(start, start + rows);
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="round" paddingX={1} overflow="hidden">
      <Text bold wrap="truncate" color={theme.color ? theme.accent : undefined}>
        {`Overlays (${chosen.length} on) — j/k move, space/Enter toggle, Esc close`}
      </Text>
      {shown.map((o, i) => {
        const at = start + i === cursor;
        const on = chosen.includes(o.id);
        const lines = o.names.length > 1 ? `  (${o.names.join(', ')})` : '';
        return (
          <Text key={o.id} wrap="truncate" inverse={at} color={theme.color && !at && on ? theme.up : undefined}>
            {`${at ? '›' : ' '} [${on ? 'x' : ' '}] ${o.label}${lines}`}
          </Text>
        );
      })}
    </Box>
  );
}

/** Keys while the picker is open: it takes every key (modal), so j/k/space never reach the list or the panes. */
export function handleOverlayPickerKey(session: ConsoleSession, k: Key): void {
  if (k.escape || k.input === 'i' || k.input === 'q') return session.closeOverlayPicker();
  if (k.input === 'j' || k.downArrow) return session.moveOverlayPicker(1);
  if (k.input === 'k' || k.upArrow) return session.moveOverlayPicker(-1);
  if (k.input === 'g' || k.home) return session.moveOverlayPicker(-OVERLAYS.length);
  if (k.input === 'G' || k.end) return session.moveOverlayPicker(OVERLAYS.length);
  if (k.input === ' ' || k.return) return session.toggleOverlay();
}
