import { Box, Text } from 'ink';
import React from 'react';
import { num } from '../../commands/format.ts';
import type { ConsoleState } from '../../commands/session.ts';
import { LineChart, Table } from '../widgets/index.ts';
import { useTheme } from '../widgets/theme.ts';

/**
 * The model registry; the training that runs (loss curves by boosting round, the search's trial leaderboard, as they
 * arrive); the latest training's out-of-sample scores, CV and feature importance as bars (gain for trees, with the
 * permutation AUC drop; weights for logistic regression).
 */
export function TrainPane({ state, width, height }: { state: ConsoleState; width: number; height: number }) {
  const theme = useTheme();
  const t = state.train;
  const muted = theme.color ? theme.muted : undefined;
  const rows = t.models.map((m) => ({ id: String(m.id), name: m.name, kind: m.kind, task: m.task, features: String(m.features), created: m.created.slice(0, 16).replace('T', ' '), auc: num(m.auc, 3) }));
  const live = t.live;
  const last = t.last;
  const regH = Math.max(4, Math.min(rows.length + 3, Math.floor(height / (live ? 4 : 2))));
  const curveH = live && live.train.length ? Math.max(5, Math.floor(height * 0.3)) : 0;
  const trials = live ? [...live.trials].filter((x) => x.value !== null).sort((p, q) => p.value! - q.value!) : [];
  const boardH = trials.length ? Math.min(trials.length, 4) + 1 : 0;
  const liveH = live ? 1 + curveH + boardH : 0;
  const barRows = Math.max(1, height - regH - liveH - 5);
  const imp = last?.importance ?? [];
  const trees = imp.length > 0 && imp[0].gain !== undefined;
  const val = (x: (typeof imp)[number]) => (trees ? (x.gain ?? 0) : (x.weight ?? 0));
  const maxW = Math.max(1e-12, ...imp.map((x) => Math.abs(val(x))));
  const barW = Math.max(8, Math.min(30, width - 48));
  const fmtParams = (p: Record<string, unknown>) =>
    Object.entries(p)
      .map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toPrecision(3) : String(v)}`)
      .join(' ');
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
        emptyText="no models yet — press : and run train --symbol SYM --model gbdt"
      />
      {live && (
        <Box flexDirection="column">
          <Text wrap="truncate" bold>
            {`${live.status === 'running' ? '▶' : live.status === 'done' ? '✓' : '✗'} ${live.label} · ${live.status === 'running' ? `${live.phase}${live.message ? `: ${live.message}` : ''}` : live.status}${live.trials.length ? ` · trials ${live.trials.length}` : ''}${live.status === 'running' ? ' · x cancels' : ''}`}
          </Text>
          {curveH > 0 && (
            <LineChart
              title={`${live.model} log-loss by round (${live.round}/${live.rounds})`}
              series={[{ name: 'train', values: live.train }, ...(live.valid.length ? [{ name: 'valid', values: live.valid, color: theme.color ? theme.down : undefined }] : [])]}
              width={width}
              height={curveH}
            />
          )}
          {boardH > 0 && (
            <Box flexDirection="column">
              <Text wrap="truncate" color={muted}>{'best trials (validation log-loss)'}</Text>
              {trials.slice(0, boardH - 1).map((x) => (
                <Text key={x.number} wrap="truncate">{`#${String(x.number + 1).padEnd(4)}${x.state.padEnd(9)}${num(x.value, 4).padStart(8)}  ${fmtParams(x.params)}`}</Text>
              ))}
            </Box>
          )}
        </Box>
      )}
      {last ? (
        <Box flexDirection="column">
          <Text bold wrap="truncate">{`latest: ${last.model} on ${last.features} features · ${last.rows.train.toLocaleString('en-US')} train rows (${last.rows.purged} purged) · ${last.rows.test.toLocaleString('en-US')} test rows · ${last.train_seconds.toFixed(2)} s${last.model_id !== null ? ` · model ${last.model_id}` : ''}`}</Text>
          <Text wrap="truncate">{`out of sample: AUC ${num(last.scores.auc, 3)} · accuracy ${num(last.scores.accuracy, 3)} · log-loss ${num(last.scores.logloss, 4)} · precision ${num(last.scores.precision, 3)} · recall ${num(last.scores.recall, 3)} · train AUC ${num(last.scores.train_auc, 3)}`}</Text>
          {last.cv && <Text wrap="truncate">{`${last.cv.kind} CV, ${last.cv.folds} folds: AUC ${num(last.cv.auc_mean, 3)} ± ${num(last.cv.auc_sd, 3)}`}</Text>}
          <Text wrap="truncate" color={muted}>{trees ? 'feature importance: total gain (splits, permutation AUC drop out of sample)' : 'largest weights (standardised features)'}</Text>
          {imp.slice(0, barRows).map((x) => {
            const v = val(x);
            const n = Math.round((Math.abs(v) / maxW) * barW);
            const tail = trees ? ` ${x.split ?? 0}${x.permutation !== null && x.permutation !== undefined ? ` ${x.permutation >= 0 ? '+' : ''}${x.permutation.toFixed(3)}` : ''}` : ` ${v >= 0 ? '+' : ''}${v.toFixed(3)}`;
            return (
              <Text key={x.feature} wrap="truncate">
                {`${x.feature.padEnd(22).slice(0, 22)} `}
                <Text color={theme.color ? (v >= 0 ? theme.up : theme.down) : undefined}>{'█'.repeat(n)}</Text>
                {tail}
              </Text>
            );
          })}
        </Box>
      ) : (
        !live && <Text wrap="truncate" color={muted}>{'no training in this session yet — :train --symbol SYM --model gbdt --cv purged'}</Text>
      )}
    </Box>
  );
}
