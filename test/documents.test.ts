// Documents end to end: multipart upload → content sniffing → content-addressed file + Document row
// → documentAdded signal → workflow state; listing and download; every refusal stores nothing.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { signUp, staff, type Actor } from './support/actors';
import { eventually, validCase, waitForState } from './support/cases';
import { startStack, type Stack } from './support/stack';

const MAX_BYTES = 4096;
const MAX_FILES = 3;

// Tiny but real files: each starts with its format's signature.
const filler = (n: number, seed: string) => Buffer.from(seed.repeat(Math.ceil(n / seed.length)).slice(0, n), 'latin1');
const pdf = (seed = crypto.randomUUID()) => Buffer.from(`%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% ${seed}\ntrailer << /Root 1 0 R >>\n%%EOF\n`, 'latin1');
const jpeg = (seed = crypto.randomUUID()) => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), filler(200, seed), Buffer.from([0xff, 0xd9])]);
const png = (seed = crypto.randomUUID()) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), filler(200, seed)]);
const dicom = (seed = crypto.randomUUID(), preamble = Buffer.alloc(0)) => {
  const head = Buffer.alloc(128);
  preamble.copy(head);
  return Buffer.concat([head, Buffer.from('DICM', 'latin1'), filler(300, seed)]);
};
const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');

interface UploadFile {
  bytes: Buffer;
  name: string;
  /** The type the client declares (never trusted). */
  type?: string;
  /** Sent as given: form-data otherwise keeps only the base name. */
  rawPath?: boolean;
}

function upload(stack: Stack, actor: Actor | null, reference: string, files: UploadFile[], fields: Record<string, string> = { kind: 'imaging_report', language: 'fr' }) {
  let req = request(stack.app).post(`/cases/${reference}/documents`);
  if (actor) req = req.set(actor.auth);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  for (const f of files) {
    const contentType = f.type ?? 'application/octet-stream';
    // form-data's `filepath` option sends the name untouched; superagent's types do not list it.
    const options = f.rawPath ? ({ filepath: f.name, contentType } as unknown as { filename: string }) : { filename: f.name, contentType };
    req = req.attach('files', f.bytes, options);
  }
  return req;
}

/** GET with the body kept as raw bytes whatever the content type. */
interface DocumentBody {
  documentId: string;
  originalName: string;
  sha256: string;
  links: { download: string };
}
const itemsOf = (res: { body: unknown }) => (res.body as { items: DocumentBody[] }).items;

function download(stack: Stack, actor: Actor | null, url: string) {
  let req = request(stack.app).get(url);
  if (actor) req = req.set(actor.auth);
  return req.buffer(true).parse((res, cb) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => cb(null, Buffer.concat(chunks)));
  });
}

async function openCase(stack: Stack, actor: Actor): Promise<string> {
  const res = await request(stack.app).post('/cases').set(actor.auth).send(validCase());
  expect(res.status).toBe(201);
  const reference = res.body.reference as string;
  await waitForState(stack.app, actor.auth, reference, (s) => s.phase === 'file_collection' && s.timeline.some((e) => e.type === 'acknowledgement_sent'));
  return reference;
}

/** Every file under a folder, relative to it. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

describe('documents', () => {
  let stack: Stack;
  let owner: Actor;
  let other: Actor;
  let reference: string;
  let otherReference: string;
  let documentsDir: string;
  const blob = (sha: string) => path.join(documentsDir, sha.slice(0, 2), sha);
  const incoming = () => filesUnder(path.join(documentsDir, 'incoming'));

  /** What an upload may change: nothing at all after a refusal. */
  async function stored() {
    return { rows: await stack.db.document.count(), files: filesUnder(documentsDir).sort() };
  }

  beforeAll(async () => {
    stack = await startStack({ env: { UPLOAD_MAX_BYTES: String(MAX_BYTES), UPLOAD_MAX_FILES: String(MAX_FILES) } });
    documentsDir = stack.config.uploads.documentsDir;
    [owner, other] = await Promise.all([signUp(stack, 'patient'), signUp(stack, 'patient')]);
    [reference, otherReference] = await Promise.all([openCase(stack, owner), openCase(stack, other)]);
  });
  afterAll(async () => {
    await stack.stop();
  });

  describe('POST /cases/:reference/documents', () => {
    it.each([
      // The name and declared type are deliberately misleading: only the content counts, and the name
      // kept (and served) matches it.
      ['PDF', { bytes: pdf(), name: 'lettre.pdf', type: 'application/pdf' }, 'application/pdf', 'lettre.pdf'],
      ['JPEG', { bytes: jpeg(), name: 'photo.png', type: 'image/png' }, 'image/jpeg', 'photo.jpg'],
      ['PNG', { bytes: png(), name: 'scan.png', type: 'image/png' }, 'image/png', 'scan.png'],
      ['PNG sent as a PDF', { bytes: png(), name: 'scan.pdf', type: 'application/pdf' }, 'image/png', 'scan.png'],
      ['DICOM', { bytes: dicom(), name: 'IM000001', type: 'application/octet-stream' }, 'application/dicom', 'IM000001.dcm'],
    ])('stores a %s under its hash, and the owner downloads it as an attachment of the detected type', async (_label, file, mediaType, name) => {
      const res = await upload(stack, owner, reference, [file]);
      expect(res.status).toBe(201);
      expect(res.body.items).toHaveLength(1);
      const doc = res.body.items[0];
      expect(doc).toMatchObject({ kind: 'imaging_report', language: 'fr', needsTranslation: false, mediaType, sizeBytes: file.bytes.length, sha256: sha256(file.bytes), originalName: name, uploadedById: owner.userId });
      expect(doc.links.download).toBe(`/cases/${reference}/documents/${doc.documentId}`);

      // Content-addressed on disk, the received file gone from incoming/.
      expect(fs.readFileSync(blob(sha256(file.bytes)))).toEqual(file.bytes);
      expect(incoming()).toEqual([]);
      const row = await stack.db.document.findUniqueOrThrow({ where: { id: doc.documentId }, include: { case: true } });
      expect(row).toMatchObject({ sha256: sha256(file.bytes), mediaType, originalName: name, uploadedById: owner.userId });
      expect(row.case.reference).toBe(reference);

      const got = await download(stack, owner, doc.links.download);
      expect(got.status).toBe(200);
      expect(got.headers['content-type']).toBe(mediaType);
      expect(got.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="?${name.replace('.', '\\.')}"?$`));
      expect(got.headers['x-content-type-options']).toBe('nosniff');
      expect(got.body).toEqual(file.bytes);
    });

    it('tells the workflow: the case state lists the document, and one in Arabic needs a translation', async () => {
      const res = await upload(stack, owner, reference, [{ bytes: pdf(), name: 'تقرير التشريح.pdf', type: 'application/pdf' }], { kind: 'pathology_report', language: 'ar' });
      expect(res.status).toBe(201);
      const doc = res.body.items[0];
      expect(doc).toMatchObject({ kind: 'pathology_report', language: 'ar', needsTranslation: true, originalName: 'تقرير التشريح.pdf' });
      expect(await stack.db.document.findUniqueOrThrow({ where: { id: doc.documentId } })).toMatchObject({ needsTranslation: true, language: 'ar' });

      const state = await waitForState(stack.app, owner.auth, reference, (s) => s.documents.some((d) => d.documentId === doc.documentId));
      expect(state.documents.find((d) => d.documentId === doc.documentId)).toEqual({
        documentId: doc.documentId,
        kind: 'pathology_report',
        language: 'ar',
        needsTranslation: true,
        uploadedBy: `patient:${owner.userId}`,
      });

      // A UTF-8 name survives to the download (RFC 6266 filename*).
      const got = await download(stack, owner, doc.links.download);
      expect(got.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent('تقرير التشريح.pdf')}`);
    });

    it('takes only DICOM files as DICOM images: a PDF or a photo of the scans is refused with what to do, and nothing is stored', async () => {
      const before = await stored();
      for (const file of [{ bytes: pdf(), name: 'scanner.pdf' }, { bytes: jpeg(), name: 'IM0001.dcm' }]) {
        const res = await upload(stack, owner, reference, [file], { kind: 'dicom_images', language: 'en' });
        expect(res.status).toBe(415);
        expect(res.body.error.code).toBe('unsupported_file_type');
        expect(res.body.error.details).toEqual([{ file: file.name, reason: expect.stringMatching(/must be DICOM files, and this one is (PDF|JPEG).*"Imaging report"/) }]);
      }
      expect(await stored()).toEqual(before);
      expect(incoming()).toEqual([]);
    });

    it('takes a DICOM series in one request, and keeps one file for identical content', async () => {
      const slice = dicom();
      const before = await stack.db.document.count();
      const res = await upload(stack, owner, reference, [
        { bytes: slice, name: 'IM0001.dcm' },
        { bytes: dicom(), name: 'IM0002.dcm' },
        { bytes: slice, name: 'IM0001-again.dcm' },
      ], { kind: 'dicom_images', language: 'en' });
      expect(res.status).toBe(201);
      expect(itemsOf(res).map((d) => d.originalName)).toEqual(['IM0001.dcm', 'IM0002.dcm', 'IM0001-again.dcm']);
      expect(await stack.db.document.count()).toBe(before + 3);
      expect(res.body.items[0].sha256).toBe(res.body.items[2].sha256);
      expect(filesUnder(documentsDir).filter((f) => f.endsWith(sha256(slice)))).toEqual([path.join(sha256(slice).slice(0, 2), sha256(slice))]);
      const state = await waitForState(stack.app, owner.auth, reference, (s) => itemsOf(res).every((d) => s.documents.some((x) => x.documentId === d.documentId)));
      expect(state.documents.filter((d) => d.kind === 'dicom_images')).toHaveLength(3);
    });

    it('answers 413 naming the limit for an oversized file, and stores nothing', async () => {
      const before = await stored();
      const big = Buffer.concat([pdf(), Buffer.alloc(MAX_BYTES, 0x20)]);
      const res = await upload(stack, owner, reference, [{ bytes: pdf(), name: 'small.pdf' }, { bytes: big, name: 'big.pdf', type: 'application/pdf' }]);
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('file_too_large');
      expect(res.body.error.message).toContain(String(MAX_BYTES));
      expect(res.body.error.message).toContain('"big.pdf"');
      expect(await stored()).toEqual(before);
      expect(incoming()).toEqual([]);
    });

    it('answers 413 for more files than allowed, and stores nothing', async () => {
      const before = await stored();
      const files = Array.from({ length: MAX_FILES + 1 }, (_, i) => ({ bytes: pdf(), name: `page-${i}.pdf` }));
      const res = await upload(stack, owner, reference, files);
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('too_many_files');
      expect(res.body.error.message).toContain(`At most ${MAX_FILES} files`);
      expect(await stored()).toEqual(before);
    });

    it.each([
      ['an HTML page named .pdf', { bytes: Buffer.from('<!DOCTYPE html><html><script>alert(document.cookie)</script></html>'), name: 'report.pdf', type: 'application/pdf' }, /not a PDF, JPEG, PNG or DICOM/],
      ['a Windows executable named .pdf', { bytes: Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(200)]), name: 'report.pdf', type: 'application/pdf' }, /not a PDF, JPEG, PNG or DICOM/],
      ['a DICOM/PE polyglot', { bytes: dicom(undefined, Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00', 'latin1')), name: 'IM0001.dcm', type: 'application/dicom' }, /CVE-2019-11687/],
      ['an empty file', { bytes: Buffer.alloc(0), name: 'empty.pdf', type: 'application/pdf' }, /empty/],
    ])('answers 415 for %s, and stores nothing', async (_label, file, reason) => {
      const before = await stored();
      const res = await upload(stack, owner, reference, [file]);
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe('unsupported_file_type');
      expect(res.body.error.details).toEqual([{ file: file.name, reason: expect.stringMatching(reason) }]);
      expect(await stored()).toEqual(before);
      expect(incoming()).toEqual([]);
    });

    it('refuses a whole request when one of its files is refused (all or nothing)', async () => {
      const before = await stored();
      const good = pdf();
      const res = await upload(stack, owner, reference, [
        { bytes: good, name: 'good.pdf', type: 'application/pdf' },
        { bytes: Buffer.from('<svg onload="alert(1)"/>'), name: 'evil.png', type: 'image/png' },
      ]);
      expect(res.status).toBe(415);
      expect(res.body.error.details).toEqual([{ file: 'evil.png', reason: expect.any(String) }]);
      expect(await stored()).toEqual(before);
      expect(fs.existsSync(blob(sha256(good)))).toBe(false);
    });

    it('keeps a path-traversal file name as metadata only: stored under its hash, nothing outside the documents folder', async () => {
      const stackDir = path.dirname(documentsDir);
      const outsideBefore = filesUnder(stackDir).filter((f) => !f.startsWith(`${path.basename(documentsDir)}${path.sep}`));
      const bytes = pdf();
      const res = await upload(stack, owner, reference, [
        { bytes, name: '../../etc/passwd.pdf', type: 'application/pdf', rawPath: true },
        // Browsers send a line feed in a file name as %0A, which multer decodes back.
        { bytes: pdf(), name: '..\\..\\windows\\win.ini%0A.pdf', type: 'application/pdf', rawPath: true },
      ]);
      expect(res.status).toBe(201);
      expect(itemsOf(res).map((d) => d.originalName)).toEqual(['passwd.pdf', 'win.ini.pdf']);
      expect(fs.readFileSync(blob(sha256(bytes)))).toEqual(bytes);
      // Only content-addressed blobs in the documents folder; nothing new beside it, nothing named by the client.
      for (const f of filesUnder(documentsDir)) expect(f).toMatch(/^[0-9a-f]{2}[/\\][0-9a-f]{64}$/);
      const outsideAfter = filesUnder(stackDir).filter((f) => !f.startsWith(`${path.basename(documentsDir)}${path.sep}`));
      expect(outsideAfter.filter((f) => !/^parcours\.db(-wal|-shm|-journal)?$/.test(f))).toEqual(outsideBefore.filter((f) => !/^parcours\.db(-wal|-shm|-journal)?$/.test(f)));
      expect(filesUnder(stackDir).some((f) => /passwd|win\.ini/.test(f))).toBe(false);
      expect(fs.existsSync(path.resolve(documentsDir, '..', '..', 'etc', 'passwd.pdf'))).toBe(false);

      const got = await download(stack, owner, res.body.items[0].links.download);
      expect(got.headers['content-disposition']).toMatch(/^attachment; filename="?passwd\.pdf"?$/);
    });

    it.each([
      ['an unknown kind', { kind: 'selfie', language: 'fr' }, 'kind'],
      ['an unknown language', { kind: 'gp_letter', language: 'xx' }, 'language'],
      ['a language in capitals', { kind: 'gp_letter', language: 'FR' }, 'language'],
      ['a deprecated language code', { kind: 'gp_letter', language: 'iw' }, 'language'],
      ['a missing language', { kind: 'gp_letter' }, 'language'],
      ['an extra field', { kind: 'gp_letter', language: 'fr', needsTranslation: 'false' }, '(body)'],
    ])('answers 400 for %s, and stores nothing', async (_label, fields, field) => {
      const before = await stored();
      const res = await upload(stack, owner, reference, [{ bytes: pdf(), name: 'letter.pdf' }], fields);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect((res.body.error.details as { path: string }[]).map((d) => d.path)).toContain(field);
      expect(await stored()).toEqual(before);
      expect(incoming()).toEqual([]);
    });

    it('answers 400 without a file or with files in another field, 415 for a JSON body', async () => {
      const before = await stored();
      const none = await upload(stack, owner, reference, []);
      expect(none.status).toBe(400);
      expect(none.body.error.details).toEqual([{ path: 'files', message: 'Required.' }]);
      const wrongField = await request(stack.app).post(`/cases/${reference}/documents`).set(owner.auth).field('kind', 'gp_letter').field('language', 'fr').attach('file', pdf(), 'letter.pdf');
      expect(wrongField.status).toBe(400);
      expect(wrongField.body.error.message).toContain('"files"');
      const asJson = await request(stack.app).post(`/cases/${reference}/documents`).set(owner.auth).send({ kind: 'gp_letter', language: 'fr' });
      expect(asJson.status).toBe(415);
      expect(asJson.body.error.code).toBe('unsupported_media_type');
      expect(await stored()).toEqual(before);
      expect(incoming()).toEqual([]);
    });
  });

  describe('who may upload, list and download', () => {
    let documentUrl: string;
    beforeAll(async () => {
      const res = await upload(stack, owner, reference, [{ bytes: pdf(), name: 'op.pdf' }], { kind: 'operation_report', language: 'fr' });
      expect(res.status).toBe(201);
      documentUrl = res.body.items[0].links.download;
    });

    it("answers 404 to another patient for the owner's case on upload, list and download", async () => {
      const before = await stored();
      const up = await upload(stack, other, reference, [{ bytes: pdf(), name: 'x.pdf' }]);
      expect(up.status).toBe(404);
      expect(up.body.error.code).toBe('not_found');
      expect((await request(stack.app).get(`/cases/${reference}/documents`).set(other.auth)).status).toBe(404);
      expect((await download(stack, other, documentUrl)).status).toBe(404);
      expect(await stored()).toEqual(before);
    });

    it("answers 404 for a document of another case, even through the caller's own case", async () => {
      const documentId = documentUrl.split('/').pop()!;
      const viaOwnCase = await download(stack, other, `/cases/${otherReference}/documents/${documentId}`);
      expect(viaOwnCase.status).toBe(404);
      expect(viaOwnCase.headers['content-disposition']).toBeUndefined();
      expect((await download(stack, owner, `/cases/${reference}/documents/not-a-document`)).status).toBe(404);
    });

    it('answers 401 without a token', async () => {
      const up = await upload(stack, null, reference, [{ bytes: pdf(), name: 'x.pdf' }]);
      expect(up.status).toBe(401);
      expect((await request(stack.app).get(`/cases/${reference}/documents`)).status).toBe(401);
      expect((await download(stack, null, documentUrl)).status).toBe(401);
    });

    it('lists the documents for the owner, newest last', async () => {
      const res = await request(stack.app).get(`/cases/${reference}/documents`).set(owner.auth);
      expect(res.status).toBe(200);
      const rows = await stack.db.document.findMany({ where: { case: { reference } }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
      expect(itemsOf(res).map((d) => d.documentId)).toEqual(rows.map((r) => r.id));
      expect(res.body.items[res.body.items.length - 1].links.download).toBe(documentUrl);
    });

    it('lets the MDT list, download and upload, audited; refuses an upload by support with 403', async () => {
      const mdt = await staff(stack, 'mdt');
      const list = await request(stack.app).get(`/cases/${reference}/documents`).set(mdt.auth);
      expect(list.status).toBe(200);
      expect(list.body.items.length).toBeGreaterThan(0);
      const got = await download(stack, mdt, documentUrl);
      expect(got.status).toBe(200);
      expect(got.headers['content-disposition']).toMatch(/^attachment; filename="?op\.pdf"?$/);
      const report = await upload(stack, mdt, reference, [{ bytes: pdf(), name: 'rcp.pdf' }], { kind: 'mdt_report', language: 'fr' });
      expect(report.status).toBe(201);
      await waitForState(stack.app, owner.auth, reference, (s) => s.documents.some((d) => d.documentId === report.body.items[0].documentId && d.uploadedBy === `mdt:${mdt.userId}`));
      const audited = await stack.db.auditEntry.findMany({ where: { actorId: mdt.userId, caseReference: reference } });
      expect(audited.map((a) => a.action).sort()).toEqual(['document.download', 'document.list', 'document.upload']);

      const support = await staff(stack, 'support');
      const before = await stored();
      const refused = await upload(stack, support, reference, [{ bytes: pdf(), name: 'x.pdf' }]);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
      expect(await stored()).toEqual(before);
      expect((await download(stack, support, documentUrl)).status).toBe(200); // support may read
    });

    it('answers 409 case_closed once the case is cancelled', async () => {
      const reference2 = await openCase(stack, owner);
      const ops = await staff(stack, 'ops');
      expect((await request(stack.app).post(`/cases/${reference2}/cancel`).set(ops.auth).send({ reason: 'Duplicate request' })).status).toBe(202);
      await eventually(async () => expect((await stack.db.case.findUniqueOrThrow({ where: { reference: reference2 } })).phase).toBe('cancelled'));
      const before = await stored();
      const res = await upload(stack, owner, reference2, [{ bytes: pdf(), name: 'late.pdf' }]);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('case_closed');
      expect(await stored()).toEqual(before);
    });
  });

  it('keeps no row when the workflow cannot be told (it ended behind the read model): 404, nothing recorded', async () => {
    const reference2 = await openCase(stack, owner);
    await stack.client.workflow.getHandle(`case-${reference2}`).terminate('test: workflow gone while the read model says open');
    const rows = await stack.db.document.count();
    const res = await upload(stack, owner, reference2, [{ bytes: pdf(), name: 'a.pdf' }, { bytes: pdf(), name: 'b.pdf' }]);
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('no running workflow');
    expect(await stack.db.document.count()).toBe(rows);
    expect(incoming()).toEqual([]);
  });

  it('documents the multipart upload and the download in OpenAPI', async () => {
    const doc = (await request(stack.app).get('/openapi.json')).body;
    const post = doc.paths['/cases/{reference}/documents'].post;
    expect(Object.keys(post.requestBody.content)).toEqual(['multipart/form-data']);
    expect(post.requestBody.content['multipart/form-data'].schema).toBeDefined();
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409', '413', '415', '429']));
    expect(Object.keys(doc.paths['/cases/{reference}/documents/{documentId}'].get.responses['200'].content)).toEqual(['application/pdf', 'image/jpeg', 'image/png', 'application/dicom']);
  });
});

describe('upload rate limit', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { RATE_LIMIT_UPLOADS_PER_MIN: '2' } });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('answers 429 after the limit, per signed-in user', async () => {
    const [first, second] = await Promise.all([signUp(stack, 'patient'), signUp(stack, 'patient')]);
    const [ref1, ref2] = await Promise.all([openCase(stack, first), openCase(stack, second)]);
    for (let i = 0; i < 2; i++) expect((await upload(stack, first, ref1, [{ bytes: pdf(), name: `p${i}.pdf` }])).status).toBe(201);
    const limited = await upload(stack, first, ref1, [{ bytes: pdf(), name: 'p3.pdf' }]);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(await stack.db.document.count({ where: { case: { reference: ref1 } } })).toBe(2);
    // Same address, other account: its own budget.
    expect((await upload(stack, second, ref2, [{ bytes: pdf(), name: 'q.pdf' }])).status).toBe(201);
  });
});
