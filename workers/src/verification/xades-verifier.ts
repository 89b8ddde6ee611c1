import { createHash } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { C14nCanonicalization, ExclusiveCanonicalization, SignedXml } from 'xml-crypto';
import * as pkijs from 'pkijs';
import { checkChain, describeCertificate, parseCertificate } from './certificates';
import { applyRevocation, checkTimeStampToken, parseContentInfo, withEmbedded, type SignatureCheck, type VerifyContext } from './cms-verifier';

const DS = 'http://www.w3.org/2000/09/xmldsig#';
const XADES = ['http://uri.etsi.org/01903/v1.3.2#', 'http://uri.etsi.org/01903/v1.4.1#'];

function elements(parent: Element | Document, ns: string | string[], localName: string): Element[] {
  const list = parent.getElementsByTagNameNS('*', localName);
  const namespaces = Array.isArray(ns) ? ns : [ns];
  return Array.from({ length: list.length }, (_, i) => list.item(i)!).filter((e) => namespaces.includes(e.namespaceURI ?? ''));
}

function canonicalize(node: Element, algorithm: string | null): string {
  const exclusive = algorithm?.includes('xml-exc-c14n');
  return (exclusive ? new ExclusiveCanonicalization() : new C14nCanonicalization()).process(node, {});
}

const DIGESTS: Record<string, string> = {
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
};
const C14N = new Set([
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315',
  'http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments',
  'http://www.w3.org/2001/10/xml-exc-c14n#',
  'http://www.w3.org/2001/10/xml-exc-c14n#WithComments',
]);

/** Finds the bytes a reference to something outside the signature's document points at (a file name). */
export type ExternalResolver = (uri: string) => Buffer | null;

const isExternal = (uri: string) => uri !== '' && !uri.startsWith('#');

/** The references of the signatures in `xml` that point outside the document (detached XAdES, ASiC-E). */
export function externalReferences(xml: Buffer): string[] {
  const doc = new DOMParser({ errorHandler: () => undefined }).parseFromString(xml.toString('utf8'), 'text/xml');
  if (!doc.documentElement) return [];
  return [...new Set(elements(doc, DS, 'Reference').map((r) => r.getAttribute('URI') ?? '').filter(isExternal).map(normaliseUri))];
}

/** A reference URI as a file name: percent-decoded, without a leading `./`. */
export function normaliseUri(uri: string): string {
  let name = uri;
  try {
    name = decodeURIComponent(uri);
  } catch {
    // not percent-encoded
  }
  return name.replace(/^\.\//, '');
}

interface LoadedReference {
  uri?: string;
  digestAlgorithm?: string;
  digestValue?: string;
  transforms?: string[];
  validationError?: Error;
}

/**
 * Digest of an external data object as its reference says: the bytes as they are, or — for an XML
 * file with a canonicalisation transform — its canonical form.
 */
function externalDigest(ref: LoadedReference, transforms: string[], data: Buffer): string | null {
  const hash = DIGESTS[ref.digestAlgorithm ?? ''];
  if (!hash) return null;
  if (!transforms.length) return createHash(hash).update(data).digest('base64');
  if (transforms.length === 1 && C14N.has(transforms[0])) {
    const doc = new DOMParser().parseFromString(data.toString('utf8'), 'text/xml');
    if (!doc.documentElement) return null;
    return createHash(hash).update(canonicalize(doc.documentElement as unknown as Element, transforms[0]), 'utf8').digest('base64');
  }
  return null;
}

/**
 * XAdES (and plain XMLDSig) enveloped, enveloping or detached signatures in an XML document: the
 * references and signature value (xml-crypto), the signing certificate from `KeyInfo` chained to
 * the trust anchors, and a `SignatureTimeStamp` over the canonical `SignatureValue` when present.
 * A reference to something outside the document (a detached signature, the data objects of an
 * ASiC-E container) is resolved with `resolve` and its digest checked; without a resolver, or when
 * the file is not there, the signature is INDETERMINATE (SIGNED_DATA_NOT_FOUND).
 */
export async function verifyXades(xml: Buffer, ctx: VerifyContext, location = 'XML', resolve?: ExternalResolver): Promise<SignatureCheck[]> {
  const text = xml.toString('utf8');
  const errors: string[] = [];
  const doc = new DOMParser({ errorHandler: { error: (m) => errors.push(m), fatalError: (m) => errors.push(m) } }).parseFromString(text, 'text/xml');
  const base = { format: 'xades' as const, subIndication: null, problem: null, signer: null, claimedSigningTime: null, timeStamp: null, validationTime: ctx.now.toISOString(), chain: [] };
  if (errors.length || !doc.documentElement) return [{ ...base, location, indication: 'INDETERMINATE', subIndication: 'FORMAT_FAILURE', problem: 'the XML is not well-formed' }];
  const signatures = elements(doc, DS, 'Signature');
  const checks: SignatureCheck[] = [];
  for (const [i, sigEl] of signatures.entries()) {
    const check: SignatureCheck = { ...base, location: signatures.length > 1 ? `${location}, signature ${i + 1}` : location, indication: 'TOTAL_PASSED' };
    checks.push(check);
    const fail = (indication: SignatureCheck['indication'], subIndication: string, problem: string) => Object.assign(check, { indication, subIndication, problem });

    const certs = elements(sigEl, DS, 'X509Certificate').map((e) => (e.textContent ?? '').replace(/\s+/g, ''));
    if (!certs.length) {
      fail('INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND', 'the signature carries no X509Certificate');
      continue;
    }
    let signerCert: pkijs.Certificate;
    let others: pkijs.Certificate[];
    try {
      [signerCert, ...others] = certs.map((b64) => parseCertificate(Buffer.from(b64, 'base64')));
    } catch {
      fail('INDETERMINATE', 'FORMAT_FAILURE', 'a certificate in KeyInfo cannot be read');
      continue;
    }
    check.signer = describeCertificate(signerCert);
    check.claimedSigningTime = elements(sigEl, XADES, 'SigningTime')[0]?.textContent?.trim() || null;

    const external = elements(sigEl, DS, 'Reference').map((r) => r.getAttribute('URI') ?? '').filter(isExternal);
    const missing = external.map(normaliseUri).filter((uri) => !resolve?.(uri));
    if (missing.length) {
      fail('INDETERMINATE', 'SIGNED_DATA_NOT_FOUND', `the signature covers data outside this document that was not found: ${missing.join(', ')}`);
      continue;
    }
    if (external.length) check.location = `${check.location} → ${external.map(normaliseUri).join(', ')}`;
    // 64-character lines and no blank line before the footer (OpenSSL's decoder rejects one)
    const pem = `-----BEGIN CERTIFICATE-----\n${(certs[0].match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----\n`;
    const verifier = new SignedXml({ publicCert: pem, getCertFromKeyInfo: () => null });
    // xml-crypto resolves only references inside the document: the others are checked here, in its
    // reference step, so the signature value is still verified by xml-crypto over the same SignedInfo
    // the transforms as written (xml-crypto adds a canonicalisation to a reference that has none)
    const explicitTransforms = new Map(
      elements(sigEl, DS, 'Reference')
        .filter((r) => isExternal(r.getAttribute('URI') ?? ''))
        .map((r) => [r.getAttribute('URI') ?? '', elements(r, DS, 'Transform').map((tr) => tr.getAttribute('Algorithm') ?? '')]),
    );
    const changedFiles: string[] = [];
    let unsupported: string | null = null;
    const internal = (verifier as unknown as { validateReference: (ref: LoadedReference, doc: Document) => string | undefined }).validateReference;
    (verifier as unknown as { validateReference: (ref: LoadedReference, doc: Document) => string | undefined }).validateReference = function (this: SignedXml, ref, doc) {
      if (!isExternal(ref.uri ?? '')) return internal.call(this, ref, doc);
      const name = normaliseUri(ref.uri ?? '');
      const data = resolve?.(name);
      const digest = data ? externalDigest(ref, explicitTransforms.get(ref.uri ?? '') ?? [], data) : null;
      if (!data || digest === null) {
        unsupported ??= data ? `the reference to ${name} uses a digest or transform not supported here` : `${name} was not found`;
        ref.validationError = new Error(unsupported);
        return undefined;
      }
      if (digest !== (ref.digestValue ?? '').replace(/\s+/g, '')) {
        changedFiles.push(name);
        ref.validationError = new Error(`${name} was changed after signing`);
        return undefined;
      }
      return data.toString('latin1');
    };
    // xml-crypto answers false when a reference digest fails and throws when the signature value does
    let outcome: 'ok' | 'HASH_FAILURE' | 'SIG_CRYPTO_FAILURE' | 'FORMAT_FAILURE' = 'ok';
    let why = '';
    try {
      verifier.loadSignature(sigEl);
      if (!verifier.checkSignature(text)) {
        outcome = unsupported ? 'FORMAT_FAILURE' : 'HASH_FAILURE';
        why = unsupported ?? (changedFiles.length ? `${changedFiles.join(', ')} was changed after signing` : 'the signed content was changed after signing');
      }
    } catch (err) {
      outcome = 'SIG_CRYPTO_FAILURE';
      why = /invalid signature/.test((err as Error).message) ? 'the signature value does not match' : `the signature cannot be checked: ${(err as Error).message}`;
    }
    if (outcome !== 'ok') {
      fail(outcome === 'FORMAT_FAILURE' ? 'INDETERMINATE' : 'TOTAL_FAILED', outcome, why);
      continue;
    }

    let provenTime = ctx.now;
    const stampEl = elements(sigEl, XADES, 'SignatureTimeStamp')[0];
    if (stampEl) {
      const encapsulated = elements(stampEl, XADES, 'EncapsulatedTimeStamp')[0];
      const c14n = elements(stampEl, DS, 'CanonicalizationMethod')[0]?.getAttribute('Algorithm') ?? null;
      const valueEl = elements(sigEl, DS, 'SignatureValue')[0];
      try {
        const token = parseContentInfo(Buffer.from((encapsulated?.textContent ?? '').replace(/\s+/g, ''), 'base64'));
        check.timeStamp = await checkTimeStampToken(token, Buffer.from(canonicalize(valueEl, c14n), 'utf8'), ctx);
      } catch (err) {
        check.timeStamp = { valid: false, genTime: null, tsa: null, problem: `unreadable time stamp: ${(err as Error).message}` };
      }
      if (!check.timeStamp.valid) {
        fail('INDETERMINATE', 'TIME_STAMP_FAILURE', `the signature time stamp does not verify: ${check.timeStamp.problem}`);
        continue;
      }
      provenTime = new Date(check.timeStamp.genTime!);
    }
    check.validationTime = provenTime.toISOString();
    const chain = await checkChain(signerCert, withEmbedded(others, ctx), ctx.anchors, provenTime);
    if (!chain.ok) {
      if (chain.reason === 'OUT_OF_BOUNDS') fail('INDETERMINATE', stampEl ? 'OUT_OF_BOUNDS_NOT_REVOKED' : 'OUT_OF_BOUNDS_NO_POE', chain.message);
      else if (chain.reason === 'NOT_YET_VALID') fail('TOTAL_FAILED', 'NOT_YET_VALID', chain.message);
      else fail('INDETERMINATE', 'NO_CERTIFICATE_CHAIN_FOUND', chain.message);
      continue;
    }
    check.chain = chain.path.map((c) => describeCertificate(c).subject);
    await applyRevocation(check, chain.path, provenTime, ctx);
  }
  return checks;
}

/** The canonical form of a signature's SignatureValue that a XAdES signature time stamp covers. */
export function signatureValueForTimeStamp(xml: string, algorithm: string | null = null): Buffer {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  return Buffer.from(canonicalize(elements(doc, DS, 'SignatureValue')[0], algorithm), 'utf8');
}
