// What the local activities of a case wrote (its audit-trail events and view changes), for the read
// model rebuild (lib/ops/rebuild.ts). Cases opened with the local-bookkeeping patch write through local
// activities, whose inputs history does not keep: the history is replayed through the workflow code
// with an interceptor that reports each local activity asked for (lib/ops/captureLocalActivities.ts).
// Only recorded history drives the replay; nothing runs ahead of it, and no activity is executed.
import type { History } from '@temporalio/common/lib/proto-utils';
import { Worker, type InjectedSinks } from '@temporalio/worker';
import { bundleCareWorkflows } from '../workflowBundle';
import type { CaptureSinks } from './captureLocalActivities';

type HistoryEvent = NonNullable<History['events']>[number];

/** A local activity the workflow asked for: its sequence number (as in its marker), type and input. */
export interface LocalActivityCall {
  seq: number;
  activityType: string;
  input: unknown;
}

/** Replays one run's history (payloads already decrypted) and returns its local activities by sequence number. */
export type LocalWritesReader = (events: HistoryEvent[], workflowId: string) => Promise<Map<number, LocalActivityCall>>;

const noop = () => undefined;
const quietLogger = { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: noop };

/** Bundles the workflow code once (seconds); each replay then takes milliseconds. */
export async function createLocalWritesReader(): Promise<LocalWritesReader> {
  const code = await bundleCareWorkflows({ workflowInterceptorModules: [require.resolve('./captureLocalActivities')], logger: quietLogger });
  return async (events, workflowId) => {
    const calls = new Map<number, LocalActivityCall>();
    const sinks: InjectedSinks<CaptureSinks> = {
      localActivities: {
        scheduled: { fn: (_info, seq, activityType, args) => void calls.set(seq, { seq, activityType, input: args[0] }), callDuringReplay: true },
      },
    };
    await Worker.runReplayHistory({ workflowBundle: { code }, replayName: 'ops-rebuild', sinks }, { events }, workflowId);
    return calls;
  };
}
