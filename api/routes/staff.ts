// GET /staff: the active staff accounts (name and role only), so a coordinator can pick the care
// coordinator of a case by name rather than by account ID.
import type { Db } from '../../lib/db';
import { requireAllowed } from '../auth/principal';
import type { StaffRole } from '../policy';
import { json, type ApiRoutes } from '../routing';
import { parseQuery } from '../schemas/query';
import { staffList, staffQuery } from '../schemas/staff';

export interface StaffRouteDeps {
  db: Db;
}

/** More than a hospital's international office has: the list is never paged. */
const MAX_STAFF = 500;

export function registerStaffRoutes(api: ApiRoutes, deps: StaffRouteDeps): void {
  api.add({
    method: 'get', path: '/staff', tag: 'Staff', access: 'signed_in', action: 'staff.list',
    summary: 'Active staff accounts, by name (coordinators and ops): e.g. ?role=care_coordinator to assign a case',
    request: { query: staffQuery },
    responses: { 200: json(staffList, 'Active staff accounts (with a password set), by name') },
    handler: async (req, res) => {
      requireAllowed(req, 'staff.list');
      const q = parseQuery(staffQuery, req.query);
      const rows = await deps.db.user.findMany({
        where: { kind: 'staff', disabledAt: null, passwordHash: { not: null }, ...(q.role ? { role: q.role } : {}) },
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
        select: { id: true, name: true, role: true },
        take: MAX_STAFF,
      });
      res.json({ items: rows.map((u) => ({ id: u.id, name: u.name, role: u.role as StaffRole })) });
    },
  });
}
