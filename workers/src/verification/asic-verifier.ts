import { createHash } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { unzipSync } from 'fflate';
import { verifyCms, type SignatureCheck, type VerifyContext } from './cms-verifier';
import { verifyXades } from './xades-verifier';

const DIGESTS: Record<string, string> = {
  'http://www.w3.org/2001/04/xmlenc#sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384': 'sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512': 'sha512',
  'http://www.w3.org/2000/09/xmldsig#sha1': 'sha1',
};

function formatFailure(location: string, problem: string, now: Date): SignatureCheck {
  return { format: 'cades', location, indication: 'INDETERMINATE', subIndication: 'FORMAT_FAILURE', problem, signer: null, claimedSigningTime: null, timeStamp: null, validationTime: now.toISOString(), chain: [] };
}

/**
 * ASiC-S and ASiC-E (ETSI EN 319 162-1). CAdES: `META-INF/signature*.p7s` signs the one data
 * object (ASiC-S) or an `ASiCManifest*.xml` whose data-object digests are then checked (ASiC-E).
 * XAdES: `META-INF/signatures*.xml`, whose references name the container's data objects: their
 * digests are checked (a reference to a file the container lacks is INDETERMINATE).
 */
export async function verifyAsic(container: Buffer, ctx: VerifyContext, limits: { maxBytes: number }): Promise<SignatureCheck[]> {
  let files: Record<string, Uint8Array>;
  let total = 0;
  try {
    files = unzipSync(container, {
      filter: (f) => {
        total += f.originalSize;
        if (total > limits.maxBytes) throw new Error('the container is larger than allowed');
        return !f.name.endsWith('/');
      },
    });
  } catch (err) {
    return [formatFailure('ASiC', `the container cannot be read: ${(err as Error).message}`, ctx.now)];
  }
  const names = Object.keys(files);
  const dataObjects = names.filter((n) => n !== 'mimetype' && !n.startsWith('META-INF/'));
  const checks: SignatureCheck[] = [];

  for (const sigName of names.filter((n) => /^META-INF\/[^/]*signature[^/]*\.p7s$/i.test(n))) {
    const manifestName = names.find((n) => /^META-INF\/ASiCManifest[^/]*\.xml$/.test(n) && Buffer.from(files[n]).toString('utf8').includes(`URI="${sigName}"`));
    if (!manifestName) {
      // ASiC-S: the signature covers the single data object
      if (dataObjects.length !== 1) {
        checks.push(formatFailure(sigName, 'a CAdES signature without a manifest needs exactly one data object', ctx.now));
        continue;
      }
      checks.push(...(await verifyCms(files[sigName], files[dataObjects[0]], ctx, { format: 'cades', location: `${sigName} → ${dataObjects[0]}` })));
      continue;
    }
    const manifest = Buffer.from(files[manifestName]);
    const results = await verifyCms(files[sigName], manifest, ctx, { format: 'cades', location: `${sigName} → ${manifestName}` });
    const problem = checkManifestDigests(manifest, files);
    for (const r of results) {
      if (problem && r.indication !== 'TOTAL_FAILED') Object.assign(r, { indication: 'TOTAL_FAILED', subIndication: 'HASH_FAILURE', problem });
      checks.push(r);
    }
  }
  for (const sigName of names.filter((n) => /^META-INF\/[^/]*signatures[^/]*\.xml$/i.test(n))) {
    // the references name the container's data objects, relative to its root
    const resolve = (uri: string) => (dataObjects.includes(uri) ? Buffer.from(files[uri]) : null);
    checks.push(...(await verifyXades(Buffer.from(files[sigName]), ctx, sigName, resolve)));
  }
  return checks;
}

/** The data objects an ASiCManifest lists must be in the container with the listed digests. */
function checkManifestDigests(manifest: Buffer, files: Record<string, Uint8Array>): string | null {
  const doc = new DOMParser().parseFromString(manifest.toString('utf8'), 'text/xml');
  const refs = doc.getElementsByTagNameNS('*', 'DataObjectReference');
  if (!refs.length) return 'the manifest lists no data object';
  for (let i = 0; i < refs.length; i += 1) {
    const ref = refs.item(i)!;
    const uri = decodeURIComponent(ref.getAttribute('URI') ?? '');
    const method = ref.getElementsByTagNameNS('*', 'DigestMethod').item(0)?.getAttribute('Algorithm') ?? '';
    const value = ref.getElementsByTagNameNS('*', 'DigestValue').item(0)?.textContent?.trim() ?? '';
    const hash = DIGESTS[method];
    if (!files[uri]) return `${uri} is listed in the manifest but missing from the container`;
    if (!hash) return `unsupported digest method ${method}`;
    if (createHash(hash).update(files[uri]).digest('base64') !== value) return `${uri} was changed after signing`;
  }
  return null;
}
