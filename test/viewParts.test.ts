// Cases opened under VIEW_PARTS write the view's changes as parts: the entries that changed inside a
// list or an object, not the whole field. A part applied to the stored view at any version from its
// base up gives exactly the workflow's view; one that does not fit the stored view is refused, and the
// workflow then sends the whole view.
import crypto from 'node:crypto';
import { asStartInput, createCaseBody } from '../api/schemas/cases';
import { appliedOrNull, caseRowOf, writeCaseViewChange } from '../lib/caseView';
import type { Db } from '../lib/db';
import { applyViewChange, initialCaseState, viewOf, viewVersions } from '../workflows/caseState';
import type { CaseState, CaseView } from '../workflows/definitions';
import { applyPart, changedBetween, partOf, ViewPartMismatch, type Changed } from '../workflows/viewParts';
import { validCase } from './support/cases';
import { openTestDb } from './support/testDb';

let seq = 0;
function startInput() {
  const reference = `INT-2026-${String(700_000 + ++seq + crypto.randomInt(0, 90_000))}`;
  return asStartInput(createCaseBody.parse(validCase()), reference, crypto.randomUUID());
}

/** The view as the read model stores it (JSON). */
const stored = (state: CaseState): CaseView => JSON.parse(JSON.stringify(viewOf(state))) as CaseView;

describe('parts of a view change', () => {
  it('one document provided sends one checklist entry and the new document, not the whole lists', () => {
    const state = initialCaseState(startInput());
    const doc = (id: string) => ({ id, checklistItemId: 'identity_document', fileName: `${id}.pdf` }) as unknown as CaseState['documents'][number];
    state.documents = [doc('d-0')];
    const versions = viewVersions(state, true);
    const v0 = stored(state);
    const at = state.checklist.findIndex((c) => c.status === 'missing');
    expect(at).toBeGreaterThanOrEqual(0);
    state.checklist = state.checklist.map((c, i) => (i === at ? { ...c, status: 'provided' as const } : c));
    state.documents = [...state.documents, doc('d-1')];
    const change = versions.toSend()!;
    expect(change.fields).toEqual({});
    expect(change.parts!.checklist).toEqual({ length: state.checklist.length, parts: { [at]: { set: { status: 'provided' } } } });
    expect(change.parts!.documents).toEqual({ length: 2, set: { 1: state.documents[1] } });
    expect(JSON.stringify(change).length).toBeLessThan(JSON.stringify(state.checklist).length / 4);
    expect(applyViewChange(v0, change)).toEqual({ ...stored(state), version: 1 });
  });

  it('cases opened before the patch still send whole fields', () => {
    const state = initialCaseState(startInput());
    const versions = viewVersions(state);
    state.checklist = state.checklist.map((c, i) => (i === 0 ? { ...c, status: 'provided' as const } : c));
    const change = versions.toSend()!;
    expect(change.parts).toBeUndefined();
    expect(change.fields.checklist).toEqual(state.checklist);
  });

  it('a field whose part would be no smaller than itself is sent whole', () => {
    const state = initialCaseState(startInput());
    const versions = viewVersions(state, true);
    state.questionnaire = { city: 'Rabat' }; // every key changed or dropped
    const change = versions.toSend()!;
    expect(change.fields.questionnaire).toEqual({ city: 'Rabat' });
    expect(change.parts).toBeUndefined();
  });

  // Random moves through many versions: after each send, the change applied to every stored version
  // from its base up is the workflow's view. Seeded, so a failure is found again.
  it('applied to any stored version from its base up, a change gives the current view (random moves, seeded)', () => {
    let seed = 20261205;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const moves: ((s: CaseState) => void)[] = [
      (s) => { const i = rnd(s.checklist.length); s.checklist = s.checklist.map((c, j) => (j === i ? { ...c, status: c.status === 'missing' ? 'provided' : 'missing' } : c)); },
      (s) => { s.documents = [...s.documents, { id: `d-${rnd(1000)}`, fileName: `f${rnd(9)}.pdf` } as unknown as CaseState['documents'][number]]; },
      (s) => { s.documents = s.documents.slice(0, Math.max(0, s.documents.length - 1 - rnd(2))); },
      (s) => { s.treatment = { ...s.treatment, estimates: [...s.treatment.estimates, { id: `e-${rnd(100)}`, amountCents: rnd(10_000), lines: [{ code: 'A', cents: rnd(50) }] } as unknown as CaseState['treatment']['estimates'][number]] }; },
      (s) => {
        const e = s.treatment.estimates;
        if (!e.length) return;
        const i = rnd(e.length);
        s.treatment = { ...s.treatment, estimates: e.map((x, j) => (j === i ? ({ ...x, amountCents: rnd(10_000), lines: [{ code: 'B', cents: rnd(50) }] } as unknown as typeof x) : x)) };
      },
      (s) => { s.treatment = { ...s.treatment, arrival: s.treatment.arrival ? null : ({ date: `2027-01-${10 + rnd(9)}` } as unknown as CaseState['treatment']['arrival']) }; },
      (s) => { const { reason: _r, ...rest } = s.questionnaire; s.questionnaire = rnd(2) ? rest : { ...rest, reason: `r${rnd(5)}` }; },
      (s) => { s.remindersSent = rnd(4); },
      (s) => { s.declaredNone = rnd(2) ? [] : ['imaging']; },
    ];
    for (let run = 0; run < 40; run++) {
      const state = initialCaseState(startInput());
      const versions = viewVersions(state, true);
      /** The stored view at each version (what an update's answer or an earlier write could have left). */
      const at = new Map<number, CaseView>([[0, { ...stored(state), version: 0 }]]);
      let sent = 0;
      for (let step = 0; step < 30; step++) {
        moves[rnd(moves.length)](state);
        versions.bump();
        at.set(state.version, { ...stored(state), version: state.version });
        if (rnd(3) > 0) continue;
        const change = versions.toSend();
        if (!change) continue;
        expect(change.base).toBe(sent);
        for (let v = change.base; v <= change.version; v++) expect(applyViewChange(at.get(v)!, change)).toEqual(at.get(change.version));
        sent = change.version;
      }
    }
  });
});

describe('applying a part', () => {
  it('refuses a list shorter than the part expects, or another kind of value', () => {
    expect(() => applyPart([1, 2], { length: 3, set: { 2: 3 } })).not.toThrow();
    expect(applyPart([1, 2], { length: 3, set: { 2: 3 } })).toEqual([1, 2, 3]);
    expect(() => applyPart([1], { length: 3, set: { 2: 3 } })).toThrow(ViewPartMismatch); // entry 1 is missing
    expect(() => applyPart({ a: 1 }, { length: 1, set: { 0: 1 } })).toThrow(ViewPartMismatch);
    expect(() => applyPart(null, { set: { a: 1 } })).toThrow(ViewPartMismatch);
    expect(() => applyPart({ a: { b: 1 } }, { parts: { a: { length: 1, set: { 0: 2 } } } })).toThrow(/view\.a/);
  });

  it('drops keys, shortens lists, and leaves the stored value as it was', () => {
    const before = { a: 1, b: 2, list: [1, 2, 3] };
    const changed = changedBetween(before, { a: 1, list: [1, 5] }) as Map<string, Changed>;
    const part = partOf({ a: 1, list: [1, 5] }, changed);
    expect(part).toEqual({ drop: ['b'], parts: { list: { length: 2, set: { 1: 5 } } } });
    expect(applyPart(before, part)).toEqual({ a: 1, list: [1, 5] });
    expect(before).toEqual({ a: 1, b: 2, list: [1, 2, 3] });
  });

  it('finds nothing changed between equal values', () => {
    expect(changedBetween({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBeUndefined();
  });
});

describe('the read model applies parts', () => {
  let db: Db;
  beforeAll(() => {
    db = openTestDb('view-parts');
  });
  afterAll(async () => {
    await db?.$disconnect();
  });

  it('stores a part that fits, and answers behind (the whole view is sent) for one that does not', async () => {
    const input = startInput();
    const { ownerId: _owner, ...row } = caseRowOf(input);
    await db.case.create({ data: row });
    const state = initialCaseState(input);
    const versions = viewVersions(state, true);
    state.checklist = state.checklist.map((c, i) => (i === 1 ? { ...c, status: 'provided' as const } : c));
    const change = versions.toSend()!;
    expect(change.parts?.checklist).toBeDefined();
    expect(await writeCaseViewChange(db, input.reference, change)).toBe('stored');
    const view = (await db.case.findUniqueOrThrow({ where: { reference: input.reference } })).view as unknown as CaseView;
    expect(view).toEqual({ ...stored(state), version: 1 });

    // A stored view whose checklist is not the list the part was made for (a restored database).
    await db.case.update({ where: { reference: input.reference }, data: { view: { ...view, checklist: {} } as never } });
    state.checklist = state.checklist.map((c, i) => (i === 2 ? { ...c, status: 'declared_none' as const } : c));
    const next = versions.toSend()!;
    expect(appliedOrNull({ ...view, checklist: {} } as unknown as CaseView, next)).toBeNull();
    expect(await writeCaseViewChange(db, input.reference, next)).toBe('behind');
  });
});
