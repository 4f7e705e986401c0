// Step 3's work beside the main flow (an additional estimate, a team's task, a follow-up's reminder,
// a balance chased) and how it stops: when the case closes or continues as a new run, which it does
// when its history grows long.
import { allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { CaseStartInput, ResumePoint } from './definitions';
import type { Case } from './case';

export function createBackground(c: Case) {
  const { input, state, timings } = c;
  /** Set when the case is closing or continuing as new: background waits stop. */
  let stopping = false;
  const work: Promise<void>[] = [];

  function historyLong(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength > timings.continueAsNewAfterEvents;
  }

  /** Stops the background waits, lets handlers finish, and continues as a new run with the state. */
  async function continueAsNewAt(stage: ResumePoint['stage']): Promise<never> {
    stopping = true;
    await Promise.all(work);
    await condition(allHandlersFinished);
    await c.record('continued_as_new', 'system', `History long (${workflowInfo().historyLength} events): continuing as a new run`, { stage });
    if (c.batch) await c.batch.drained();
    const carried = c.carried();
    // The timeline keeps its recent entries; the audit trail in the database has them all.
    const keep = 50;
    const dropped = Math.max(0, state.timeline.length - keep);
    const next: ResumePoint = { ...carried, stage, timelineOffset: carried.timelineOffset + dropped, state: { ...state, timeline: state.timeline.slice(dropped) } };
    return continueAsNew<(input: CaseStartInput) => Promise<unknown>>({ ...input, resume: next });
  }

  return {
    /** Runs `p` beside the flow: the case closes only once it is done. */
    add(p: Promise<void>): void {
      work.push(p);
    },
    stopping: () => stopping,
    /** Whether a background wait stops now: the case closing, continuing as new, or ended. */
    stop: () => stopping || c.ended(),
    halt(): void {
      stopping = true;
    },
    settled: () => Promise.all(work),
    historyLong,
    continueAsNewAt,
  };
}

export type Background = ReturnType<typeof createBackground>;
