// The ops views of the Temporal Web UI's workflow list: one saved view per role a case may wait on, and
// the columns that show where each case stands (search attributes, workflows/definitions.ts).
//
// Temporal UI 2.42.1 keeps both in the browser (localStorage), per namespace; nothing on the server
// configures them. What it accepts, and what this module builds:
// - a saved view by URL: opening `/namespaces/<ns>/workflows?query=<query>&savedQuery=<name>` saves
//   the query under that name (opening it again saves it again: a second view of the same name);
// - columns by hand only ("Configure Columns"), or by setting their localStorage entry
//   (`namespace-workflow-table-columns`), which `columnsScript` does from the browser's console.
// test/browser.temporalUi.test.ts applies both to the real UI and checks the list shows the columns.
import { AWAITING_ROLES, type AwaitingRole } from '../workflows/definitions';

export interface OpsView {
  name: string;
  query: string;
}

/** Roles a running case waits on, with the name of their view. */
const VIEW_NAMES: Partial<Record<AwaitingRole, string>> = {
  admission_coordinator: 'Admission team',
  care_coordinator: 'Care coordinators',
  finance: 'Finance',
  mdt: 'MDT',
  patient: 'Patients',
};

/** One view per role: the running cases that wait on it. */
export const OPS_VIEWS: OpsView[] = AWAITING_ROLES.filter((role) => VIEW_NAMES[role]).map((role) => ({
  name: VIEW_NAMES[role]!,
  query: `AwaitingRole="${role}" AND ExecutionStatus="Running"`,
}));

/**
 * The list's columns, in order: the UI's own first two (pinned), then where the case stands. Labels are
 * the UI's names for its built-in columns and the search attributes' names for the others.
 */
export const OPS_COLUMNS = ['Status', 'Workflow ID', 'CasePhase', 'AwaitingRole', 'PaymentStatus', 'NextDeadline', 'RequestType'] as const;

/** The link that saves a view in the browser that opens it (open it once). */
export function savedViewUrl(uiUrl: string, namespace: string, view: OpsView): string {
  return `${uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(namespace)}/workflows?query=${encodeURIComponent(view.query)}&savedQuery=${encodeURIComponent(view.name)}`;
}

/**
 * JavaScript for the browser's console on the Temporal UI's page: sets the workflow list's columns of
 * this namespace (other namespaces keep theirs), then reloads the page.
 */
export function columnsScript(namespace: string): string {
  const columns = OPS_COLUMNS.map((label, i) => ({ label, pinned: i < 2 }));
  return `(() => { const k = 'namespace-workflow-table-columns'; const all = JSON.parse(localStorage.getItem(k) || '{}'); all[${JSON.stringify(namespace)}] = ${JSON.stringify(columns)}; localStorage.setItem(k, JSON.stringify(all)); location.reload(); })();`;
}
