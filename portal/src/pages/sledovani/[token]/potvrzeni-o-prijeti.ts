import type { APIRoute } from 'astro';
import { streamDownload } from '../../../lib/download';

// The confirmation of receipt (potvrzení o přijetí) of this submission as the office issued it,
// streamed from the public API.
export const GET: APIRoute = ({ params, locals }) => {
  const { api, lang, t } = locals;
  return streamDownload(() => api.receiptConfirmation(params.token ?? '', lang), { notFound: t('tracking.receiptUnavailable'), unavailable: t('unavailable.text') });
};
