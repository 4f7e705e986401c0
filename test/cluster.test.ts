// The cluster profile in CI (issue #16): the real Temporal server on PostgreSQL (harness/temporalCluster.ts),
// Parcours on PostgreSQL, two care workers and two API instances as processes, driven over HTTP as a
// load balancer would spread people over the APIs. The authorization matrix runs over HTTP; then the
// happy path of every request type, payments through the signed webhook (each delivered twice), while
// one of the two workers and one API instance are SIGKILLed and the Temporal server restarts: every
// case must reach its end (0 lost), each business email arrive once and each payment count once (0
// duplicated). Needs PostgreSQL at 127.0.0.1:5432 and the binaries `./temporal-dev.sh setup` builds.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { createApp } from '../api/app';
import type { Operation } from '../api/routing';
import { STAFF_ROLES, type StaffRole } from '../api/policy';
import { pool } from '../bench/stats';
import { checkRun } from '../chaos/checks';
import { expectStatus, Http } from '../harness/http';
import { addStaff, makeTeam, registerPatient, type Person } from '../harness/people';
import { startSystem, type System } from '../harness/system';
import { deliverPayment, driveToClosure, openCase, SCRIPT_TIMINGS, type PaymentPayload } from '../harness/treatmentCase';
import { loadConfig } from '../lib/config';
import { projectRoot } from '../lib/databaseUrl';
import { createLogger } from '../lib/logger';
import { REQUEST_TYPES, type CaseState, type RequestType } from '../workflows/definitions';
import { matrixFailures, PLACEHOLDER_IDS, withoutToken, type MatrixIds, type MatrixSend } from './support/authorizationMatrix';
import { createTestDatabase, type TestDatabase } from './support/postgres';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Full treatment cases beside one case of each other request type: they are the longest, so the faults land while they run. */
const EXTRA_PROTON_CASES = 3;

describe('the cluster profile: Temporal server and Parcours on PostgreSQL, 2 workers, 2 APIs', () => {
  let dir: string;
  let database: TestDatabase | undefined;
  let sys: System | undefined;
  let http: Http;

  beforeAll(async () => {
    // Replaying the histories in the checks would log every replay worker's state changes: errors only.
    Runtime.install({ logger: new DefaultLogger('ERROR') });
    // The workers and APIs run as processes from the build: make it match the sources under test.
    execFileSync(path.join(projectRoot(), 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: projectRoot(), stdio: 'pipe' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parcours-cluster-'));
    database = await createTestDatabase('parcours_cluster');
    sys = await startSystem({ dir, env: SCRIPT_TIMINGS, temporal: 'cluster', databaseUrl: database.url, careWorkers: 2, apiInstances: 2 });
    // People retry while a service is down (the same Idempotency-Key each time: a step applies once).
    http = new Http(sys.baseUrls, 300_000);
  }, 300_000);

  afterAll(async () => {
    await sys?.stop();
    await database?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('enforces the authorization matrix over HTTP, through both API instances', async () => {
    const s = sys!;
    // The routes as the API declares them (nothing is served from this process).
    const operations: Operation[] = createApp({ db: s.db, client: s.client, config: loadConfig({ ...process.env, ...s.env }), logger: createLogger('silent', 'matrix') }).routes.operations;
    const tag = Date.now().toString(36);
    const [owner, stranger, referrer] = await Promise.all([
      registerPatient(http, s.smtp, `owner.${tag}@cluster.test`), registerPatient(http, s.smtp, `stranger.${tag}@cluster.test`), registerPatient(http, s.smtp, `referrer.${tag}@cluster.test`, 'referrer'),
    ]);
    const staff = {} as Record<StaffRole, Person>;
    for (const role of STAFF_ROLES) staff[role] = await addStaff(http, s.smtp, s.env, role, `${role}.matrix.${tag}@parcours.test`);

    const reference = await openCase(http, owner, 'proton_therapy');
    await waitFor(http, owner, reference, (c) => c.phase === 'file_collection' && c.timeline.some((e) => e.type === 'acknowledgement_sent'));
    const form = new FormData();
    form.set('kind', 'gp_letter');
    form.set('language', 'fr');
    form.append('files', new Blob(['%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n'], { type: 'application/pdf' }), 'lettre.pdf');
    const doc = expectStatus('upload', await http.send<{ items: { documentId: string }[] }>('post', `/cases/${reference}/documents`, { token: owner.token, form }), 201);
    const msg = expectStatus('message', await http.send<{ id: string }>('post', `/cases/${reference}/messages`, { token: owner.token, json: { body: 'Bonjour' } }), 201);
    const ids: MatrixIds = { reference, documentId: doc.body.items[0].documentId, messageId: msg.body.id, ...PLACEHOLDER_IDS };

    // No retries: each status is the API's own answer, from one instance then the other.
    const direct = new Http(s.baseUrls);
    const send: MatrixSend = async (op, url, caller) => direct.send(op.method, url, { token: caller?.token, ...(op.method === 'get' ? {} : { json: {} }) });
    for (const r of await withoutToken(operations, ids, send)) expect(r).toEqual({ route: r.route, status: 401 });
    expect(await matrixFailures(operations, ids, { owner, stranger, referrer, staff }, send)).toEqual([]);
  }, 600_000);

  it('carries every request type to its end through a worker kill, an API kill and a Temporal server restart: 0 lost, 0 duplicated', async () => {
    const s = sys!;
    const team = await makeTeam(http, s.smtp, s.env);
    const types: RequestType[] = [...REQUEST_TYPES, ...Array<RequestType>(EXTRA_PROTON_CASES).fill('proton_therapy')];
    const tag = Date.now().toString(36);
    const patients = await pool(types, 4, (_, i) => registerPatient(http, s.smtp, `patient.${tag}.${i}@cluster.test`));
    const references = await pool(types, 4, (type, i) => openCase(http, patients[i], type));

    const payments: PaymentPayload[] = [];
    const replays: Promise<unknown>[] = [];
    let deliveries = 0;
    let firstPayment: () => void = () => undefined;
    const paid = new Promise<void>((resolve) => (firstPayment = resolve));
    const onPayment = (p: PaymentPayload) => {
      payments.push(p);
      deliveries++;
      firstPayment();
      // The provider delivers it again a little later (a lost acknowledgement): it must count once.
      replays.push(sleep(1000 + crypto.randomInt(5000)).then(async () => {
        expectStatus(`replayed payment ${p.paymentId}`, await deliverPayment(http, s.webhookSecret, p), 200);
        deliveries++;
      }));
    };
    let ended = 0;
    const drivers = Promise.allSettled(types.map((requestType, i) =>
      driveToClosure({ http, team, patient: patients[i], webhookSecret: s.webhookSecret, requestType, onPayment, timeoutMs: 600_000 }, references[i]).finally(() => ended++)));

    // The faults hit cases in flight: from the first payment on (or after a minute at most).
    const faults: { what: string; casesInFlight: number }[] = [];
    const fault = (what: string) => faults.push({ what, casesInFlight: types.length - ended });
    await Promise.race([paid, sleep(60_000)]);
    fault('SIGKILL care worker 2 of 2');
    await s.workers[1].kill();
    await sleep(2000);
    fault('SIGKILL API instance 2 of 2');
    await s.apis[1].kill();
    await sleep(3000);
    fault('restart the Temporal server');
    await s.devServer.restart();

    const results = await drivers;
    expect(results.map((r, i) => (r.status === 'rejected' ? `${references[i]}: ${String(r.reason)}` : 'ended'))).toEqual(types.map(() => 'ended'));
    expect((await Promise.allSettled(replays)).filter((r) => r.status === 'rejected').map((r) => String(r.reason))).toEqual([]);
    for (const f of faults) expect({ fault: f.what, inFlight: f.casesInFlight > 0 }).toEqual({ fault: f.what, inFlight: true });
    expect(http.failovers).toBeGreaterThan(0); // requests met the killed API and went to the other

    // Every case closed, each business email once in the SMTP capture, each payment counted once by
    // its workflow and once in the database, read model = workflow state, histories replay. Checked per
    // request type: the checks expect one set of emails per group of cases.
    const careBundle = path.join(dir, 'care-bundle.js');
    const violations: string[] = [];
    for (const type of REQUEST_TYPES) {
      const refs = references.filter((_, i) => types[i] === type);
      const checked = await checkRun(s, refs, payments.filter((p) => refs.includes(p.caseReference)), deliveries, careBundle, new Map(), Date.now());
      violations.push(...checked.violations);
      expect({ type, closed: checked.evidence.closed, duplicates: checked.evidence.emails.duplicates, missing: checked.evidence.emails.missing, replayed: checked.evidence.replayed })
        .toEqual({ type, closed: refs.length, duplicates: 0, missing: 0, replayed: refs.length });
      expect(checked.evidence.emails.expectedPerCase).toBeGreaterThan(3);
    }
    expect(violations).toEqual([]);
    // A study fee per case, and the estimate of each treatment here (proton therapy); each delivered twice.
    const protonCases = types.filter((t) => t === 'proton_therapy').length;
    expect(payments).toHaveLength(types.length + protonCases);
    expect(deliveries).toBe(2 * payments.length);
    expect(await s.db.payment.count({ where: { case: { reference: { in: references } } } })).toBe(payments.length);
  }, 900_000);
});

async function waitFor(http: Http, who: Person, reference: string, done: (s: CaseState) => boolean, timeoutMs = 60_000): Promise<CaseState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = expectStatus(`read ${reference}`, await http.send<CaseState>('get', `/cases/${reference}`, { token: who.token }), 200).body;
    if (done(s)) return s;
    if (Date.now() > deadline) throw new Error(`${reference} did not reach the awaited state in ${timeoutMs / 1000} s (phase ${s.phase}).`);
    await sleep(200);
  }
}
