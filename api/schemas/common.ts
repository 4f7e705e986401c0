// Building blocks of request schemas. zod is extended once here so every schema can carry OpenAPI
// metadata; the OpenAPI document is generated from these schemas, never written by hand.
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { fieldMessages, schemaMessage } from './fieldMessages';

extendZodWithOpenApi(z);
export { z };

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

/** ISO 3166-1 alpha-2 country code, upper case, known to the runtime's ICU data. */
export const countryCode = z
  .string()
  // `abort`: a value that is not two capitals never reaches the lookup below (which throws on it).
  .regex(/^[A-Z]{2}$/, { message: schemaMessage(fieldMessages.countryCodeFormat()), abort: true })
  .refine((code) => regionNames.of(code) !== code, schemaMessage(fieldMessages.countryCodeUnknown()))
  .openapi({ example: 'MA' });

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, schemaMessage(fieldMessages.dateFormat()))
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), schemaMessage(fieldMessages.dateNotReal()));

export const name = z.string().trim().min(1, schemaMessage(fieldMessages.required())).max(100, schemaMessage(fieldMessages.atMostCharacters({ max: 100 })));
export const email = z.email(schemaMessage(fieldMessages.emailInvalid())).max(254);
export const phone = z.string().trim().regex(/^\+?[0-9 ().-]{6,20}$/, schemaMessage(fieldMessages.phoneFormat()));
export const shortText = (max: number) => z.string().trim().min(1, schemaMessage(fieldMessages.required())).max(max, schemaMessage(fieldMessages.atMostCharacters({ max })));

export const errorResponse = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'validation_failed' }),
      message: z.string(),
      details: z.unknown().nullable(),
      requestId: z.string().optional(),
    }),
  })
  .openapi('Error');
