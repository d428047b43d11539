/**
 * Risk library: position sizing (sizing.ts) and VaR / CVaR (var.ts). Pure functions over typed arrays; no I/O.
 * Conventions are stated at the top of each module (losses as positive fractions, 252 periods per year, seeded RNG).
 */
export * from './sizing.ts';
export * from './var.ts';
export * from './manager.ts';
