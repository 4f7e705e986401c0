// Workflow interceptors for test/opsRepair.test.ts only: a worker bundled with them handles the
// `answerQuestionnaire` update like the real code but also records a patch marker and starts a timer
// in the same workflow task. The real code never asks for either, so a worker running it fails every
// later task of the case on replay (nondeterminism), like the cases the query-replay defect blocked:
// the recorded task is wrong, replay is right, and resetting to that task unblocks the case.
// The marker is what Core reports as nondeterminism: in newer cases the task's first real command is a
// timer's cancellation, and a timer started there alone is reported as a machine error instead.
import { patched, sleep, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const DIVERGENT_TIMER_MS = 4000;

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async handleUpdate(input, next) {
        // The timer is not awaited: when it fires, it wakes the case up for the next (real) worker to replay.
        if (input.name === 'answerQuestionnaire') {
          patched('divergent-worker');
          void sleep(DIVERGENT_TIMER_MS);
        }
        return next(input);
      },
    },
  ],
});
