// GET /me/export: the patient's right of access (GDPR art. 15). One ZIP archive of the caller's own
// data: data.json (the account, and for each of its cases the questionnaire, timeline, documents list,
// messages, payments and refunds) and the files of the case's documents. Only cases the caller owns
// (api/caseAccess.ts ownCasesWhere), never another patient's; each exported case is in the audit trail.
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../lib/db';
import { readCaseState } from '../../lib/caseView';
import { safeFileName, writeZip, zipFits, type ZipEntry } from '../../lib/zipArchive';
import type { AuditLog } from '../audit';
import { requireAllowed } from '../auth/principal';
import { ownCasesWhere } from '../caseAccess';
import { inReaderWords } from '../caseResponse';
import { errorMessages } from '../errorMessages';
import { ApiError, requestId } from '../errors';
import { answerLanguage } from '../language';
import type { ApiRoutes } from '../routing';
import { binaryFile } from '../schemas/documents';
import { DocumentStore } from '../../lib/documentStore';
import { metadata } from './documents';
import { view as messageView } from './messages';

export interface ExportRouteDeps {
  db: Db;
  audit: AuditLog;
  documentsDir: string;
}

/** Version of data.json's shape, for whoever reads an archive later. */
const FORMAT = 'parcours-export/1';

export function registerExportRoutes(api: ApiRoutes, deps: ExportRouteDeps): void {
  const { db, audit } = deps;
  const store = new DocumentStore(deps.documentsDir);

  api.add({
    method: 'get', path: '/me/export', tag: 'Account', access: 'signed_in', action: 'data.export',
    summary: 'Download my data (patient side): one ZIP with data.json (account, cases, questionnaire, timeline, documents list, messages, payments, refunds) and the documents’ files',
    responses: { 200: { description: 'The ZIP archive, as an attachment', content: { 'application/zip': { schema: binaryFile } } } },
    handler: async (req, res) => {
      const p = requireAllowed(req, 'data.export');
      const lang = answerLanguage(req, res);
      const now = new Date();
      const user = await db.user.findUniqueOrThrow({ where: { id: p.userId }, select: { id: true, email: true, name: true, kind: true, language: true, createdAt: true, emailVerifiedAt: true } });
      const cases = await db.case.findMany({
        where: ownCasesWhere(p),
        orderBy: { createdAt: 'asc' },
        include: {
          documents: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
          messages: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
          payments: { orderBy: { receivedAt: 'asc' } },
          refunds: { orderBy: { recordedAt: 'asc' } },
        },
      });
      const root = `parcours-${now.toISOString().slice(0, 10)}`;
      const files: ZipEntry[] = [];
      const bundle = {
        format: FORMAT,
        exportedAt: now.toISOString(),
        language: lang,
        account: { ...user, createdAt: user.createdAt.toISOString(), emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null },
        cases: await Promise.all(cases.map(async (c) => {
          const state = await readCaseState(db, c, lang);
          return {
            reference: c.reference,
            requestType: c.requestType,
            language: c.language,
            createdAt: c.createdAt.toISOString(),
            patient: c.patient,
            referrer: c.referrer,
            // Questionnaire, checklist, estimates, stay, timeline: as the patient reads them on GET /cases/{reference}.
            state: state ? inReaderWords(state, lang, 'patient_side') : null,
            documents: c.documents.map((d) => {
              const file = `${root}/documents/${c.reference}/${d.id}-${safeFileName(d.originalName, 'document')}`;
              files.push({ name: file, file: store.blobPath(d.sha256), size: d.sizeBytes });
              const { links: _links, ...meta } = metadata(c.reference, d);
              return { ...meta, file: file.slice(root.length + 1) };
            }),
            messages: c.messages.map((m) => messageView(m, c.reference)),
            payments: c.payments.map((x) => ({ paymentId: x.paymentId, amountCents: x.amountCents, currency: x.currency, purpose: x.purpose, paidAt: x.paidAt.toISOString(), receivedAt: x.receivedAt.toISOString() })),
            refunds: c.refunds.map((x) => ({ refundId: x.refundId, amountCents: x.amountCents, method: x.method, reference: x.reference, recordedAt: x.recordedAt.toISOString() })),
          };
        })),
      };
      const entries: ZipEntry[] = [{ name: `${root}/data.json`, data: Buffer.from(`${JSON.stringify(bundle, null, 2)}\n`, 'utf8') }, ...files];
      if (!zipFits(entries)) throw new ApiError(413, 'export_too_large', errorMessages.export_too_large());
      // A missing file is found now, while the answer can still be an error (a 500, logged), not a cut archive.
      await Promise.all(files.flatMap((f) => ('file' in f ? [fs.access(f.file)] : [])));
      // Recorded before anything is sent, the patient as actor: one entry per case exported (one without
      // a case when there is none), so each case's trail shows the export.
      await audit.recordList({ actorId: p.userId, actorRole: p.kind, action: 'data.export', requestId: requestId(req), detail: { cases: cases.length, documents: files.length } }, cases.map((c) => c.reference));
      res.status(200);
      res.set({ 'Content-Type': 'application/zip', 'Content-Disposition': `attachment; filename="${path.basename(root)}.zip"`, 'Cache-Control': 'private, no-store' });
      try {
        await writeZip(res, entries, now);
      } catch (err) {
        // Headers are gone: cut the connection, so the client sees a failed download, not a short archive.
        res.destroy();
        throw err;
      }
      res.end();
    },
  });
}
