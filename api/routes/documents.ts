// A case's documents: upload (multipart, sniffed, content-addressed, all or nothing), list, download.
// The caller is authorised before a single byte of the body is read; the workflow is told of each
// stored document and derives the checklist from them.
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator } from 'express-rate-limit';
import multer from 'multer';
import type { Case, Document } from '../../generated/prisma/client';
import type { AppConfig } from '../../lib/config';
import type { Db } from '../../lib/db';
import { DOCUMENT_KINDS, type DocumentKind } from '../../config/documentKinds';
import { isCaseState, writeCaseState } from '../../lib/caseView';
import { addDocumentUpdate, LANGUAGES, TERMINAL_PHASES, type CaseAnswer } from '../../workflows/definitions';
import { requirePrincipal } from '../auth/principal';
import type { CaseAccess } from '../caseAccess';
import { errorMessages, fieldMessages } from '../errorMessages';
import { ApiError, fieldsSaid, inEachLanguage, invalidFields, parseOr400 } from '../errors';
import { limiter } from '../rateLimits';
import { json, type ApiRoutes } from '../routing';
import { referenceParam } from '../schemas/cases';
import { z } from '../schemas/common';
import { binaryFile, documentIdParam, documentList, unsupportedFiles, uploadBody, uploadFields } from '../schemas/documents';
import { cleanFileName, DocumentStore } from '../../lib/documentStore';
import { MEDIA_TYPES, nameForType, sniff, SNIFF_BYTES, TYPE_NAMES, type Sniffed } from '../uploads/fileTypes';
import { toApiError } from '../temporalErrors';

export interface DocumentsRouteDeps {
  db: Db;
  client: Client;
  access: CaseAccess;
  uploads: AppConfig['uploads'];
}

const error = (description: string) => json(z.unknown(), description);


export function metadata(reference: string, d: Document) {
  return {
    documentId: d.id,
    kind: d.kind,
    language: d.language,
    needsTranslation: d.needsTranslation,
    mediaType: d.mediaType,
    sizeBytes: d.sizeBytes,
    sha256: d.sha256,
    originalName: d.originalName,
    uploadedById: d.uploadedById,
    createdAt: d.createdAt.toISOString(),
    links: { download: `/cases/${reference}/documents/${d.id}` },
  };
}

/** Multer and busboy failures, as what the client did wrong; disk faults stay 500s. */
function uploadError(err: unknown, limits: { maxBytes: number; maxFiles: number }): unknown {
  if (err instanceof multer.MulterError) {
    // multer 2.5 names the file on size errors; its type declarations do not know it yet.
    const filename = (err as { filename?: string }).filename;
    const fileName = filename === undefined ? undefined : cleanFileName(filename);
    switch (err.code) {
      case 'LIMIT_FILE_SIZE':
        return new ApiError(413, 'file_too_large', errorMessages.file_too_large({ fileName, maxBytes: limits.maxBytes }));
      case 'LIMIT_FILE_COUNT':
        return new ApiError(413, 'too_many_files', errorMessages.too_many_files({ maxFiles: limits.maxFiles }));
      case 'LIMIT_UNEXPECTED_FILE':
        if (err.field === 'files') return new ApiError(413, 'too_many_files', errorMessages.too_many_files({ maxFiles: limits.maxFiles }));
        return invalidFields(errorMessages.unexpected_file_field({ field: err.field ?? '' }), fieldsSaid([{ path: err.field ?? '(body)', said: fieldMessages.unexpectedFileField() }]));
      default:
        return new ApiError(400, 'malformed_multipart', errorMessages.malformed_multipart_form({ detail: err.message, code: err.code }));
    }
  }
  // Node system errors (disk full, permissions) are ours; anything else is a malformed body.
  if (typeof (err as NodeJS.ErrnoException | null)?.syscall === 'string') return err;
  return new ApiError(400, 'malformed_multipart', errorMessages.malformed_multipart_body({ detail: err instanceof Error ? err.message : undefined }));
}

export function registerDocumentRoutes(api: ApiRoutes, deps: DocumentsRouteDeps): void {
  const { db, client, access, uploads } = deps;
  const tag = 'Documents';
  const store = new DocumentStore(uploads.documentsDir);
  const limits = { maxBytes: uploads.maxBytes, maxFiles: uploads.maxFiles };

  const receive = multer({
    // A string destination is created now; files get a random name, never the client's.
    storage: multer.diskStorage({ destination: store.incomingDir, filename: (_req, _file, cb) => cb(null, `${crypto.randomUUID()}.upload`) }),
    limits: { fileSize: uploads.maxBytes, files: uploads.maxFiles, fields: 10, fieldSize: 100, fieldNameSize: 100, parts: uploads.maxFiles + 10 },
    // Browsers send UTF-8 file names (an Arabic name would otherwise arrive garbled).
    defParamCharset: 'utf8',
  }).array('files', uploads.maxFiles);

  /** The case the `before` chain authorised, handed to the upload handler. */
  const authorised = new WeakMap<Request, Case>();

  const uploadLimit = limiter(deps.db, 'upload', 60_000, uploads.rateLimitPerMin, (req) => req.principal?.userId ?? ipKeyGenerator(req.ip ?? 'unknown'));

  /** Authorises, and refuses a closed case or a non-multipart body, before any byte is read. */
  const authorise: RequestHandler = async (req, _res, next) => {
    const c = await access.loadForWrite(req, String(req.params.reference), 'document.upload');
    if ((TERMINAL_PHASES as readonly string[]).includes(c.phase)) {
      throw new ApiError(409, 'case_closed', errorMessages.case_closed_no_documents({ reference: c.reference, phase: c.phase }));
    }
    if (!req.is('multipart/form-data')) {
      throw new ApiError(415, 'unsupported_media_type', errorMessages.unsupported_media_type_multipart());
    }
    authorised.set(req, c);
    next();
  };

  const receiveFiles: RequestHandler = (req, res, next) => {
    receive(req, res, (err?: unknown) => next(err === undefined || err === null ? undefined : uploadError(err, limits)));
  };

  api.add({
    method: 'post', path: '/cases/:reference/documents', tag, access: 'signed_in', action: 'document.upload',
    summary: 'Upload documents of one kind and language (patient side or allowed staff); the workflow is told of each',
    request: {
      params: referenceParam,
      body: { content: { 'multipart/form-data': { schema: uploadBody } }, required: true },
    },
    responses: {
      201: json(documentList, 'Stored, and the case workflow told'),
      409: error('The case is closed'),
      413: error('A file is over the size limit, or too many files (the message gives the limit); nothing was stored'),
      415: json(z.object({ error: z.object({ code: z.literal('unsupported_file_type'), message: z.string(), details: unsupportedFiles }) }), 'A file is not PDF, JPEG, PNG or DICOM (by content), or the body is not multipart; nothing was stored'),
    },
    before: [uploadLimit, authorise, receiveFiles],
    handler: async (req, res) => {
      const c = authorised.get(req);
      if (!c) throw new Error('upload handler reached without an authorised case');
      const p = requirePrincipal(req);
      const files = Array.isArray(req.files) ? req.files : [];
      const temps = files.map((f) => f.path);
      let created: Document[];
      try {
        const fields = parseOr400(uploadFields, { ...(req.body as object) }, 'upload form');
        if (files.length === 0) {
          throw invalidFields(errorMessages.no_file_received(), fieldsSaid([{ path: 'files', said: fieldMessages.required() }]));
        }
        const kind: DocumentKind | undefined = DOCUMENT_KINDS.find((k) => k.id === fields.kind);
        const checked = await Promise.all(
          files.map(async (f) => {
            let sniffed: Sniffed = sniff(await store.readHead(f.path, SNIFF_BYTES));
            if (sniffed.ok && kind?.accepts && !kind.accepts.includes(sniffed.mediaType)) {
              const wanted = kind.accepts.map((t) => TYPE_NAMES[t]);
              sniffed = { ok: false, reason: errorMessages.file_wrong_type_for_kind({ kind: kind.id, label: kind.label, wanted, got: TYPE_NAMES[sniffed.mediaType] }) };
            }
            return { file: f, name: cleanFileName(f.originalname), sniffed };
          }),
        );
        // Kept under a name that matches the content: a PNG sent as scan.pdf is scan.png.
        const accepted = checked.flatMap((x) => (x.sniffed.ok ? [{ ...x, name: nameForType(x.name, x.sniffed.mediaType), mediaType: x.sniffed.mediaType }] : []));
        if (accepted.length < checked.length) {
          const refused = checked.flatMap((x) => (x.sniffed.ok ? [] : [{ file: x.name, reason: x.sniffed.reason }]));
          const details = inEachLanguage((lang) => refused.map((r) => ({ file: r.file, reason: r.reason[lang] })));
          throw new ApiError(415, 'unsupported_file_type', errorMessages.files_refused({ refused: refused.length, total: files.length }), details.en, details);
        }

        // Blobs first, rows second: a failure in between leaves an unreferenced blob, never a row without its file.
        const stored: { name: string; sha256: string; size: number; mediaType: string }[] = [];
        for (const x of accepted) {
          const sha256 = await store.hash(x.file.path);
          await store.keep(x.file.path, sha256);
          stored.push({ name: x.name, sha256, size: x.file.size, mediaType: x.mediaType });
        }
        const needsTranslation = !(LANGUAGES as readonly string[]).includes(fields.language);
        const rows = await db.$transaction(
          stored.map((s) =>
            db.document.create({
              data: { caseId: c.id, sha256: s.sha256, sizeBytes: s.size, mediaType: s.mediaType, kind: fields.kind, language: fields.language, needsTranslation, originalName: s.name, uploadedById: p.userId },
            }),
          ),
        );

        const uploadedBy = `${p.kind === 'staff' ? (p.role ?? 'staff') : p.kind}:${p.userId}`;
        const handle = client.workflow.getHandle(c.workflowId);
        let signalled = 0;
        try {
          let state: CaseAnswer | undefined;
          for (const d of rows) {
            // The document ID is the update ID: a retried delivery is applied once.
            state = await handle.executeUpdate(addDocumentUpdate, { args: [{ documentId: d.id, kind: d.kind, language: d.language, needsTranslation: d.needsTranslation, uploadedBy }], updateId: d.id });
            signalled++;
          }
          // Older cases answer the whole view, stored here; newer ones stored it themselves before answering.
          if (state && isCaseState(state)) await writeCaseState(db, state);
        } catch (err) {
          // The workflow must know every stored document: drop the rows it was not told of.
          await db.document.deleteMany({ where: { id: { in: rows.slice(signalled).map((d) => d.id) } } });
          const mapped = toApiError(err, errorMessages.documents_no_running_workflow({ reference: c.reference }));
          if (signalled > 0 && mapped instanceof ApiError) {
            throw new ApiError(mapped.status, mapped.code, errorMessages.documents_partly_stored({ stored: signalled }), {
              stored: rows.slice(0, signalled).map((d) => metadata(c.reference, d)),
            });
          }
          throw mapped;
        }
        created = rows;
      } finally {
        // Kept blobs are hard links, so the received files can always go; before answering, so a
        // client never sees a temporary file outlive its request.
        await store.discard(temps);
      }
      res.status(201).json({ items: created.map((d) => metadata(c.reference, d)) });
    },
  });

  api.add({
    method: 'get', path: '/cases/:reference/documents', tag, access: 'signed_in', action: 'document.read',
    summary: "The case's documents (metadata), oldest first",
    request: { params: referenceParam },
    responses: { 200: json(documentList, 'Documents of the case') },
    handler: async (req, res) => {
      const c = await access.load(req, String(req.params.reference), 'document.read', 'document.list');
      const rows = await db.document.findMany({ where: { caseId: c.id }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
      res.json({ items: rows.map((d) => metadata(c.reference, d)) });
    },
  });

  api.add({
    method: 'get', path: '/cases/:reference/documents/:documentId', tag, access: 'signed_in', action: 'document.read',
    summary: 'Download one document (as an attachment, with the type detected at upload)',
    request: { params: documentIdParam },
    responses: {
      200: {
        description: 'The file; Content-Disposition: attachment with its original name',
        content: Object.fromEntries(MEDIA_TYPES.map((t) => [t, { schema: binaryFile }])),
      },
    },
    handler: async (req, res) => {
      const c = await access.load(req, String(req.params.reference), 'document.read', 'document.download', { documentId: String(req.params.documentId) });
      const d = await db.document.findFirst({ where: { id: String(req.params.documentId), caseId: c.id } });
      if (!d) throw new ApiError(404, 'not_found', errorMessages.document_not_found({ documentId: String(req.params.documentId), reference: c.reference }));
      // attachment() guesses a type from the name: the detected type is set after it, and wins.
      res.attachment(d.originalName);
      res.type(d.mediaType);
      res.set('Cache-Control', 'private, no-store');
      try {
        await new Promise<void>((resolve, reject) => res.sendFile(store.blobPath(d.sha256), (err) => (err ? reject(err) : resolve())));
      } catch (err) {
        // The error answer is JSON, not a file to save.
        if (!res.headersSent) res.removeHeader('Content-Disposition');
        throw err;
      }
    },
  });
}
