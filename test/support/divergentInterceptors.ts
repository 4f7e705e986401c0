// Workflow interceptors for test/opsRepair.test.ts only: a worker bundled with them handles the
// `answerQuestionnaire` update like the real code but also starts a timer in the same workflow task.
// The real code never makes that timer, so a worker running it fails every later task of the case on
// replay (nondeterminism), like the cases the query-replay defect blocked: the recorded task is wrong,
// replay is right, and resetting to that task unblocks the case.
import { sleep, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const DIVERGENT_TIMER_MS = 4000;

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      async handleUpdate(input, next) {
        // Not awaited: when it fires, it wakes the case up for the next (real) worker to replay.
        if (input.name === 'answerQuestionnaire') void sleep(DIVERGENT_TIMER_MS);
        return next(input);
      },
    },
  ],
});
