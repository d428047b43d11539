import { backtest } from './backtest.ts';
import { CHECK_COMMANDS } from './check.ts';
import { metricsCommand } from './metrics.ts';
import { RUN_COMMANDS } from './runs.ts';
import { RISK_COMMANDS } from './risk.ts';
import { PORTFOLIO_COMMANDS } from './portfolio.ts';
import { MODEL_COMMANDS } from './models.ts';
import { train } from './train.ts';
import { PAPER_COMMANDS } from './paper.ts';
import { sweep } from './sweep.ts';
import { walkforward } from './walkforward.ts';
import { STRATEGY_COMMANDS } from './strategies.ts';
import { CONFIG_COMMANDS } from './config.ts';
import { DATA_COMMANDS } from './data.ts';
import { FEATURE_COMMANDS } from './features.ts';
import { Registry } from './registry.ts';
import { WORKSPACE_COMMANDS } from './workspace.ts';

export function buildRegistry(): Registry {
  return new Registry().add(...DATA_COMMANDS, ...FEATURE_COMMANDS, ...CONFIG_COMMANDS, ...WORKSPACE_COMMANDS, backtest, ...STRATEGY_COMMANDS, ...CHECK_COMMANDS, metricsCommand, ...RUN_COMMANDS, sweep, walkforward, ...RISK_COMMANDS, ...PORTFOLIO_COMMANDS, ...MODEL_COMMANDS, train, ...PAPER_COMMANDS);
}
