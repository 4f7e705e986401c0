// Before the stay, once the estimate is guaranteed: the arrival date and site, the companions, the visa
// (workflows/visa.ts) and its certificates, the practical pack, the reminder, and the arrival itself.
import { condition, setHandler } from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time';
import {
  FAILURE_TYPES,
  patientArrivedUpdate,
  setArrivalDateUpdate,
  setCompanionUpdate,
  type ArrivalInput,
  type CompanionInput,
} from './definitions';
import { fail } from './failures';
import { refusals } from './refusals';
import { BEFORE_GUARANTEE } from './actions';
import { visaRequirement, type VisaRequirement } from './visa';
import { issued as documents, type Case, type Ending } from './case';

/** Patch: a companion's certificate comes with an email naming the companion (before it, the general visa email). */
const COMPANION_NAMED_IN_EMAIL = 'companion-named-in-certificate-email';

const today = () => new Date().toISOString().slice(0, 10);
/** A calendar date's instant for timers: 08:00 UTC, the morning at the centre. */
const dayStart = (date: string) => Date.parse(`${date}T08:00:00Z`);

export function createArrival(c: Case) {
  const { input, state, timings, rules, workflowId, lang } = c;
  const t = state.treatment;
  /** Bumped when the arrival date changes or the patient arrives: the pre-arrival wait starts again. */
  let arrivalVersion = 0;

  setHandler(
    setArrivalDateUpdate,
    async ({ date, plannedStayDays, site, by }) => {
      const previous = t.arrival?.date;
      t.arrival = { date, plannedStayDays, site: site ?? t.arrival?.site ?? rules.stay.defaultSite[input.requestType], setBy: by };
      arrivalVersion++;
      await c.record(previous ? 'arrival_date_changed' : 'arrival_date_set', by, `Arrival ${previous ? `moved from ${previous} to` : 'on'} ${date} for ${plannedStayDays} day(s) at ${siteOf().name}`, { date, plannedStayDays, site: t.arrival.site, previous: previous ?? null });
      return c.answer();
    },
    {
      validator: ({ date, plannedStayDays }: ArrivalInput) => {
        if (BEFORE_GUARANTEE.includes(state.phase)) {
          throw fail(FAILURE_TYPES.notGuaranteed, refusals.arrivalNotGuaranteed(), { phase: state.phase });
        }
        c.stepThree.requirePhase('setArrival');
        if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) throw fail(FAILURE_TYPES.invalid, refusals.dateInvalid());
        if (date <= today()) throw fail(FAILURE_TYPES.invalid, refusals.arrivalInPast({ today: today() }));
        if (t.arrivedAt) throw fail(FAILURE_TYPES.wrongPhase, refusals.alreadyArrived());
        if (!Number.isInteger(plannedStayDays) || plannedStayDays < 1 || plannedStayDays > 365) throw fail(FAILURE_TYPES.invalid, refusals.stayDaysInvalid());
      },
    },
  );
  const siteOf = () => rules.stay.sites.find((s) => s.id === (t.arrival?.site ?? rules.stay.defaultSite[input.requestType]))!;

  setHandler(
    setCompanionUpdate,
    async ({ fullName, relationship, nationality, proofDocumentId, by }) => {
      let comp = t.companions.find((x) => x.fullName.toLowerCase() === fullName.toLowerCase());
      if (!comp) {
        comp = { id: `C${t.companions.length + 1}`, fullName, relationship, nationality, proofDocumentId: null, certificateDocumentId: null };
        t.companions.push(comp);
      }
      Object.assign(comp, { relationship, nationality, proofDocumentId: proofDocumentId ?? comp.proofDocumentId });
      await c.record('companion_set', by, `Companion ${comp.id} (${relationship})${comp.proofDocumentId ? ' with proof' : ': proof still needed for a visa certificate'}`, { companionId: comp.id, relationship, proof: comp.proofDocumentId !== null });
      // Visa already assessed as needed: this companion's certificate is issued now.
      if (t.visa?.status === 'required' && comp.proofDocumentId && !comp.certificateDocumentId) {
        const id = await companionCertificate(comp.id);
        const named = c.patched(COMPANION_NAMED_IN_EMAIL);
        await c.emailPatient(named ? 'visa_certificate_companion' : 'visa_information', `Email patient: visa certificate for companion ${comp.id}`, named ? { companionName: comp.fullName } : visaVars(visaNow()), { attachDocumentIds: [id] });
      }
      return c.answer();
    },
    {
      validator: ({ relationship, proofDocumentId }: CompanionInput) => {
        c.stepThree.requirePhase('addCompanion');
        if (proofDocumentId !== undefined) {
          const needed = rules.visa.companionRequiredDocument[relationship];
          const doc = state.documents.find((d) => d.documentId === proofDocumentId);
          if (!doc || doc.kind !== needed) throw fail(FAILURE_TYPES.invalid, refusals.companionProofNeeded({ relationship, needed }), { needed });
        }
      },
    },
  );

  setHandler(
    patientArrivedUpdate,
    async ({ by }) => {
      t.arrivedAt = new Date().toISOString();
      arrivalVersion++;
      await c.record('patient_arrived', by, 'The patient has arrived');
      return c.answer();
    },
    { validator: (_arg) => c.stepThree.requirePhase('recordArrival') },
  );

  /** Arrival date → visa certificates and practical pack → the wait (with a reminder) → arrival. */
  async function prepare(): Promise<'arrived' | Ending> {
    await condition(() => t.arrival !== null || c.ended());
    if (c.ended()) return c.ending()!;
    for (;;) {
      const version = arrivalVersion;
      const arrival = t.arrival!;
      if (t.arrivedAt) break;
      await c.moveTo('awaiting_arrival', 'patient', 'arrival_scheduled', arrival.setBy, `Arrival expected on ${arrival.date} at ${siteOf().name}`, new Date(dayStart(arrival.date)).toISOString(), { date: arrival.date, site: siteOf().id });
      await assessVisa();
      const site = siteOf();
      await c.emailPatient('practical_pack', `Email patient: practical pack (${arrival.date})`, {
        arrivalDate: arrival.date, siteName: site.name, siteAddress: site.address, accessMapUrl: site.accessMapUrl,
        samplesNotice: rules.stay.practicalPackTexts.samplesNotice[lang], supportName: rules.stay.supportContact.name, supportPhone: rules.stay.supportContact.phone, supportEmail: rules.stay.supportContact.email,
        accommodationAdvice: rules.stay.practicalPackTexts.accommodationAdvice[lang],
      });
      const changed = () => arrivalVersion !== version || c.ended();
      const remindAt = dayStart(arrival.date) - msToNumber(timings.arrivalReminderBefore);
      if (!(await condition(changed, Math.max(1, remindAt - Date.now()), { summary: 'Timer: arrival reminder' }))) {
        await c.emailPatient('arrival_reminder', `Email patient: arrival reminder (${arrival.date})`, { arrivalDate: arrival.date, siteName: site.name, siteAddress: site.address, accessMapUrl: site.accessMapUrl });
        await condition(changed, Math.max(1, dayStart(arrival.date) - Date.now()), { summary: `Timer: arrival on ${arrival.date}` });
      }
      if (c.ended()) return c.ending()!;
      if (arrivalVersion === version) {
        // The day came: the stay starts (the coordinator can still record the exact arrival).
        t.arrivedAt = new Date().toISOString();
        break;
      }
    }
    return 'arrived';
  }

  /** Whether the patient (and companions) need a visa; certificates when they do. */
  async function assessVisa(): Promise<void> {
    const arrivalDate = t.arrival!.date;
    const v = visaNow();
    t.visa = { status: v.status, reason: v.reason, urgent: v.urgent, consulateCountry: v.consulateCountry, certificateDocumentId: null };
    await c.record('visa_assessed', 'system', `Visa: ${v.status} (${v.reason})${v.urgent ? ', URGENT' : ''}`, { status: v.status, reason: v.reason, urgent: v.urgent });
    // A resident needs no visa but is asked for the permit (only rules from 2026-12 decide so: older cases never reach it).
    if (v.status === 'not_required' && v.reason !== 'resident_with_permit') return;
    const attach: string[] = [];
    if (v.status === 'required') {
      const doc = await issueCertificate({ ...certificateBase(), idempotencyKey: `${workflowId}:visa:patient:${arrivalDate}`, holder: { role: 'patient', fullName: patientName(), nationality: input.patient.nationality } });
      t.visa.certificateDocumentId = doc.documentId;
      attach.push(doc.documentId);
      for (const comp of t.companions) if (comp.proofDocumentId) attach.push(await companionCertificate(comp.id));
    }
    if (v.urgent) await c.staffEmail('coordinator', 'visa_urgent', 'Email coordinator: urgent visa', { arrivalDate });
    await c.emailPatient('visa_information', 'Email patient: visa information', visaVars(v), { attachDocumentIds: attach });
  }
  const issueCertificate = (x: Parameters<typeof documents.issueVisaCertificate>[0]) => documents.issueVisaCertificate.executeWithOptions({ summary: `Issue visa certificate (${x.holder.role})` }, [x]);
  const patientName = () => `${state.questionnaire.firstName ?? input.patient.firstName} ${state.questionnaire.lastName ?? input.patient.lastName}`;
  function certificateBase() {
    const site = siteOf();
    return {
      reference: input.reference, language: lang, issuedAt: new Date().toISOString(),
      patient: { fullName: patientName(), nationality: input.patient.nationality, dateOfBirth: state.questionnaire.dateOfBirth },
      arrivalDate: t.arrival!.date, plannedStayDays: t.arrival!.plannedStayDays, site: { name: site.name, address: site.address }, urgent: t.visa?.urgent ?? false,
    };
  }
  async function companionCertificate(id: string): Promise<string> {
    const comp = t.companions.find((x) => x.id === id)!;
    const doc = await issueCertificate({ ...certificateBase(), idempotencyKey: `${workflowId}:visa:companion:${comp.id}:${t.arrival!.date}`, holder: { role: 'companion', fullName: comp.fullName, nationality: comp.nationality, relationship: comp.relationship } });
    comp.certificateDocumentId = doc.documentId;
    await c.record('visa_certificate_issued', 'system', `Visa certificate for companion ${comp.id}`, { companionId: comp.id, documentId: doc.documentId });
    return doc.documentId;
  }
  /** The visa rule for the patient's nationality and the planned arrival and stay. */
  const visaNow = () =>
    visaRequirement({
      nationality: state.questionnaire.nationality ?? input.patient.nationality,
      countryOfResidence: input.patient.countryOfResidence,
      plannedStayDays: t.arrival!.plannedStayDays,
      arrivalDate: t.arrival!.date,
      today: today(),
    }, rules);
  // The email names the country in words (activities/email.ts); the answer delay is in the visa text.
  const visaVars = (v: VisaRequirement) => ({ visaText: v.texts[lang], consulateCountry: v.consulateCountry ?? '?' });

  return { prepare, siteOf, patientName };
}
