// /worklist: the cases waiting on the caller's role. Answered from the database read model, which the
// workflows keep up to date: listing many cases must not cost one workflow query each.
import type { Prisma } from '../../generated/prisma/client';
import type { Db } from '../../lib/db';
import { TERMINAL_PHASES, type AwaitingRole } from '../../workflows/definitions';
import { requireAllowed } from '../auth/principal';
import { ApiError } from '../errors';
import type { StaffRole } from '../policy';
import { json, type ApiRoutes } from '../routing';
import { parseQuery } from '../schemas/query';
import { worklistPage, worklistQuery } from '../schemas/worklist';

export interface WorklistRouteDeps {
  db: Db;
}

/**
 * The awaited role each staff role works on. Nothing waits on medical assistants or support yet (their
 * steps come later): they get an empty list. Ops are not here: they see every open case.
 */
const AWAITED_ROLE: Record<Exclude<StaffRole, 'ops'>, AwaitingRole | null> = {
  admission_coordinator: 'admission_coordinator',
  care_coordinator: 'care_coordinator',
  finance: 'finance',
  mdt: 'mdt',
  medical_assistant: null,
  support: null,
};


export function registerWorklistRoutes(api: ApiRoutes, deps: WorklistRouteDeps): void {
  const { db } = deps;
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
          const message = awaited
            ? `Your worklist holds the cases waiting on ${awaited}; only ops can list cases waiting on another role. Omit awaitingRole.`
            : `Nothing waits on your role (${role}) yet; only ops can list cases by awaitingRole. Omit awaitingRole.`;
          throw new ApiError(400, 'validation_failed', message, [{ path: 'awaitingRole', message }]);
        }
        if (!awaited) {
          res.json({ items: [], total: 0, ...page });
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
          // A case in a terminal phase waits on nobody, whatever its last awaitingRole.
          { phase: { notIn: [...TERMINAL_PHASES] } },
          ...scope,
          ...(q.phase ? [{ phase: q.phase }] : []),
          ...(q.requestType ? [{ requestType: q.requestType }] : []),
          ...(q.country ? [{ countryOfResidence: q.country }] : []),
          ...(q.overdue === true ? [{ nextDeadline: { lt: now } }] : []),
          ...(q.overdue === false ? [{ OR: [{ nextDeadline: null }, { nextDeadline: { gte: now } }] }] : []),
        ],
      };
      const [rows, total] = await Promise.all([
        db.case.findMany({
          where,
          // Ascending deadlines put the overdue cases (deadlines already past) first; the reference
          // breaks ties so pages never overlap.
          orderBy: [{ nextDeadline: { sort: 'asc', nulls: 'last' } }, { createdAt: 'asc' }, { reference: 'asc' }],
          skip: q.offset,
          take: q.limit,
        }),
        db.case.count({ where }),
      ]);
      res.json({
        items: rows.map((c) => ({
          reference: c.reference,
          requestType: c.requestType,
          phase: c.phase,
          awaitingRole: c.awaitingRole,
          countryOfResidence: c.countryOfResidence,
          coordinatorId: c.coordinatorId,
          nextDeadline: c.nextDeadline?.toISOString() ?? null,
          overdue: c.nextDeadline !== null && c.nextDeadline < now,
          createdAt: c.createdAt.toISOString(),
        })),
        total,
        ...page,
      });
    },
  });
}
