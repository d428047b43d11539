import { Box, Text } from 'ink';
import React from 'react';
import { useTheme } from '../widgets/theme.ts';

export function EmptyPane({ text, width, height }: { text: string; width: number; height: number }) {
  const theme = useTheme();
  return (
    <Box width={width} height={height} alignItems="center" justifyContent="center">
      <Text color={theme.color ? theme.muted : undefined} wrap="truncate">
        {text}
      </Text>
    </Box>
  );
}
