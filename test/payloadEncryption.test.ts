// Payload encryption against the real dev server: a full case leaves nothing personal readable in
// Temporal (history, visibility, describe: user metadata, memo, search attributes), crypto-shredding
// makes one case unreadable and leaves the others and the Parcours records, and a KEK rotation keeps
// every case readable before, during and after the old KEK is retired.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import type { Client } from '@temporalio/client';
import { studyFees } from '../config/fees';
import { OpsError } from '../lib/ops/repair';
import { shredCase } from '../lib/ops/shred';
import { caseScope, DataKeyShreddedError, DataKeyStore, decodeEncryptedPayloads, keksEnv, parseKeks, type KeyConfig } from '../lib/payloadCrypto';
import { findTemporalCli } from '../lib/temporalCli';
import { login, signUp, type Actor } from './support/actors';
import { validCase, waitForState } from './support/cases';
import { CALM_TIMINGS, call, makeTeam, openCase, toReportPending, type Team } from './support/pathway';
import { startStack, type Stack } from './support/stack';

const address = () => process.env.PARCOURS_TEST_TEMPORAL_ADDRESS!;
const cli = (...args: string[]) => execFileSync(findTemporalCli(), [...args, '--address', address(), '--output', 'json'], { maxBuffer: 64 << 20, encoding: 'utf8' });

/** Every string in a JSON value, and the text of each one that is base64 (payload data in the CLI's JSON). */
function readableTexts(json: string): string {
  const out: string[] = [json];
  const visit = (v: unknown): void => {
    if (typeof v === 'string') {
      out.push(v);
      if (v.length >= 4 && /^[A-Za-z0-9+/=_-]+$/.test(v)) out.push(Buffer.from(v, 'base64').toString('utf8'));
    } else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  for (const line of json.split('\n').filter((l) => l.trim().startsWith('{') || l.trim().startsWith('['))) {
    try {
      visit(JSON.parse(line));
    } catch {
      // part of a multi-line document: the whole document is parsed below
    }
  }
  try {
    visit(JSON.parse(json));
  } catch {
    // JSON lines: parsed above
  }
  return out.join('\n');
}

async function decodedHistory(client: Client, reference: string): Promise<string> {
  const history = await client.workflow.getHandle(`case-${reference}`).fetchHistory();
  const events = await decodeEncryptedPayloads(client.options.loadedDataConverter.payloadCodecs, history.events ?? []);
  // Protobuf messages print their bytes as base64: readableTexts decodes them.
  return readableTexts(events.map((e) => JSON.stringify(e)).join('\n'));
}

let stack: Stack;
let team: Team;
beforeAll(async () => {
  stack = await startStack({ env: CALM_TIMINGS });
  team = await makeTeam(stack);
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

describe('a full case with encryption on', () => {
  const tag = crypto.randomUUID().slice(0, 6);
  const person = {
    firstName: `Ximena${tag}`,
    lastName: `Okonkwo-Vasquez${tag}`,
    email: `ximena.${tag}@private.example.ma`,
    dateOfBirth: '1961-07-29',
    phone: '+212 6 98 76 54 32',
    postalAddress: `77 avenue des Jacarandas ${tag}, Marrakech`,
  };
  const answers = { ...person, reason: `Persistent diplopia since spring ${tag}`, pathologyName: `Clivus chondrosarcoma ${tag}`, placeOfBirth: `Essaouira${tag}` };
  const message = `My neighbour Rachida${tag} will drive me`;
  let patient: Actor;
  let reference: string;

  it('runs to its end; neither the history, nor visibility, nor describe shows anything personal, in text or base64', async () => {
    patient = await signUp(stack);
    reference = await openCase(stack, patient, 'medical_opinion', { patient: { ...validCase().patient, ...person, email: person.email } });
    expect((await call(stack, patient, 'post', `/cases/${reference}/messages`, { body: message })).status).toBe(201);
    await toReportPending(stack, patient, team, reference, 'medical_opinion', studyFees.medical_opinion.amountCents, answers);
    expect((await call(stack, team.mdt, 'post', `/cases/${reference}/report`, { kind: 'mdt', strategy: 'alternative_proposed', summary: `Radiosurgery ${tag}` })).status).toBe(200);
    await waitForState(stack.app, patient.auth, reference, (s) => s.phase === 'closed');

    const secrets = [...Object.values(answers), message, `Radiosurgery ${tag}`, person.email.toUpperCase()];
    // The decoded history has them: the search below would find them if they were readable.
    const decoded = await decodedHistory(stack.client, reference);
    expect([person.firstName, person.email, answers.pathologyName].filter((s) => !decoded.includes(s))).toEqual([]);

    const workflowId = `case-${reference}`;
    const dumps = {
      history: cli('workflow', 'show', '--workflow-id', workflowId),
      describe: cli('workflow', 'describe', '--workflow-id', workflowId),
      list: cli('workflow', 'list', '--query', `WorkflowId = '${workflowId}'`),
    };
    expect(dumps.history).toContain(Buffer.from('binary/encrypted').toString('base64')); // the payloads' encoding, as the CLI prints it
    const leaks: string[] = [];
    for (const [name, dump] of Object.entries(dumps)) {
      const texts = readableTexts(dump).toLowerCase();
      for (const s of secrets) {
        if (texts.includes(s.toLowerCase())) leaks.push(`${name}: ${s}`);
        if (dump.includes(Buffer.from(s).toString('base64').slice(0, 12))) leaks.push(`${name}: base64 of ${s}`);
      }
    }
    expect(leaks).toEqual([]);
  }, 120_000);

  it('after ops:shred the case no longer decodes, another case does, and the audit trail and billing records remain', async () => {
    const other = await openCase(stack, await signUp(stack), 'medical_opinion');
    const running = await openCase(stack, await signUp(stack), 'medical_opinion');
    const ops = await stack.db.user.findUniqueOrThrow({ where: { id: team.ops.userId } });
    const shred = (ref: string, force = false) => shredCase(stack.client, stack.db, stack.config.payloadKeys, { reference: ref, by: ops.email, why: 'erasure request (test)', force });

    const r = await shred(reference);
    expect(r).toMatchObject({ reference, workflow: 'closed', already: false, byUserId: ops.id });
    await expect(decodedHistory(stack.client, reference)).rejects.toThrow(DataKeyShreddedError);
    await expect(decodedHistory(stack.client, reference)).rejects.toThrow(new RegExp(`data key of case ${reference} was shredded on`));
    await expect(stack.client.workflow.getHandle(`case-${reference}`).describe()).rejects.toThrow(DataKeyShreddedError); // its memo
    expect((await decodedHistory(stack.client, other)).includes('Amina')).toBe(true);

    const row = await stack.db.dataKey.findUniqueOrThrow({ where: { scope: caseScope(reference) } });
    expect(row).toMatchObject({ wrappedKey: null, kekId: null, shreddedBy: ops.id, shredReason: 'erasure request (test)' });
    expect(await stack.db.auditEntry.count({ where: { action: 'ops.shred', caseReference: reference, actorId: ops.id, actorRole: 'ops' } })).toBe(1);
    const c = await stack.db.case.findUniqueOrThrow({ where: { reference }, include: { events: true, payments: true } });
    expect(c.events.length).toBeGreaterThan(5);
    expect(c.payments.length).toBe(1);
    expect(await stack.db.auditEntry.count({ where: { caseReference: reference, action: { not: 'ops.shred' } } })).toBeGreaterThan(0);
    expect(await shred(reference)).toMatchObject({ already: true });

    // A running case is refused unless --force, which terminates it first.
    await expect(shred(running)).rejects.toThrow(OpsError);
    await expect(shred(running)).rejects.toThrow(/still running.*--force/);
    expect((await decodedHistory(stack.client, running)).includes('Amina')).toBe(true);
    expect(await shred(running, true)).toMatchObject({ workflow: 'terminated' });
    await expect(decodedHistory(stack.client, running)).rejects.toThrow(DataKeyShreddedError);
    await expect(shredCase(stack.client, stack.db, stack.config.payloadKeys, { reference: other, by: 'nobody@example.test', why: 'x' })).rejects.toThrow(/not a staff account/);
  }, 120_000);
});

describe('KEK rotation on a running system', () => {
  const stacks: Stack[] = [];
  afterAll(async () => {
    for (const s of stacks) await s.stop().catch(() => undefined);
  });

  it('new data keys use the new KEK, old ones still decrypt; after ops:rewrap-keys the old KEK can go', async () => {
    const oldKek = `old:${crypto.randomBytes(32).toString('base64')}`;
    const newKek = `new:${crypto.randomBytes(32).toString('base64')}`;
    const first = await startStack({ env: { ...CALM_TIMINGS, PARCOURS_KEKS: oldKek } });
    stacks.push(first);
    const patientA = await signUp(first);
    const a = await openCase(first, patientA, 'medical_opinion');
    await first.stop();
    stacks.pop();
    const databaseFile = first.config.databaseUrl.replace(/^file:/, '');
    const reuse = { databaseFile, taskQueue: first.taskQueue };

    // Every process gets both KEKs, the new one active.
    const rotated = await startStack({ reuse, env: { ...CALM_TIMINGS, PARCOURS_KEKS: `${oldKek},${newKek}`, PARCOURS_ACTIVE_KEK: 'new' } });
    stacks.push(rotated);
    const patientB = await signUp(rotated);
    const b = await openCase(rotated, patientB, 'medical_opinion');
    const kekOf = async (ref: string) => (await rotated.db.dataKey.findUniqueOrThrow({ where: { scope: caseScope(ref) } })).kekId;
    expect(await kekOf(a)).toBe('old');
    expect(await kekOf(b)).toBe('new');
    // Case A goes on: its old key still unwraps, in the API and in the worker.
    const patientAgain = await login(rotated, patientA.email); // each stack signs with its own secret
    expect((await call(rotated, patientAgain, 'put', `/cases/${a}/questionnaire`, { pathologyName: 'Rotation marker one' })).status).toBe(200);
    expect((await decodedHistory(rotated.client, a)).includes('Rotation marker one')).toBe(true);

    const both: KeyConfig = rotated.config.payloadKeys;
    const result = await new DataKeyStore(rotated.db, both).rewrapAll();
    expect(result).toMatchObject({ failed: [] });
    expect(result.rewrapped).toBeGreaterThanOrEqual(1); // case A's key (and the system key, if one was made)
    expect(await rotated.db.dataKey.count({ where: { kekId: 'old' } })).toBe(0);
    expect(await kekOf(a)).toBe('new');
    await rotated.stop();
    stacks.pop();

    const retired = await startStack({ reuse, env: { ...CALM_TIMINGS, ...keksEnv({ ...both, ...parseKeks(newKek, 'new') }) } });
    stacks.push(retired);
    expect((await decodedHistory(retired.client, a)).includes('Rotation marker one')).toBe(true);
    expect((await decodedHistory(retired.client, b)).includes('Amina')).toBe(true);
    // The worker too: it replays case A (its cache is new) and applies an update.
    expect((await call(retired, await login(retired, patientA.email), 'put', `/cases/${a}/questionnaire`, { pathologyName: 'Rotation marker two' })).status).toBe(200);
    expect((await decodedHistory(retired.client, a)).includes('Rotation marker two')).toBe(true);
  }, 180_000);
});
