import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DomainError } from './shared/domain-error';
import { readSigningConfig, type SigningConfig } from './signing-config';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface WorkersConfig {
  /** `OFFICE_CODE` (default `MMKV`): the office's short code, in reference numbers and JIDs. Letters and digits, 2–12. */
  readonly officeCode: string;
  /** `OFFICE_NAME` (default `Magistrát města Karlovy Vary`): letterhead of outgoing documents and e-mails. */
  readonly officeName: string;
  /** `OFFICE_ICO` (default `00254657`): the office's IČO, which identifies it as originator (původce) in SIP packages and towards the archive. 8 digits. */
  readonly officeId: string;
  /** `OFFICE_ADDRESS` (default `Moskevská 2035/21, 361 20 Karlovy Vary`): the office's seat (sídlo), in SIP packages. */
  readonly officeAddress: string;
  /** `OFFICE_EMAIL` (default `podatelna@mmkv.example`): where reminders for the handlers go. */
  readonly officeEmail: string;
  /**
   * `REFERENCE_NUMBER_MASK` (default `{office}/{seq}/{year}`): the číslo jednací. Placeholders
   * `{office}`, `{seq}` (required), `{year}`; `{seq:5}` pads the running number to 5 digits.
   */
  readonly referenceNumberMask: string;
  /** `PORTAL_URL` (default `http://localhost:4321`): base of links in e-mails (`<PORTAL_URL>/sledovani/<token>`). */
  readonly portalUrl: string;
  /** `SMTP_URL` (e.g. `smtp://user:pass@mail.example:587`; unset = no sending, messages go to the outbox folder only). */
  readonly smtpUrl: string | null;
  /** `MAIL_FROM` (default `"<OFFICE_NAME>" <OFFICE_EMAIL>`): sender of e-mails. */
  readonly mailFrom: string;
  /** `OPENSPIS_DATA_DIR` (default `./data`): data folder; unsent e-mails are written to `<dir>/outbox/*.eml`. */
  readonly dataDir: string;
  /** `<dataDir>/outbox` */
  readonly outboxDir: string;
  /** `TEMPLATES_DIR` (default `<repo>/templates`): handlebars templates of documents and e-mails. */
  readonly templatesDir: string;
  /**
   * `JOB_TIMEOUT_MS` (default 30000): how long an activated job stays locked to this process. The
   * lock is renewed every third of it while the job runs; if the process dies mid-job, another poll
   * (after a restart, or on another node) takes the job again once this has passed.
   */
  readonly jobTimeoutMs: number;
  /** `<repo>/i18n/locales` (not configurable: the catalogue ships with the code) */
  readonly localesDir: string;
  /** `<repo>/processes` (not configurable): service catalogue entries, for each service's statutory deadline */
  readonly processesDir: string;
  /** `UNPACK_MAX_ENTRIES` (default `1000`): most parts taken out of one container (ZIP, ASiC, EML, ZFO). */
  readonly unpackMaxEntries: number;
  /** `UNPACK_MAX_BYTES` (default `209715200`, 200 MiB): most bytes unpacked from one container (guards against ZIP bombs). */
  readonly unpackMaxBytes: number;
  /**
   * `TRUST_ANCHORS_DIR` (default `<dataDir>/trust-anchors`): folder of trusted root (and TSA) certificates,
   * PEM or DER (`.pem`, `.crt`, `.cer`, `.der`), against which `signing.verify` builds certificate chains.
   * A missing or empty folder means no signature can be trusted (verdict `indeterminate`).
   */
  readonly trustAnchorsDir: string;
  /** `SOFFICE_PATH` (default `soffice`): the LibreOffice binary used by `documents.convert`. */
  readonly sofficePath: string;
  /** `CONVERSION_TIMEOUT_MS` (default `120000`): a conversion running longer is killed and retried later. */
  readonly conversionTimeoutMs: number;
  /** `CONVERSION_CONCURRENCY` (default `1`): LibreOffice conversions running at once in this process. */
  readonly conversionConcurrency: number;
  /**
   * `TRANSACTION_LOG_CLASS_CODE` (default `1.6`): the file-plan class (spisový znak) of the yearly
   * transaction-log file that keeps the daily sealed renderings; it gives that file its retention. The
   * class must be a leaf of the plan valid on the rendered day, else the day is not sealed
   * (`LOG_FILE_CLASS_NOT_FOUND`). The demo plan has it as 1.6.
   */
  readonly transactionLogClassCode: string;
  /**
   * `JOURNAL_CLASS_CODE` (default: the value of `TRANSACTION_LOG_CLASS_CODE`): the file-plan class of
   * the file that keeps a year's closed registry journal (its sealed PDF/A rendering); a leaf of the
   * plan valid on the day of the closure, else the year is not closed (`JOURNAL_FILE_CLASS_NOT_FOUND`).
   */
  readonly journalClassCode: string;
  /** electronic seal and time stamp authority: `SIGNING_*`, see `signing-config.ts` and docs/signatures.md */
  readonly signing: SigningConfig;
  /**
   * The office's data box, for sending outgoing documents through it and taking over their delivery
   * (docs/records.md, docs/records-disposal.md); `null` (the default) when `ISDS_URL` is unset: nothing asks ISDS.
   * - `ISDS_URL`: base of the ISDS web services, `https://ws1.mojedatovaschranka.cz/DS` (production) or
   *   `https://ws1.czebox.cz/DS` (the public test environment);
   * - `ISDS_USERNAME`, `ISDS_PASSWORD` (required with `ISDS_URL`): the data box's login, allowed to send and to read sent messages;
   * - `ISDS_POLL_INTERVAL_MS` (default `900000`, 15 minutes; 60000–86400000): how often the delivery of dispatched messages is asked for;
   * - `ISDS_SEND_INTERVAL_MS` (default `30000`; 5000–3600000): how often the messages the registry office asked to send are sent.
   */
  readonly isds: IsdsConfig | null;
}

export interface IsdsConfig {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly pollIntervalMs: number;
  readonly sendIntervalMs: number;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;
const MASK_PLACEHOLDER = /\{(\w+)(?::(\d+))?\}/g;

export function validateMask(mask: string): string | null {
  const names = [...mask.matchAll(MASK_PLACEHOLDER)].map((m) => m[1]);
  const unknown = names.filter((n) => !['office', 'seq', 'year'].includes(n));
  if (unknown.length) return `unknown placeholder(s) ${unknown.map((n) => `{${n}}`).join(', ')}`;
  if (!names.includes('seq')) return 'must contain {seq}';
  return null;
}

function isUrl(value: string, protocols: string[]): boolean {
  try {
    return protocols.includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** Parses the workers' environment once; throws naming every bad variable. The result is frozen. */
export function readWorkersConfig(env: NodeJS.ProcessEnv): WorkersConfig {
  const errors: string[] = [];
  const get = (name: string, fallback: string) => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? fallback : v.trim();
  };

  const officeCode = get('OFFICE_CODE', 'MMKV');
  if (!/^[A-Za-z0-9]{2,12}$/.test(officeCode)) errors.push(`OFFICE_CODE must be 2–12 letters or digits, got ${JSON.stringify(officeCode)}`);
  const officeName = get('OFFICE_NAME', 'Magistrát města Karlovy Vary');
  const officeId = get('OFFICE_ICO', '00254657');
  if (!/^\d{8}$/.test(officeId)) errors.push('OFFICE_ICO must be 8 digits');
  const officeAddress = get('OFFICE_ADDRESS', 'Moskevská 2035/21, 361 20 Karlovy Vary');
  const officeEmail = get('OFFICE_EMAIL', 'podatelna@mmkv.example');
  if (!EMAIL.test(officeEmail)) errors.push('OFFICE_EMAIL must be an e-mail address');
  const referenceNumberMask = get('REFERENCE_NUMBER_MASK', '{office}/{seq}/{year}');
  const maskError = validateMask(referenceNumberMask);
  if (maskError) errors.push(`REFERENCE_NUMBER_MASK ${maskError}`);
  const portalUrl = get('PORTAL_URL', 'http://localhost:4321').replace(/\/+$/, '');
  if (!isUrl(portalUrl, ['http:', 'https:'])) errors.push('PORTAL_URL must be an http(s) URL');
  const smtpRaw = get('SMTP_URL', '');
  const smtpUrl = smtpRaw === '' ? null : smtpRaw;
  if (smtpUrl && !isUrl(smtpUrl, ['smtp:', 'smtps:'])) errors.push('SMTP_URL must be an smtp:// or smtps:// URL');
  const mailFrom = get('MAIL_FROM', `"${officeName.replace(/"/g, '')}" <${officeEmail}>`);
  const fromAddress = /<([^>]+)>\s*$/.exec(mailFrom)?.[1] ?? mailFrom;
  if (!EMAIL.test(fromAddress)) errors.push('MAIL_FROM must be an e-mail address or "Name" <address>');
  const dataDir = path.resolve(get('OPENSPIS_DATA_DIR', './data'));
  const templatesDir = path.resolve(get('TEMPLATES_DIR', path.join(REPO_ROOT, 'templates')));
  const jobTimeoutRaw = get('JOB_TIMEOUT_MS', '30000');
  const jobTimeoutMs = Number(jobTimeoutRaw);
  if (!/^\d+$/.test(jobTimeoutRaw) || jobTimeoutMs < 1000 || jobTimeoutMs > 3_600_000) errors.push('JOB_TIMEOUT_MS must be a whole number of milliseconds from 1000 to 3600000');

  const positiveInt = (name: string, fallback: number) => {
    const raw = get(name, String(fallback));
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < 1) errors.push(`${name} must be a positive whole number, got ${JSON.stringify(raw)}`);
    return n;
  };
  const unpackMaxEntries = positiveInt('UNPACK_MAX_ENTRIES', 1000);
  const unpackMaxBytes = positiveInt('UNPACK_MAX_BYTES', 200 * 1024 * 1024);
  const trustAnchorsDir = path.resolve(get('TRUST_ANCHORS_DIR', path.join(dataDir, 'trust-anchors')));
  const sofficePath = get('SOFFICE_PATH', 'soffice');
  const conversionTimeoutMs = positiveInt('CONVERSION_TIMEOUT_MS', 120_000);
  const conversionConcurrency = positiveInt('CONVERSION_CONCURRENCY', 1);
  const signing = readSigningConfig(get, errors, dataDir);
  const transactionLogClassCode = get('TRANSACTION_LOG_CLASS_CODE', '1.6');
  if (!/^[\p{L}\p{N}][\p{L}\p{N}./ -]{0,49}$/u.test(transactionLogClassCode)) errors.push(`TRANSACTION_LOG_CLASS_CODE must be a class code (letters, digits, dots), got ${JSON.stringify(transactionLogClassCode)}`);
  const journalClassCode = get('JOURNAL_CLASS_CODE', transactionLogClassCode);
  if (!/^[\p{L}\p{N}][\p{L}\p{N}./ -]{0,49}$/u.test(journalClassCode)) errors.push(`JOURNAL_CLASS_CODE must be a class code (letters, digits, dots), got ${JSON.stringify(journalClassCode)}`);

  const isdsUrl = get('ISDS_URL', '').replace(/\/+$/, '');
  let isds: IsdsConfig | null = null;
  if (isdsUrl) {
    if (!isUrl(isdsUrl, ['https:', 'http:'])) errors.push('ISDS_URL must be an http(s) URL');
    const username = get('ISDS_USERNAME', '');
    const password = env.ISDS_PASSWORD ?? '';
    if (!username || !password) errors.push('ISDS_USERNAME and ISDS_PASSWORD are required with ISDS_URL');
    const pollRaw = get('ISDS_POLL_INTERVAL_MS', '900000');
    const pollIntervalMs = Number(pollRaw);
    if (!/^\d+$/.test(pollRaw) || pollIntervalMs < 60_000 || pollIntervalMs > 86_400_000) errors.push('ISDS_POLL_INTERVAL_MS must be a whole number of milliseconds from 60000 to 86400000');
    const sendRaw = get('ISDS_SEND_INTERVAL_MS', '30000');
    const sendIntervalMs = Number(sendRaw);
    if (!/^\d+$/.test(sendRaw) || sendIntervalMs < 5_000 || sendIntervalMs > 3_600_000) errors.push('ISDS_SEND_INTERVAL_MS must be a whole number of milliseconds from 5000 to 3600000');
    isds = Object.freeze({ url: isdsUrl, username, password, pollIntervalMs, sendIntervalMs });
  }

  if (errors.length) {
    throw new DomainError('CONFIG_INVALID', `invalid workers configuration:\n- ${errors.join('\n- ')}`);
  }
  return Object.freeze({
    officeCode,
    officeName,
    officeId,
    officeAddress,
    officeEmail,
    referenceNumberMask,
    portalUrl,
    smtpUrl,
    mailFrom,
    dataDir,
    outboxDir: path.join(dataDir, 'outbox'),
    templatesDir,
    jobTimeoutMs,
    localesDir: path.join(REPO_ROOT, 'i18n', 'locales'),
    processesDir: path.join(REPO_ROOT, 'processes'),
    unpackMaxEntries,
    unpackMaxBytes,
    trustAnchorsDir,
    sofficePath,
    conversionTimeoutMs,
    conversionConcurrency,
    transactionLogClassCode,
    journalClassCode,
    signing,
    isds,
  });
}
