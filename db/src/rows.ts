/** Row types of tables that several workspaces read, declared once here. */

/** `submissions`: one online submission from the portal, from receipt to settlement. */
export interface SubmissionRow {
  id: string;
  service_code: string;
  locale: string;
  /** received | registered | in-progress | answered | withdrawn */
  status: string;
  /** jsonb: an object from PostgreSQL and PGlite */
  form_data: Record<string, unknown>;
  applicant_name: string | null;
  applicant_email: string | null;
  tracking_expires_at: Date;
  process_instance_key: string | null;
  reference_number: string | null;
  document_id: string | null;
  answer_document_id: string | null;
  /** the client's `Idempotency-Key`, unique when set */
  idempotency_key: string | null;
  created_at: Date;
  updated_at: Date;
}
