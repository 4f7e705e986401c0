// Request and response schemas of secure messaging (/cases/:reference/messages). The post body is
// strict: the author, their role, the time and the read receipt are set by the server, never sent.
import { STAFF_ROLES } from '../policy';
import { z } from './common';
import { fieldMessages, schemaMessage } from './fieldMessages';

export const MESSAGE_BODY_MAX = 5000;
export const MESSAGE_ATTACHMENTS_MAX = 10;

export const postMessageBody = z
  .strictObject({
    body: z
      .string()
      .trim()
      .min(1, schemaMessage(fieldMessages.messageEmpty()))
      .max(MESSAGE_BODY_MAX, schemaMessage(fieldMessages.messageTooLong({ max: MESSAGE_BODY_MAX })))
      .openapi({ description: 'The message text. Never sent by email: the other side is only told there is a message.' }),
    attachmentIds: z
      .array(z.string().min(1, schemaMessage(fieldMessages.emptyDocumentId())).max(100, schemaMessage(fieldMessages.notDocumentId())))
      .max(MESSAGE_ATTACHMENTS_MAX, schemaMessage(fieldMessages.tooManyAttachments({ max: MESSAGE_ATTACHMENTS_MAX })))
      .refine((ids) => new Set(ids).size === ids.length, schemaMessage(fieldMessages.documentListedTwice()))
      .optional()
      .openapi({ description: 'IDs of documents already uploaded to this case.' }),
  })
  .openapi('PostMessage');

export type PostMessageBody = z.infer<typeof postMessageBody>;

export const messageParams = z.object({
  reference: z.string().openapi({ example: 'INT-2026-000123' }),
  messageId: z.string().openapi({ example: '3f0c2b9e-8a51-4d0e-9a5f-0c1d2e3f4a5b' }),
});

export const AUTHOR_ROLES = ['patient', 'referrer', ...STAFF_ROLES] as const;

export const message = z
  .object({
    id: z.string(),
    reference: z.string().openapi({ example: 'INT-2026-000123' }),
    authorId: z.string(),
    authorRole: z.enum(AUTHOR_ROLES),
    authorSide: z.enum(['patient', 'staff']).openapi({ description: 'The patient side (patient, referring doctor) or the centre’s staff.' }),
    body: z.string(),
    attachmentIds: z.array(z.string()),
    createdAt: z.string().openapi({ format: 'date-time' }),
    readAt: z
      .string()
      .nullable()
      .openapi({ format: 'date-time', description: 'When someone on the other side first read it; null until then.' }),
    readById: z.string().nullable().openapi({ description: 'Who first read it (on the other side).' }),
  })
  .openapi('Message');

export const messageList = z
  .object({
    items: z.array(message).openapi({ description: 'Oldest first.' }),
    countryOfResidence: z.string().openapi({ description: "The patient's country of residence (ISO 3166-1 alpha-2), so pages can show times in the patient's own zone too.", example: 'SN' }),
  })
  .openapi('MessageList');
