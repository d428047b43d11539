import { Box, Text } from 'ink';
import React from 'react';
import { useTheme } from './widgets/theme.ts';

export function Palette({ input, completions, width }: { input: string; completions: string[]; width: number }) {
  const theme = useTheme();
  const hint = completions.length ? `  ${completions.slice(0, 8).join('  ')}${completions.length > 8 ? '  …' : ''}` : '';
  const line = `:${input}█`;
  return (
    <Box width={width}>
      <Text wrap="truncate">
        <Text bold>{line}</Text>
        <Text color={theme.color ? theme.muted : undefined}>{hint.slice(0, Math.max(0, width - line.length))}</Text>
      </Text>
    </Box>
  );
}
