// Durations of the pathway: data with defaults, overridable per case at start (tests use seconds).
// Values are Temporal durations (ms numbers or strings like '7 days').
import type { Duration } from '@temporalio/common';

export interface PathwayTimings {
  /** The patient has done nothing for this long: remind them. */
  reminderAfter: Duration;
  /** After this many unanswered reminders the case is closed as abandoned. */
  maxReminders: number;
  /** The service fee is unpaid for this long: remind; after maxReminders the request expires. */
  feeReminderAfter: Duration;
  /** No report from the MDT / pathologists after this long: the coordinator is alerted (again each period). */
  reportSla: Duration;
  /** Staff steps (completeness check, assignment, approval) are due within this: drives worklists' overdue flag. */
  reviewWithin: Duration;
}

export const defaultTimings: PathwayTimings = {
  reminderAfter: '7 days',
  maxReminders: 3,
  feeReminderAfter: '7 days',
  reportSla: '14 days',
  reviewWithin: '2 days',
};
