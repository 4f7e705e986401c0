// The shape of one published rules version: everything a case's amounts, branches and texts depend
// on. A case is given one version when it starts (in its workflow input) and keeps it to the end;
// workflow code reads rules only from there, never from config/ (eslint.config.mjs enforces it).
import type { ChecklistItem, RequestTypeId } from '../checklists';
import type { CoverageNotice, CoverageNoticeId } from '../coverage';
import type { PathwayTimings } from '../pathway';
import type { PatientRequestKind, StayPart, TaskTeam, TreatmentSite, TreatmentSiteId } from '../stay';
import type { EstimateProgramme, TariffItem } from '../tariffs';
import type { VisaTextId } from '../visa';

type Texts = { fr: string; en: string };

export interface CaseRules {
  /** `YYYY-MM` (or `YYYY-MM-DD` when two versions share a month): never reused, never renamed. */
  id: string;
  /** The day (Europe/Paris) from which new cases get this version: `YYYY-MM-DD`. */
  effectiveFrom: string;
  /** What changed from the version before, for the people who review and read it. */
  summary: string;
  /** Service fee for studying a file, per request type, in integer cents (EUR). */
  studyFees: Record<RequestTypeId, { amountCents: number; label: Texts }>;
  /** Told to a patient whose case ends before the study starts when fees were paid; `{amount}` is replaced. */
  refundNotice: Texts;
  /** The estimate catalogue, per programme; `programmeFor` says which programme a request type is quoted on. */
  tariffs: Record<EstimateProgramme, readonly TariffItem[]>;
  programmeFor: Record<RequestTypeId, EstimateProgramme | null>;
  /** What a complete file holds, per request type. */
  checklists: Record<RequestTypeId, readonly ChecklistItem[]>;
  coverage: {
    /** Where EU coordination applies (EHIC, S2): also the nationalities that need no visa. */
    euEeaCh: readonly string[];
    notices: Record<CoverageNoticeId, CoverageNotice>;
    /**
     * EU planned care (S2): whether the patient pays the study fee (from version 2027-01; absent before,
     * when S2 patients paid it like everyone). `covered`: an EU resident whose S2 is on file when the fee
     * falls due is not asked for it (the home insurer covers the study with the care).
     */
    euPlannedCare?: { studyFee: 'patient_pays' | 'covered' };
  };
  visa: {
    exemptNationalities: readonly string[];
    exemptMaxStayDays: number;
    shortStayVisaNationalities: readonly string[];
    answerDelayDays: { min: number; max: number };
    urgencyThresholdDays: number;
    companionRequiredDocument: { family: string; other: string };
    texts: Record<VisaTextId, Texts>;
    /**
     * Residents with a residence permit need no visa (from version 2026-12; absent before, so cases
     * under older versions decide on nationality alone). `countries`: where a permit counts (the
     * Schengen states); one of `anyLength` (France) counts whatever the length of the stay, the others
     * up to `exemptMaxStayDays`. `text` tells the patient so and asks for the permit.
     */
    residence?: { countries: readonly string[]; anyLength: readonly string[]; text: Texts };
  };
  stay: {
    sites: readonly TreatmentSite[];
    defaultSite: Record<RequestTypeId, TreatmentSiteId>;
    supportContact: { name: string; phone: string; email: string };
    practicalPackTexts: { samplesNotice: Texts; accommodationAdvice: Texts };
    patientRequests: Record<PatientRequestKind, { team: TaskTeam; during: readonly StayPart[]; free: boolean; label: Texts }>;
    /** The patient's share of the invoice under French terms, in percent. */
    copaymentPercent: number;
  };
  /** Durations given to a case (per-case overrides from configuration still apply on top). */
  timings: PathwayTimings;
}
