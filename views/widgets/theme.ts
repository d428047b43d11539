import { createContext, useContext } from 'react';

/** The 16 basic ANSI colour names Ink (chalk) accepts; nothing here needs 256 colours or truecolor. */
export type BasicColor =
  | 'black'
  | 'red'
  | 'green'
  | 'yellow'
  | 'blue'
  | 'magenta'
  | 'cyan'
  | 'white'
  | 'gray'
  | 'redBright'
  | 'greenBright'
  | 'yellowBright'
  | 'blueBright'
  | 'magentaBright'
  | 'cyanBright'
  | 'whiteBright';

/**
 * Colours the widgets use. When `color` is false, components must not pass any of these to Ink:
 * they render plain Text and mark selection with inverse instead.
 */
export interface Theme {
  color: boolean;
  accent: BasicColor;
  muted: BasicColor;
  up: BasicColor;
  down: BasicColor;
  warn: BasicColor;
  error: BasicColor;
  selectedBg: BasicColor;
  /** Default colours for chart series, in order. */
  series: readonly BasicColor[];
}

export function makeTheme(opts: { noColor?: boolean } = {}): Theme {
  return {
    color: !opts.noColor,
    accent: 'cyan',
    muted: 'gray',
    up: 'green',
    down: 'red',
    warn: 'yellow',
    error: 'red',
    selectedBg: 'blue',
    series: ['cyan', 'yellow', 'magenta', 'green', 'blue', 'red', 'white'],
  };
}

export const ThemeContext = createContext<Theme>(makeTheme());

export function useTheme(): Theme {
  return useContext(ThemeContext);
}

/** `color` when the theme allows colour, otherwise undefined (so Ink emits no colour codes). */
export function tint(theme: Theme, color: string | undefined): string | undefined {
  return theme.color ? color : undefined;
}
