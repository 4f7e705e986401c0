// The benchmark's baseline: a workflow with the same number of updates, signals and
// activities as a full treatment case, and no business logic. Driven by the raw Temporal client, it
// shows what the server and the SDK cost on their own, so the pathway can be compared with it.
import { condition, defineSignal, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { BareActivities } from './bareActivities';

export interface BarePlan {
  /** Steps the driver sends: updates first, then signals. */
  updates: number;
  signals: number;
  /** Activities in all, spread evenly over the steps. */
  activities: number;
}

export const bareStepUpdate = defineUpdate<number, [number]>('bareStep');
export const bareStepSignal = defineSignal<[number]>('bareStepSignal');

const { touch } = proxyActivities<BareActivities>({ startToCloseTimeout: '30s' });

export async function bareCase(plan: BarePlan): Promise<number> {
  const steps = plan.updates + plan.signals;
  let started = 0;
  let done = 0;
  let activitiesLeft = plan.activities;
  const step = async (n: number): Promise<number> => {
    // An even share of what is left, so the last step takes the remainder.
    const share = Math.ceil(activitiesLeft / Math.max(steps - started++, 1));
    activitiesLeft -= share;
    for (let i = 0; i < share; i++) await touch(n);
    done++;
    return done;
  };
  setHandler(bareStepUpdate, step);
  setHandler(bareStepSignal, (n) => void step(n));
  await condition(() => done >= steps);
  return done;
}
