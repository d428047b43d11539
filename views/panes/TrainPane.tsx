import { Box, Text } from 'ink';
import React from 'react';
import { num } from '../../commands/format.ts';
import type { ConsoleState } from '../../commands/session.ts';
import { Table } from '../widgets/index.ts';
import { useTheme } from '../widgets/theme.ts';

/** The model registry and the latest training: out-of-sample scores, CV, the largest weights as bars. */
export function TrainPane({ state, width, height }: { state: ConsoleState; width: number; height: number }) {
  const theme = useTheme();
  const t = state.train;
  const muted = theme.color ? theme.muted : undefined;
  const rows = t.models.map((m) => ({ id: String(m.id), name: m.name, kind: m.kind, task: m.task, features: String(m.features), created: m.created.slice(0, 16).replace('T', ' '), auc: num(m.auc, 3) }));
  const regH = Math.max(4, Math.min(rows.length + 3, Math.floor(height / 2)));
  const last = t.last;
  const maxW = last ? Math.max(1e-12, ...last.importance.map((x) => Math.abs(x.weight))) : 1;
  const barW = Math.max(8, Math.min(30, width - 40));
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate">{`model registry (${rows.length})`}</Text>
      <Table
        columns={[
          { key: 'id', title: 'id', align: 'right' },
          { key: 'name', title: 'name' },
          { key: 'kind', title: 'kind' },
          { key: 'task', title: 'task' },
          { key: 'features', title: 'features', align: 'right' },
          { key: 'created', title: 'created' },
          { key: 'auc', title: 'AUC', align: 'right' },
        ]}
        rows={rows}
        selected={-1}
        width={width}
        height={regH}
        emptyText="no models yet — press : and run train --symbol SYM --model logreg"
      />
      {last ? (
        <Box flexDirection="column">
          <Text bold wrap="truncate">{`latest: ${last.model} on ${last.features} features · ${last.rows.train.toLocaleString('en-US')} train rows (${last.rows.purged} purged) · ${last.rows.test.toLocaleString('en-US')} test rows · ${last.train_seconds.toFixed(2)} s${last.model_id !== null ? ` · model ${last.model_id}` : ''}`}</Text>
          <Text wrap="truncate">{`out of sample: AUC ${num(last.scores.auc, 3)} · accuracy ${num(last.scores.accuracy, 3)} · log-loss ${num(last.scores.logloss, 4)} · precision ${num(last.scores.precision, 3)} · recall ${num(last.scores.recall, 3)} · train AUC ${num(last.scores.train_auc, 3)}`}</Text>
          {last.cv && <Text wrap="truncate">{`${last.cv.kind} CV, ${last.cv.folds} folds: AUC ${num(last.cv.auc_mean, 3)} ± ${num(last.cv.auc_sd, 3)}`}</Text>}
          <Text wrap="truncate" color={muted}>{'largest weights (standardised features)'}</Text>
          {last.importance.slice(0, Math.max(1, height - regH - 6)).map((x) => {
            const n = Math.round((Math.abs(x.weight) / maxW) * barW);
            return (
              <Text key={x.feature} wrap="truncate">
                {`${x.feature.padEnd(22).slice(0, 22)} `}
                <Text color={theme.color ? (x.weight >= 0 ? theme.up : theme.down) : undefined}>{'█'.repeat(n)}</Text>
                {` ${x.weight >= 0 ? '+' : ''}${x.weight.toFixed(3)}`}
              </Text>
            );
          })}
        </Box>
      ) : (
        <Text wrap="truncate" color={muted}>{'no training in this session yet — :train --symbol SYM --model logreg --cv purged'}</Text>
      )}
    </Box>
  );
}
