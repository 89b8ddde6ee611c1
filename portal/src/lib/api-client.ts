import type { Language } from './language';

// Client of the public API (docs/contracts.md). The portal talks to nothing else.
// Network failures, timeouts and 5xx answers become ApiUnavailableError (the portal shows a
// translated 503 page); 404 becomes ApiNotFoundError; other 4xx answers are returned to the caller.

export interface ServiceSummary {
  code: string;
  name: string;
  summary: string;
  deadlineDays: number | null;
  fee: unknown;
}

export interface ServiceDetail {
  code: string;
  name: string;
  summary: string;
  description: string;
  whoCanApply: string;
  whatYouNeed: string;
  legalBasis: string;
  deadline: { days: number | null; text: string } | null;
  fee: unknown;
  statuses?: Record<string, string>;
}

export interface SubmissionCreated {
  submissionId: string;
  trackingToken: string;
  referenceNumber: string | null;
  status: string;
}

export interface Tracking {
  submission: {
    id: string;
    serviceCode: string;
    serviceName: string;
    subject: string;
    status: string;
    statusLabel: string;
    referenceNumber: string | null;
    submittedAt: string;
    answerDueDate: string | null;
  };
  timeline: { status: string; label: string; at: string }[];
  documents: { id: string; fileName: string; mediaType: string; size: number; kind: string }[];
  /** the confirmation of receipt, once the submission is registered */
  receiptConfirmation?: ReceiptConfirmation | null;
}

export interface ReceiptConfirmation {
  issuedAt: string;
  officeName: string;
  receivedAt: string;
  jid: string;
  referenceNumber: string | null;
  components: { fileName: string; mediaType: string; size: number }[];
  /** the sealed PDF/A to download, once rendered and sealed */
  document?: { fileName: string; mediaType: string; size: number } | null;
}

export type Rejected = { ok: false; status: number; body: unknown };

export class ApiUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiUnavailableError';
  }
}

export class ApiNotFoundError extends Error {
  constructor(
    message: string,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'ApiNotFoundError';
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function createApiClient(options: ApiClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');

  async function call(path: string, lang: Language, init: RequestInit = {}): Promise<Response> {
    const url = `${base}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`;
    let res: Response;
    try {
      res = await doFetch(url, { ...init, signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (cause) {
      throw new ApiUnavailableError(`public API unreachable: ${init.method ?? 'GET'} ${path}`, { cause });
    }
    if (res.status >= 500) {
      await res.body?.cancel();
      throw new ApiUnavailableError(`public API answered ${res.status}: ${init.method ?? 'GET'} ${path}`);
    }
    if (res.status === 404) {
      const body = (await readJson(res)) as { error?: { code?: string } } | null;
      throw new ApiNotFoundError(`not found: ${path}`, body?.error?.code ?? null);
    }
    return res;
  }

  async function json<T>(path: string, lang: Language): Promise<T> {
    const res = await call(path, lang, { headers: { accept: 'application/json' } });
    const body = await readJson(res);
    if (!res.ok || body === null) throw new ApiUnavailableError(`unexpected answer ${res.status} for GET ${path}`);
    return body as T;
  }

  const enc = encodeURIComponent;

  return {
    async listServices(lang: Language): Promise<ServiceSummary[]> {
      const body = await json<{ services?: ServiceSummary[] }>('/services', lang);
      return Array.isArray(body.services) ? body.services : [];
    },

    getService(code: string, lang: Language): Promise<{ service: ServiceDetail; form: unknown }> {
      return json(`/services/${enc(code)}`, lang);
    },

    /** `idempotencyKey`: one per rendered form, so that sending the same form again cannot make a second submission */
    async submit(code: string, lang: Language, body: FormData, idempotencyKey?: string): Promise<{ ok: true; data: SubmissionCreated } | Rejected> {
      const res = await call(`/services/${enc(code)}/submissions`, lang, {
        method: 'POST',
        body,
        headers: { accept: 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
      });
      const data = await readJson(res);
      if (res.ok && data && typeof (data as SubmissionCreated).trackingToken === 'string') {
        return { ok: true, data: data as SubmissionCreated };
      }
      if (res.ok) throw new ApiUnavailableError(`unexpected answer ${res.status} for a submission`);
      return { ok: false, status: res.status, body: data };
    },

    getTracking(token: string, lang: Language): Promise<Tracking> {
      return json(`/tracking/${enc(token)}`, lang);
    },

    async withdraw(token: string, lang: Language): Promise<{ ok: true } | Rejected> {
      const res = await call(`/tracking/${enc(token)}/withdraw`, lang, { method: 'POST', headers: { accept: 'application/json' } });
      if (res.ok) {
        await res.body?.cancel();
        return { ok: true };
      }
      return { ok: false, status: res.status, body: await readJson(res) };
    },

    /** The confirmation of receipt as the office issued it, for streaming to the citizen. */
    receiptConfirmation(token: string, lang: Language): Promise<Response> {
      return call(`/tracking/${enc(token)}/receipt-confirmation`, lang);
    },

    /** The raw answer, for streaming a document to the citizen. */
    document(token: string, documentId: string, lang: Language): Promise<Response> {
      return call(`/tracking/${enc(token)}/documents/${enc(documentId)}`, lang);
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
