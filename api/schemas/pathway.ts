// Request schemas of the pathway's steps 1–2. Strict objects: a client sets only what the step takes.
import { MDT_STRATEGIES } from '../../workflows/definitions';
import { countryCode, email, isoDate, name, phone, shortText, z } from './common';
import { fieldMessages, schemaMessage } from './fieldMessages';

/** Questionnaire answers, every field optional (answer in several goes); checked field by field. */
export const questionnaireBody = z
  .strictObject({
    firstName: name.optional(),
    lastName: name.optional(),
    sex: z.enum(['female', 'male', 'other']).optional(),
    dateOfBirth: isoDate.refine((d) => d <= new Date().toISOString().slice(0, 10), schemaMessage(fieldMessages.birthDateInFuture())).optional(),
    placeOfBirth: shortText(100).optional(),
    nationality: countryCode.optional(),
    phone: phone.optional(),
    email: email.optional(),
    postalAddress: shortText(300).optional(),
    referrerName: name.optional(),
    referrerInstitution: shortText(200).optional(),
    referrerPhone: phone.optional(),
    referrerEmail: email.optional(),
    reason: shortText(2000).optional(),
    pathologyName: shortText(200).optional(),
    pathologyLocation: shortText(200).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, schemaMessage(fieldMessages.atLeastOneAnswer()))
  .openapi('Questionnaire');

export const declareNoneBody = z.strictObject({ none: z.boolean() }).openapi('DeclareNone');
export const itemParams = z.object({ reference: z.string(), itemId: z.string().regex(/^[a-z_]{2,50}$/, schemaMessage(fieldMessages.unknownChecklistItem())) });

export const reviewBody = z
  .discriminatedUnion('decision', [
    z.strictObject({ decision: z.literal('complete') }),
    z.strictObject({
      decision: z.literal('incomplete'),
      missingItems: z.array(z.string().regex(/^[a-z_]{2,50}$/)).min(1, schemaMessage(fieldMessages.atLeastOneMissingItem())).max(30),
      message: shortText(2000),
    }),
  ])
  .openapi('CompletenessReview');

export const assignCoordinatorBody = z.strictObject({ coordinatorId: z.uuid(schemaMessage(fieldMessages.coordinatorIdFormat())) }).openapi('AssignCoordinator');
export const requestChangesBody = z.strictObject({ message: shortText(2000) }).openapi('RequestChanges');
export const reasonBody = z.strictObject({ reason: shortText(500) }).openapi('Reason');

export const reportBody = z
  .discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('mdt'), strategy: z.enum(MDT_STRATEGIES), summary: shortText(5000) }),
    z.strictObject({ kind: z.literal('analysis'), diagnosis: shortText(500), diagnosisStatus: z.enum(['new', 'confirmed']), summary: shortText(5000) }),
  ])
  .openapi('Report');
