// Workflow interceptor bundled only into the read-model rebuild's replay (lib/ops/localActivityWrites.ts),
// never into the workers: it reports each local activity the workflow asks for, with its input. History
// keeps a local activity's result but not its input; replaying the history through the same code asks
// for the same local activities with the same inputs, so the rebuild learns what each one wrote.
import { proxySinks, type Sinks, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export interface CaptureSinks extends Sinks {
  localActivities: {
    scheduled(seq: number, activityType: string, args: unknown[]): void;
  };
}

const { localActivities } = proxySinks<CaptureSinks>();

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      scheduleLocalActivity(input, next) {
        localActivities.scheduled(input.seq, input.activityType, input.args);
        return next(input);
      },
    },
  ],
});
