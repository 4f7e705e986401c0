// The authorization matrix, apart from how requests reach the API: every signed-in route × every kind
// of caller × own or foreign case, checked against api/policy.ts. test/authorization.test.ts runs it
// in process (supertest); test/cluster.test.ts over real HTTP through several API instances.
import { isAllowed, policy, STAFF_ROLES, type Action, type StaffRole } from '../../api/policy';
import type { Operation } from '../../api/routing';

/** Whoever calls: only the access token matters here. */
export interface Caller {
  token: string;
}

export interface MatrixActors {
  /** The patient who owns the case in `ids.reference`. */
  owner: Caller;
  /** Another patient, and a referrer, neither linked to that case. */
  stranger: Caller;
  referrer: Caller;
  staff: Record<StaffRole, Caller>;
}

/** The path parameters: a case of `owner`'s with a document and a message. */
export interface MatrixIds {
  reference: string;
  documentId: string;
  messageId: string;
  number: string;
  taskId: string;
}

/** Well-formed, so an allowed caller gets past the path checks to the workflow (which refuses in step 1). */
export const PLACEHOLDER_IDS = { number: 'DEV-2026-000001', taskId: 'T1' } as const;

export interface MatrixReply {
  status: number;
  body: { error?: { code?: string } } | undefined;
}

/** Sends `op` to `url` as `caller` (none: no token), with an empty JSON body for writes. */
export type MatrixSend = (op: Operation, url: string, caller?: Caller) => Promise<MatrixReply>;

/** The signed-in operations, sign-out last: it ends the session the other requests use. */
export const signedInOperations = (operations: readonly Operation[]): Operation[] =>
  operations.filter((op) => op.access === 'signed_in').sort((a, b) => Number(a.path === '/auth/logout') - Number(b.path === '/auth/logout'));

export const urlOf = (op: Operation, ids: MatrixIds): string =>
  op.path.replace(/:(\w+)/g, (_, name: string) => (ids as unknown as Record<string, string>)[name] ?? (name === 'itemId' ? 'operation_reports' : `missing-${name}`));

const isCaseBound = (op: Operation) => op.path.includes(':reference');
const routeOf = (op: Operation) => `${op.method} ${op.path}`;

export interface Expectation {
  who: string;
  caller: Caller;
  expect: 'allowed' | 403 | 404;
}

export function expectations(op: Operation, actors: MatrixActors): Expectation[] {
  const action = op.action as Action | 'self';
  const out: Expectation[] = [];
  const patientSide = (who: string, caller: Caller, owns: boolean): Expectation => {
    if (action === 'self') return { who, caller, expect: 'allowed' };
    // On a case that is not theirs the patient side learns nothing: 404, whatever the action.
    if (isCaseBound(op) && !owns) return { who, caller, expect: 404 };
    return { who, caller, expect: policy[action].patientSide ? 'allowed' : 403 };
  };
  out.push(patientSide('owner patient', actors.owner, true), patientSide('other patient', actors.stranger, false), patientSide('other referrer', actors.referrer, false));
  for (const role of STAFF_ROLES) {
    out.push({ who: role, caller: actors.staff[role], expect: action === 'self' || isAllowed(action, { kind: 'staff', role }) ? 'allowed' : 403 });
  }
  return out;
}

/** Each signed-in route answered without a token: the test expects 401 from every one. */
export async function withoutToken(operations: readonly Operation[], ids: MatrixIds, send: MatrixSend): Promise<{ route: string; status: number }[]> {
  const out: { route: string; status: number }[] = [];
  for (const op of signedInOperations(operations)) out.push({ route: routeOf(op), status: (await send(op, urlOf(op, ids))).status });
  return out;
}

/**
 * Every signed-in route as every caller; the failures, one line each (empty: the policy holds).
 * Ends with every caller signed out (the sign-out route is in the matrix).
 */
export async function matrixFailures(operations: readonly Operation[], ids: MatrixIds, actors: MatrixActors, send: MatrixSend): Promise<string[]> {
  const failures: string[] = [];
  for (const op of signedInOperations(operations)) {
    for (const e of expectations(op, actors)) {
      const res = await send(op, urlOf(op, ids), e.caller);
      // Allowed by the policy: the route may still refuse for business reasons (wrong phase, invalid
      // body, or `not_your_case` when a care coordinator acts on a case assigned to another).
      const policyRefusal = [401, 404].includes(res.status) || (res.status === 403 && res.body?.error?.code !== 'not_your_case');
      const ok = e.expect === 'allowed' ? !policyRefusal && res.status < 500 : res.status === e.expect;
      if (!ok) failures.push(`${op.method.toUpperCase()} ${op.path} as ${e.who}: expected ${e.expect}, got ${res.status} ${JSON.stringify(res.body?.error?.code ?? '')}`);
    }
  }
  return failures;
}
