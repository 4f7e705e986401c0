// /worklist: the cases waiting on the caller's role, /worklist/mine: every case a care coordinator
// coordinates (whatever it waits on), and /worklist/tasks: the open tasks of the caller's team. Answered from the database read model and audit trail, which the workflows keep up to
// date: listing many cases must not cost one workflow query each.
import { Prisma } from '../../generated/prisma/client';
import type { TaskTeam } from '../../config/stay';
import { jsonText, type Db } from '../../lib/db';
import type { AuditLog } from '../audit';
import { TERMINAL_PHASES, type AwaitingRole } from '../../workflows/definitions';
import type { Request, Response } from 'express';
import type { AuditReadAction } from '../audit';
import { requireAllowed, type Principal } from '../auth/principal';
import { errorMessages } from '../errorMessages';
import { fieldsSaid, invalidFields } from '../errors';
import type { StaffRole } from '../policy';
import { json, type ApiRoutes } from '../routing';
import { parseQuery } from '../schemas/query';
import { taskWorklistPage, taskWorklistQuery } from '../schemas/treatment';
import { myWorklistQuery, worklistPage, worklistQuery, type WorklistQuery } from '../schemas/worklist';

export interface WorklistRouteDeps {
  db: Db;
  audit: AuditLog;
}

/**
 * The awaited role each staff role works on. Nothing waits on medical assistants or support yet (their
 * steps come later): they get an empty list. Ops are not here: they see every open case.
 */
const AWAITED_ROLE: Record<Exclude<StaffRole, 'ops'>, Extract<AwaitingRole, StaffRole> | null> = {
  admission_coordinator: 'admission_coordinator',
  care_coordinator: 'care_coordinator',
  finance: 'finance',
  mdt: 'mdt',
  medical_assistant: null,
  support: null,
};

/** The team whose tasks each staff role works on (config/stay.ts PATIENT_REQUESTS); ops see every team's. */
const TASK_TEAM: Record<Exclude<StaffRole, 'ops'>, TaskTeam | null> = {
  admission_coordinator: null,
  care_coordinator: 'care_coordinator',
  finance: 'finance',
  mdt: null,
  medical_assistant: 'medical_assistant',
  support: 'support',
};

/** A scalar of an event's JSON payload as a string ('' when absent: the row is still listed, not lost). */
function payloadString(payload: Prisma.JsonValue, key: string): string {
  const value = payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload[key] : undefined;
  return typeof value === 'string' ? value : '';
}

/** The patient's name as the case was opened (the read model's columns). */
const patientNameOf = (c: { patientFirstName: string; patientLastName: string }) => `${c.patientFirstName} ${c.patientLastName}`.trim();

/** The optional filters both case worklists take. `now` is the instant of the overdue flag too. */
function filtersOf(q: Omit<WorklistQuery, 'awaitingRole' | 'limit' | 'offset'>, now: Date): Prisma.CaseWhereInput[] {
  return [
    ...(q.phase ? [{ phase: q.phase }] : []),
    ...(q.requestType ? [{ requestType: q.requestType }] : []),
    ...(q.country ? [{ countryOfResidence: q.country }] : []),
    ...(q.overdue === true ? [{ nextDeadline: { lt: now } }] : []),
    ...(q.overdue === false ? [{ OR: [{ nextDeadline: null }, { nextDeadline: { gte: now } }] }] : []),
  ];
}

export function registerWorklistRoutes(api: ApiRoutes, deps: WorklistRouteDeps): void {
  const { db, audit } = deps;
  /** Every page a worklist answers is recorded first: each shows patients' names. */
  const sendList = async <P extends { items: readonly { reference: string }[] }>(req: Request, res: Response, who: Principal, action: AuditReadAction, page: P) => {
    await audit.recordListRead(req, who, action, page);
    res.json(page);
  };

  /** One page of cases, overdue first, then by deadline; each with its overdue flag at `now`. */
  async function casePage(where: Prisma.CaseWhereInput, page: { limit: number; offset: number }, now: Date) {
    const [rows, total] = await Promise.all([
      db.case.findMany({
        where,
        // Ascending deadlines put the overdue cases (deadlines already past) first; the reference
        // breaks ties so pages never overlap.
        orderBy: [{ nextDeadline: { sort: 'asc', nulls: 'last' } }, { createdAt: 'asc' }, { reference: 'asc' }],
        skip: page.offset,
        take: page.limit,
      }),
      db.case.count({ where }),
    ]);
    return {
      items: rows.map((c) => ({
        reference: c.reference,
        requestType: c.requestType,
        phase: c.phase,
        awaitingRole: c.awaitingRole,
        countryOfResidence: c.countryOfResidence,
        patientName: patientNameOf(c),
        coordinatorId: c.coordinatorId,
        nextDeadline: c.nextDeadline?.toISOString() ?? null,
        overdue: c.nextDeadline !== null && c.nextDeadline < now,
        createdAt: c.createdAt.toISOString(),
      })),
      total,
      ...page,
    };
  }

  api.add({
    method: 'get', path: '/worklist', tag: 'Worklist', access: 'signed_in', action: 'worklist.read',
    summary: "Cases waiting on my role (staff): overdue first, then by deadline. Ops see every open case",
    request: { query: worklistQuery },
    responses: { 200: json(worklistPage, 'One page of the worklist, with the total matching') },
    handler: async (req, res) => {
      const p = requireAllowed(req, 'worklist.read');
      const q = parseQuery(worklistQuery, req.query);
      const page = { limit: q.limit, offset: q.offset };
      // requireAllowed admits staff only ('worklist.read' is closed to the patient side), so role is set.
      const role = p.role as StaffRole;

      const scope: Prisma.CaseWhereInput[] = [];
      if (role === 'ops') {
        if (q.awaitingRole) scope.push({ awaitingRole: q.awaitingRole });
      } else {
        const awaited = AWAITED_ROLE[role];
        if (q.awaitingRole && q.awaitingRole !== awaited) {
          const said = awaited ? errorMessages.worklist_other_role({ awaited }) : errorMessages.worklist_role_awaited_by_none({ role });
          throw invalidFields(said, fieldsSaid([{ path: 'awaitingRole', said }]));
        }
        if (!awaited) {
          await sendList(req, res, p, 'worklist.read', { items: [], total: 0, ...page });
          return;
        }
        scope.push({ awaitingRole: awaited });
        // Care coordinators follow their own patients (a case waits on the one assigned to it), and
        // any of them may take a complete file that has no coordinator yet.
        if (role === 'care_coordinator') scope.push({ OR: [{ coordinatorId: p.userId }, { coordinatorId: null, phase: 'coordinator_assignment' }] });
      }

      // One instant for both the filter and the flag, so an item's `overdue` always agrees with `?overdue=`.
      const now = new Date();
      const where: Prisma.CaseWhereInput = {
        AND: [
          // A case in a terminal phase waits on nobody, whatever its last awaitingRole, unless it waits
          // on finance to return money owed (workflows/moneyBack.ts: the only wait after the end).
          { OR: [{ phase: { notIn: [...TERMINAL_PHASES] } }, { awaitingRole: 'finance' }] },
          ...scope,
          ...filtersOf(q, now),
        ],
      };
      await sendList(req, res, p, 'worklist.read', await casePage(where, page, now));
    },
  });

  api.add({
    method: 'get', path: '/worklist/mine', tag: 'Worklist', access: 'signed_in', action: 'worklist.mine',
    summary: 'Every open case I coordinate (care coordinators), whatever it waits on (me, the patient, finance, the MDT…): overdue first, then by deadline',
    request: { query: myWorklistQuery },
    responses: { 200: json(worklistPage, 'One page of my cases, with the total matching') },
    handler: async (req, res) => {
      const p = requireAllowed(req, 'worklist.mine');
      const q = parseQuery(myWorklistQuery, req.query);
      const now = new Date();
      // From the read model's coordinator column, which the workflow writes with each change of the case.
      const where: Prisma.CaseWhereInput = { AND: [{ coordinatorId: p.userId }, { phase: { notIn: [...TERMINAL_PHASES] } }, ...filtersOf(q, now)] };
      await sendList(req, res, p, 'worklist.mine', await casePage(where, { limit: q.limit, offset: q.offset }, now));
    },
  });

  api.add({
    method: 'get', path: '/worklist/tasks', tag: 'Worklist', access: 'signed_in', action: 'worklist.read',
    summary: "Open tasks of my team (staff), oldest first: care coordinators see those of their own cases. Ops see every team's",
    request: { query: taskWorklistQuery },
    responses: { 200: json(taskWorklistPage, 'One page of open tasks, with the total matching') },
    handler: async (req, res) => {
      const p = requireAllowed(req, 'worklist.read');
      const q = parseQuery(taskWorklistQuery, req.query);
      const page = { limit: q.limit, offset: q.offset };
      const role = p.role as StaffRole; // staff only, as for /worklist

      let team: TaskTeam | undefined = q.team;
      if (role !== 'ops') {
        const mine = TASK_TEAM[role];
        if (q.team && q.team !== mine) {
          const said = mine ? errorMessages.tasks_other_team({ team: mine }) : errorMessages.tasks_role_without_team({ role });
          throw invalidFields(said, fieldsSaid([{ path: 'team', said }]));
        }
        if (!mine) {
          await sendList(req, res, p, 'worklist.tasks', { items: [], total: 0, ...page });
          return;
        }
        team = mine;
      }

      // The audit trail is the read model of tasks: a task is open from its `task_created` event until
      // a `task_done` event of the same case names it. Tasks of an ended case are nobody's work any more.
      const conditions: Prisma.Sql[] = [
        Prisma.sql`e."type" = 'task_created'`,
        Prisma.sql`c."phase" NOT IN (${Prisma.join([...TERMINAL_PHASES])})`,
        Prisma.sql`NOT EXISTS (SELECT 1 FROM "CaseEvent" d WHERE d."caseId" = e."caseId" AND d."type" = 'task_done' AND ${jsonText(db, 'd."payload"', 'taskId')} = ${jsonText(db, 'e."payload"', 'taskId')})`,
      ];
      if (team) conditions.push(Prisma.sql`${jsonText(db, 'e."payload"', 'team')} = ${team}`);
      // Care coordinators follow their own patients, as in /worklist.
      if (role === 'care_coordinator') conditions.push(Prisma.sql`c."coordinatorId" = ${p.userId}`);
      const where = Prisma.join(conditions, ' AND ');
      const from = Prisma.sql`FROM "CaseEvent" e JOIN "Case" c ON c."id" = e."caseId" WHERE ${where}`;
      const [ids, [{ n }]] = await Promise.all([
        // The event ID breaks ties between events of the same instant, so pages never overlap.
        db.$queryRaw<{ id: number }[]>`SELECT e."id" AS id ${from} ORDER BY e."at" ASC, e."id" ASC LIMIT ${q.limit} OFFSET ${q.offset}`,
        db.$queryRaw<{ n: number | bigint }[]>`SELECT COUNT(*) AS n ${from}`,
      ]);
      const events = await db.caseEvent.findMany({ where: { id: { in: ids.map((r) => Number(r.id)) } }, include: { case: true } });
      const byId = new Map(events.map((e) => [e.id, e]));
      await sendList(req, res, p, 'worklist.tasks', {
        items: ids.flatMap(({ id }) => {
          const e = byId.get(Number(id));
          if (!e) return [];
          return [{
            taskId: payloadString(e.payload, 'taskId'),
            kind: payloadString(e.payload, 'kind'),
            team: payloadString(e.payload, 'team'),
            reference: e.case.reference,
            patientName: patientNameOf(e.case),
            requestType: e.case.requestType,
            phase: e.case.phase,
            coordinatorId: e.case.coordinatorId,
            requestedBy: e.actor,
            createdAt: e.at.toISOString(),
          }];
        }),
        total: Number(n),
        ...page,
      });
    },
  });
}
