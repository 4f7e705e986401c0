// What must hold after a chaos run, each check returning the violations it found (empty: it held).
import fs from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import type { System } from '../harness/system';
import { readCaseState } from '../lib/caseView';
import type { PaymentPayload } from '../harness/treatmentCase';
import { getStateQuery, workflowIdFor, type CaseState } from '../workflows/definitions';
import { dataConverterOf } from '../lib/payloadCrypto';

const EventType = temporal.api.enums.v1.EventType;
const NON_DETERMINISTIC = temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR;

export interface Evidence {
  cases: number;
  closed: number;
  emails: {
    expectedPerCase: number; delivered: number; missing: number; duplicates: number; unexpected: number;
    /**
     * How long a delivered email stayed unrecorded: from the SMTP server having it to the worker
     * recording it sent (ms). A worker killed in that window sends it again: the duplicates' cause.
     */
    unrecordedMs: { measured: number; p50: number; p99: number; max: number; over100: number; slowest: { atSecond: number; ms: number; toWorkerMs: number }[] };
  };
  payments: { sent: number; deliveries: number; countedInWorkflows: number; rowsInDatabase: number };
  readModelMismatches: number;
  nondeterminism: number;
  replayed: number;
  /** Cases whose workflow task still fails at the end (set by the run, after the checks). */
  blocked: number;
}

export interface CheckResult {
  violations: string[];
  evidence: Evidence;
}

/** Runs every check over the cases; `payments` are the distinct payments the provider confirmed. */
export async function checkRun(sys: System, references: string[], payments: PaymentPayload[], deliveries: number, careBundle: string, emailMarkedAt: Map<string, { acceptedAt: number; at: number }>, startedAt: number): Promise<CheckResult> {
  const violations: string[] = [];
  const states = new Map<string, CaseState>();
  for (const reference of references) {
    try {
      states.set(reference, await sys.client.workflow.getHandle(workflowIdFor(reference)).query(getStateQuery));
    } catch (err) {
      violations.push(`${reference}: the workflow cannot answer its state query: ${err instanceof Error ? err.message.slice(0, 300) : String(err)}`);
    }
  }

  // 1. Every case closed.
  const closed = references.filter((r) => states.get(r)?.phase === 'closed');
  for (const r of references) if (states.get(r)?.phase !== 'closed') violations.push(`${r}: ended in ${states.get(r)?.phase}, expected closed`);

  // 2. Exactly one email per (case, business event): the outbox key names the event, the Message-ID
  //    derives from it; the captured mailbox must hold each exactly once, and every case the same set.
  const rows = await sys.db.outboundEmail.findMany({ where: { caseReference: { in: references } } });
  const received = new Map<string, number>();
  const firstReceived = new Map<string, number>();
  for (const m of sys.smtp.messages) {
    received.set(m.messageId, (received.get(m.messageId) ?? 0) + 1);
    if (!firstReceived.has(m.messageId)) firstReceived.set(m.messageId, m.receivedAt);
  }
  const windows = rows
    .map((row) => {
      const received = firstReceived.get(row.messageId) ?? NaN;
      const marked = emailMarkedAt.get(row.idempotencyKey);
      return { at: received, ms: (marked?.at ?? NaN) - received, toWorkerMs: (marked?.acceptedAt ?? NaN) - received };
    })
    .filter((w) => Number.isFinite(w.ms))
    .sort((a, b) => a.ms - b.ms);
  const unrecorded = windows.map((w) => w.ms);
  const quantile = (q: number) => unrecorded[Math.min(unrecorded.length - 1, Math.floor(q * unrecorded.length))] ?? 0;
  let missing = 0;
  let duplicates = 0;
  for (const row of rows) {
    const n = received.get(row.messageId) ?? 0;
    if (n === 0) {
      missing++;
      violations.push(`${row.caseReference}: email ${row.idempotencyKey} never delivered (outbox status ${row.status}, ${row.attempts} attempts)`);
    } else if (n > 1) {
      duplicates++;
      violations.push(`${row.caseReference}: email ${row.idempotencyKey} delivered ${n} times`);
    }
  }
  // The business event of a key: without the workflow ID and the per-case sequence number (concurrent
  // steps may take their numbers in either order).
  const eventsOf = (reference: string) => rows.filter((r) => r.caseReference === reference).map((r) => r.idempotencyKey.replace(`${workflowIdFor(reference)}:`, '').replace(/:\d+$/, '')).sort().join('\n');
  // A case whose estimate was paid in full before its payment request was due gets none (the workflow
  // records payment_request_skipped): the request is not expected of it.
  const skipped = new Set((await sys.db.caseEvent.findMany({ where: { type: 'payment_request_skipped', case: { reference: { in: references } } }, select: { case: { select: { reference: true } } } })).map((e) => e.case.reference));
  const sets = new Map<string, number>();
  for (const r of references) sets.set(eventsOf(r), (sets.get(eventsOf(r)) ?? 0) + 1);
  const expected = [...sets.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  const expectedList = expected ? expected.split('\n') : [];
  let unexpected = 0;
  for (const r of references) {
    const got = eventsOf(r).split('\n').filter(Boolean);
    const lacking = without(expectedList, got).filter((e) => !(e === 'guarantee_request' && skipped.has(r)));
    const extra = without(got, expectedList);
    if (lacking.length) {
      missing += lacking.length;
      violations.push(`${r}: no email for ${lacking.join(', ')} (every other case had one)`);
    }
    if (extra.length) {
      unexpected += extra.length;
      violations.push(`${r}: emails no other case had: ${extra.join(', ')}`);
    }
  }

  // 3. Every payment counted once, in the workflow and in the database, and the totals match.
  const dbPayments = await sys.db.payment.findMany({ where: { case: { reference: { in: references } } }, include: { case: { select: { reference: true } } } });
  let counted = 0;
  for (const r of references) {
    const sent = payments.filter((p) => p.caseReference === r);
    const inWorkflow = states.get(r)?.payments ?? [];
    counted += inWorkflow.length;
    for (const p of sent) {
      const n = inWorkflow.filter((x) => x.paymentId === p.paymentId).length;
      if (n !== 1) violations.push(`${r}: payment ${p.paymentId} counted ${n} times by the workflow`);
      const rowsFor = dbPayments.filter((x) => x.paymentId === p.paymentId).length;
      if (rowsFor !== 1) violations.push(`${r}: payment ${p.paymentId} has ${rowsFor} rows in the database`);
    }
    const total = (xs: { amountCents: number }[]) => xs.reduce((a, b) => a + b.amountCents, 0);
    if (total(sent) !== total(inWorkflow)) violations.push(`${r}: paid ${total(sent)} cents, the workflow counts ${total(inWorkflow)}`);
    if (total(sent) !== total(dbPayments.filter((x) => x.case.reference === r))) violations.push(`${r}: paid ${total(sent)} cents, the database holds ${total(dbPayments.filter((x) => x.case.reference === r))}`);
  }

  // 4. The read model (what people read) agrees with the state the workflow recorded: its columns and
  //    the view the API serves.
  const caseRows = await sys.db.case.findMany({ where: { reference: { in: references } } });
  let mismatches = 0;
  for (const row of caseRows) {
    const s = states.get(row.reference);
    if (!s) continue; // already reported: no state to compare with
    const view = await readCaseState(sys.db, row);
    const fields = ['phase', 'awaitingRole', 'coordinatorId', 'paymentStatus', 'amountDueCents', 'amountPaidCents', 'refundDueCents'] as const;
    const diffs = [
      ...(['phase', 'awaitingRole', 'coordinatorId'] as const).filter((k) => (row[k] ?? null) !== (s[k] ?? null)).map((k) => `column ${k}=${row[k]} vs ${s[k]}`),
      ...fields.filter((k) => (view?.[k] ?? null) !== (s[k] ?? null)).map((k) => `view ${k}=${String(view?.[k])} vs ${String(s[k])}`),
      ...(view && view.payments.length !== s.payments.length ? [`view payments ${view.payments.length} vs ${s.payments.length}`] : []),
    ];
    if (diffs.length) {
      mismatches++;
      violations.push(`${row.reference}: read model differs from the workflow's state: ${diffs.join(', ')}`);
    }
  }
  if (caseRows.length !== references.length) violations.push(`${references.length - caseRows.length} case(s) missing from the database`);

  // 5. No nondeterminism: no workflow task failed for it, and every history replays on today's code.
  let nondeterminism = 0;
  const histories = [];
  for (const r of references) {
    const handle = sys.client.workflow.getHandle(workflowIdFor(r));
    const history = await handle.fetchHistory();
    const failed = (history.events ?? []).filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED && e.workflowTaskFailedEventAttributes?.cause === NON_DETERMINISTIC);
    if (failed.length) {
      nondeterminism++;
      violations.push(`${r}: ${failed.length} workflow task(s) failed with a nondeterminism error`);
    }
    histories.push({ workflowId: handle.workflowId, history });
  }
  let replayed = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: careBundle }, dataConverter: dataConverterOf(sys.client) }, histories)) {
    replayed++;
    if (result.error) {
      nondeterminism++;
      violations.push(`${result.workflowId}: replay failed: ${result.error.message.slice(0, 400)}`);
      // For diagnosis: the history as stored (payloads encrypted), where CHAOS_HISTORY_DIR says.
      const dir = process.env.CHAOS_HISTORY_DIR;
      if (dir) fs.writeFileSync(path.join(dir, `${result.workflowId}.json`), JSON.stringify(histories.find((h) => h.workflowId === result.workflowId)?.history));
    }
  }

  return {
    violations,
    evidence: {
      cases: references.length,
      closed: closed.length,
      emails: {
        expectedPerCase: expectedList.length, delivered: rows.length - missing, missing, duplicates, unexpected,
        unrecordedMs: { measured: unrecorded.length, p50: quantile(0.5), p99: quantile(0.99), max: unrecorded[unrecorded.length - 1] ?? 0,
          over100: unrecorded.filter((ms) => ms > 100).length,
          // When the slowest were delivered (seconds into the run), to set beside the faults, and how much of
          // the time the server's acceptance took to reach the worker (the rest: recording it).
          slowest: windows.slice(-8).reverse().map((w) => ({ atSecond: Math.round((w.at - startedAt) / 100) / 10, ms: w.ms, toWorkerMs: w.toWorkerMs })),
        },
      },
      payments: { sent: payments.length, deliveries, countedInWorkflows: counted, rowsInDatabase: dbPayments.length },
      readModelMismatches: mismatches,
      nondeterminism,
      replayed,
      blocked: 0,
    },
  };
}

/** The items of `xs` left once each item of `ys` took away one equal item (multiset difference). */
function without(xs: readonly string[], ys: readonly string[]): string[] {
  const left = [...xs];
  for (const y of ys) {
    const i = left.indexOf(y);
    if (i >= 0) left.splice(i, 1);
  }
  return left;
}
