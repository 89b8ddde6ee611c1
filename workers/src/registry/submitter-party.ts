import type { SubmissionRow } from '@openspis/db';
import type { PartyInput } from '../records/parties/parties.service';

/** A non-empty trimmed text field of the form, or null. */
function text(form: Record<string, unknown>, key: string): string | null {
  const v = form[key];
  return typeof v === 'string' && v.trim() ? v.trim().replace(/\s+/g, ' ') : null;
}

/**
 * The submitter of a portal submission as a party of the register (jmenný rejstřík), with the
 * identifiers the form gave: name and e-mail always, and — when the service's form asks for them —
 * data box ID, IČO with the organisation's name, and postal address (`applicant*` fields).
 */
export function submitterParty(submission: Pick<SubmissionRow, 'applicant_name' | 'applicant_email' | 'form_data'>): PartyInput {
  const form = (typeof submission.form_data === 'string' ? JSON.parse(submission.form_data) : submission.form_data ?? {}) as Record<string, unknown>;
  const name = submission.applicant_name?.trim().replace(/\s+/g, ' ') || text(form, 'applicantName');
  // a person's name as written: the last word is the surname (how the register shows it back)
  const words = name ? name.split(' ') : [];
  const familyName = words.length ? words[words.length - 1] : null;
  const givenName = words.length > 1 ? words.slice(0, -1).join(' ') : null;
  const companyId = text(form, 'applicantCompanyId');
  const organisationName = text(form, 'applicantOrganisation');
  return {
    kind: companyId || organisationName ? 'organisation' : 'person',
    givenName,
    familyName,
    organisationName,
    companyId,
    email: submission.applicant_email?.trim() || text(form, 'applicantEmail'),
    dataBoxId: text(form, 'applicantDataBoxId')?.toLowerCase() ?? null,
    street: text(form, 'applicantStreet'),
    city: text(form, 'applicantCity'),
    postcode: text(form, 'applicantPostcode'),
  };
}
