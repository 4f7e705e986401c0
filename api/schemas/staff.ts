// Query and response schemas of GET /staff: the staff directory, to pick a care coordinator for a case.
import { STAFF_ROLES } from '../policy';
import { z } from './common';
import { strictQuery } from './query';

export const staffQuery = strictQuery({
  role: z.enum(STAFF_ROLES).optional().openapi({ description: 'Only the accounts of this role (e.g. care_coordinator).' }),
});

export const staffMember = z
  .object({
    id: z.string().openapi({ description: 'The account ID (what PUT /cases/{reference}/coordinator takes).' }),
    name: z.string(),
    role: z.enum(STAFF_ROLES),
  })
  .openapi('StaffMember');

export const staffList = z.object({ items: z.array(staffMember) }).openapi('StaffList');
