// Durations of the pathway: data with defaults, overridable per case at start (tests use seconds).
// Values are Temporal durations (ms numbers or strings like '7 days').
import type { Duration } from '@temporalio/common';
import { ESTIMATE_VALIDITY_DAYS } from './tariffs';

export interface PathwayTimings {
  /** The patient has done nothing for this long: remind them. */
  reminderAfter: Duration;
  /** After this many unanswered reminders the case is closed as abandoned (or the request expires). */
  maxReminders: number;
  /** The service fee is unpaid for this long: remind; after maxReminders the request expires. */
  feeReminderAfter: Duration;
  /** No report from the MDT / pathologists after this long: the coordinator is alerted (again each period). */
  reportSla: Duration;
  /** Staff steps (completeness check, assignment, approval, estimate, arrival date) are due within this: drives worklists' overdue flag. */
  reviewWithin: Duration;
  /** An estimate is valid this long (printed on it); unanswered by then, it expires. */
  estimateValidity: Duration;
  /** An accepted estimate is neither paid in full nor guaranteed for this long: remind; after maxReminders it expires. */
  guaranteeReminderAfter: Duration;
  /** A team has not handled a patient request (interpreter, appointment change...) for this long: remind the team. */
  taskReminderAfter: Duration;
  /** The patient is reminded of their arrival (and of follow-up appointments) this long before. */
  arrivalReminderBefore: Duration;
  /** The case closes when no follow-up appointment remains and nothing happened for this long after the stay. */
  followUpWindow: Duration;
  /** A long case (many messages, follow-ups) continues as a new run past this many history events. */
  continueAsNewAfterEvents: number;
}

export const defaultTimings: PathwayTimings = {
  reminderAfter: '7 days',
  maxReminders: 3,
  feeReminderAfter: '7 days',
  reportSla: '14 days',
  reviewWithin: '2 days',
  estimateValidity: `${ESTIMATE_VALIDITY_DAYS} days`,
  guaranteeReminderAfter: '7 days',
  taskReminderAfter: '2 days',
  arrivalReminderBefore: '3 days',
  followUpWindow: '90 days',
  continueAsNewAfterEvents: 5000,
};
