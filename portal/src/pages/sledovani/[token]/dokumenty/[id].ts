import type { APIRoute } from 'astro';
import { streamDownload } from '../../../../lib/download';

// An outgoing document (the answer) of this submission, streamed from the public API.
export const GET: APIRoute = ({ params, locals }) => {
  const { api, lang, t } = locals;
  return streamDownload(() => api.document(params.token ?? '', params.id ?? '', lang), { notFound: t('document.unavailable'), unavailable: t('unavailable.text') });
};
