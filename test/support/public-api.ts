/** Calls of the public API as the portal makes them, for tests that run the app as a process. */

export async function submitGeneralSubmission(appUrl: string, fields: Partial<Record<string, string>> = {}, attachment?: { name: string; type: string; content: Buffer }) {
  const form = new FormData();
  const values = {
    applicantName: 'Jan Svoboda',
    applicantEmail: 'jan.svoboda@example.cz',
    subject: 'Dotaz na otevírací dobu',
    message: 'Dobrý den, jaká je otevírací doba podatelny o svátcích?',
    ...fields,
  };
  for (const [k, v] of Object.entries(values)) if (v !== undefined) form.set(k, v);
  if (attachment) form.set('attachment', new Blob([new Uint8Array(attachment.content)], { type: attachment.type }), attachment.name);
  const res = await fetch(`${appUrl}/api/public/v1/services/general-submission/submissions`, { method: 'POST', body: form });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & { trackingToken?: string; error?: { code: string } } };
}

export async function track(appUrl: string, token: string) {
  const res = await fetch(`${appUrl}/api/public/v1/tracking/${token}`);
  return { status: res.status, body: (await res.json()) as { submission: { status: string; referenceNumber: string | null }; documents: { id: string }[] } };
}

export async function waitForStatus(appUrl: string, token: string, status: string, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const r = await track(appUrl, token);
      last = r.body;
      if (r.status === 200 && r.body.submission.status === status) return r.body;
    } catch (err) {
      // a kept-alive connection the server closed at the same moment (ECONNRESET) is retried; a
      // process that is really gone keeps failing and the wait ends with its last error
      last = err instanceof Error ? `${err.message} ${String((err as Error & { cause?: unknown }).cause ?? '')}` : err;
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  throw new Error(`status ${status} not reached; last: ${JSON.stringify(last)}`);
}
