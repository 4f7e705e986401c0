// Request and response schemas of a case's documents. The multipart text fields are strict like
// every body: an unknown field is refused.
import { DOCUMENT_KIND_IDS, ISSUED_DOCUMENT_KIND_IDS } from '../../config/documentKinds';
import { MEDIA_TYPES } from '../uploads/fileTypes';
import { z } from './common';
import { fieldMessages, schemaMessage } from './fieldMessages';

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'code' });

/** ISO 639-1 code, lower case, known to the runtime's ICU data and in its current form ("he", not "iw"). */
export const documentLanguage = z
  .string()
  .regex(/^[a-z]{2}$/, schemaMessage(fieldMessages.languageCodeFormat()))
  .refine((code) => languageNames.of(code) !== code && Intl.getCanonicalLocales(code)[0] === code, schemaMessage(fieldMessages.languageCodeUnknown()))
  .openapi({ example: 'ar' });

export const uploadFields = z.strictObject({
  kind: z.enum(DOCUMENT_KIND_IDS).openapi({ description: 'What the document is: the checklist item it answers.' }),
  language: documentLanguage.openapi({ description: 'Language the document is written in; other than fr or en, it needs a translation.' }),
});

const binary = z.string().openapi({ type: 'string', format: 'binary' });

export const uploadBody = uploadFields
  .extend({
    files: z.array(binary).min(1).openapi({
      description: 'One or more files of this kind and language (a DICOM series may be several files). PDF, JPEG, PNG or DICOM, detected from the content; the file name is kept as metadata only.',
    }),
  })
  .openapi('DocumentUpload');

export const documentIdParam = z.object({
  reference: z.string().openapi({ example: 'INT-2026-000123' }),
  documentId: z.string().openapi({ example: '3f2b8c1e-5d4a-4f6b-9c7d-1a2b3c4d5e6f' }),
});

export const documentMetadata = z
  .object({
    documentId: z.string(),
    kind: z.enum([...DOCUMENT_KIND_IDS, ...ISSUED_DOCUMENT_KIND_IDS]).openapi({ description: 'An uploaded kind, or one Parcours issues (estimate, visa_certificate, final_invoice)' }),
    language: z.string(),
    needsTranslation: z.boolean().openapi({ description: 'Not in French or English: it does not satisfy its checklist item until translated.' }),
    mediaType: z.enum(MEDIA_TYPES).openapi({ description: 'Detected from the content, not from the name.' }),
    sizeBytes: z.number().int(),
    sha256: z.string(),
    originalName: z.string().openapi({ description: "The client's file name, without any path, as metadata only." }),
    uploadedById: z.string(),
    createdAt: z.string(),
    links: z.object({ download: z.string() }),
  })
  .openapi('Document');

export const documentList = z.object({ items: z.array(documentMetadata) }).openapi('DocumentList');

export const unsupportedFiles = z
  .array(z.object({ file: z.string().openapi({ description: 'The file name as sent, without any path.' }), reason: z.string() }))
  .openapi({ description: 'Each refused file and why (415 only).' });

export const binaryFile = binary;
