// What ops read in the Temporal UI's "Current details" panel (User Metadata tab), as markdown: where the
// case stands first (phase, who it waits for, the next deadline in Paris time), then a small table.
// A pure function of the state, so workflow code calls it (setCurrentDetails is not part of history).
//
// What it leaves out: health data and personal data (no names, no diagnosis, no report, no free text:
// not the timeline's summaries either, only event types) and UUIDs (staff by role and initials).
//
// How Temporal UI 2.42.1 renders it (ui-server's /render route, gomarkdown with its common flags), and
// how this text copes:
// - A list or a table must follow a blank line, or it joins the paragraph above (the run-on text).
// - `10/10` becomes a fraction (SmartyPants): no slash between digits here ("10 of 10").
// - `$…$` is MathJax: no dollar sign.
// - The page's stylesheet is lost (html/template replaces it with ZgotmplZ), so the browser's default
//   margins apply, and the UI sizes the panel to `body.scrollHeight + 2` px, which leaves them out: the
//   last 14 px of the text would be hidden. The empty last paragraph (a non-breaking space) takes them.
// - The UI measures the text once, when it loads: lines are short enough not to wrap in the panel's
//   half of a 1280 px window (the longest first line, "coordinator_assignment · waits for care
//   coordinator · due Wed 30 Dec 23:59 Paris", takes 536 of its 567 px), so a later change of width
//   cannot add lines below the measured height.
import { missingItems } from './checklist';
import { formatDay, formatParis } from './parisTime';
import type { AwaitingRole, CaseState, Phase } from './definitions';
import { formatEur } from './pricing';

/** Who the case waits for, in a word or two (the search attribute AwaitingRole has the code). */
const ROLE_WORDS: Record<AwaitingRole, string> = {
  system: 'Parcours',
  patient: 'the patient',
  admission_coordinator: 'admission team',
  care_coordinator: 'care coordinator',
  finance: 'finance',
  mdt: 'MDT',
  none: 'nobody',
};

/** Phases where the file (checklist) is what matters. */
const FILE_PHASES: readonly Phase[] = ['received', 'file_collection', 'completeness_review', 'coordinator_assignment', 'contents_review', 'fee_payment', 'report_pending'];

/** The first line: the phase (the CasePhase code), who it waits for, and the next deadline in Paris. */
export function headlineOf(state: CaseState, nowMs: number): string {
  const phase = `**${state.phase}**`;
  if (state.awaitingRole === 'none') return `${phase} · case ended`;
  const deadline = state.nextDeadline ? `due ${formatParis(Date.parse(state.nextDeadline), nowMs)} Paris` : 'no deadline';
  return `${phase} · waits for ${ROLE_WORDS[state.awaitingRole]} · ${deadline}`;
}

/** The panel's markdown. `nowMs`: the workflow's time (dates of this year are written without the year). */
export function currentDetailsOf(state: CaseState, nowMs: number): string {
  const rows: [string, string][] = [];
  const coordinator = state.coordinatorId ? `care coordinator ${state.coordinatorInitials ?? '(initials not recorded)'}` : 'not assigned yet';
  rows.push(['Coordinator', coordinator]);
  if (FILE_PHASES.includes(state.phase)) {
    const missing = missingItems(state.checklist).length;
    rows.push(['File', `${state.checklist.length - missing} of ${state.checklist.length} items${missing ? `, ${missing} missing` : ''}`]);
  }
  rows.push(['Payment', paymentOf(state)]);
  const owed = state.moneyBack?.owedCents ?? 0;
  if (owed > 0) rows.push(['Owed back', `${formatEur(owed)} to return`]);
  rows.push(...treatmentRowsOf(state, nowMs));
  const last = state.timeline[state.timeline.length - 1];
  if (last) rows.push(['Last event', `${last.type} · ${formatParis(Date.parse(last.at), nowMs)}`]);
  return [
    headlineOf(state, nowMs),
    '',
    '| | |',
    '|:--|:--|',
    ...rows.map(([label, value]) => `| ${label} | ${value} |`),
    '',
    '&#160;',
  ].join('\n');
}

function paymentOf(state: CaseState): string {
  if (!state.amountDueCents) return state.paymentStatus;
  return `${state.paymentStatus} · ${formatEur(state.amountPaidCents)} of ${formatEur(state.amountDueCents)}`;
}

/** Step 3 onwards: coverage, estimates, arrival and visa, open tasks, the final invoice, follow-ups. */
function treatmentRowsOf(state: CaseState, nowMs: number): [string, string][] {
  const t = state.treatment;
  const rows: [string, string][] = [];
  if (t.coverage) rows.push(['Coverage', t.coverage.route]);
  const latest = t.estimates[t.estimates.length - 1];
  if (latest) {
    const more = t.estimates.length > 1 ? ` (${t.estimates.length} estimates)` : '';
    rows.push(['Estimate', `${latest.number} ${latest.status} · ${formatEur(latest.totalCents)}${more}`]);
  }
  if (t.arrival) rows.push(['Arrival', `${t.arrivedAt ? 'arrived, ' : ''}${formatDay(t.arrival.date, nowMs)} · ${t.arrival.plannedStayDays} days · ${t.arrival.site}`]);
  if (t.visa) rows.push(['Visa', `${t.visa.status}${t.visa.urgent ? ', URGENT' : ''}`]);
  const open = t.tasks.filter((x) => x.status === 'open');
  if (open.length) rows.push(['Open tasks', `${open.length}: ${[...new Set(open.map((x) => x.team))].join(', ')}`]);
  if (t.reconciliation) rows.push(['Final invoice', `${t.reconciliation.invoiceNumber} ${t.reconciliation.outcome}`]);
  const next = t.followUps.map((f) => Date.parse(f.at)).filter((at) => at >= nowMs).sort((a, b) => a - b)[0];
  if (next !== undefined) rows.push(['Follow-up', `${formatParis(next, nowMs)} Paris`]);
  return rows;
}
