import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';

/**
 * Validation of exported XML against the official NSESSS schemas with libxml2 (xmllint-wasm). The
 * schemas are never copied or edited: they are read from `shared/standards/nsesss`, found beside
 * the repository or one of its parent folders (CI puts `shared/` next to the clone), or from
 * `NSESSS_SCHEMA_DIR`.
 */
export function nsesssSchemaDir(): string {
  const fromEnv = process.env.NSESSS_SCHEMA_DIR;
  if (fromEnv) return fromEnv;
  let dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  for (;;) {
    const candidate = path.join(dir, 'shared', 'standards', 'nsesss');
    if (existsSync(path.join(candidate, 'nsesss.xsd'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('shared/standards/nsesss not found beside the repository or its parents; set NSESSS_SCHEMA_DIR');
    dir = parent;
  }
}

const SCHEMA_FILES = ['mets.xsd', 'mets-xlink.xsd', 'nsesss.xsd', 'nsesss-common.xsd', 'nsesss-TrP.xsd', 'nsesss-DA.xsd', 'nsesss-plan.xsd', 'dmBaseTypes.xsd'];

function load(name: string): { fileName: string; contents: string } {
  return { fileName: name, contents: readFileSync(path.join(nsesssSchemaDir(), name), 'utf8') };
}

/**
 * A driver schema of our own that only imports the official ones. The xlink import comes first
 * from the local copy that catalog.xml maps it to, so mets.xsd's import of the same namespace by
 * its web address is skipped and nothing is fetched.
 */
const SIP_DRIVER = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="http://www.w3.org/1999/xlink" schemaLocation="mets-xlink.xsd"/>
  <xs:import namespace="http://www.loc.gov/METS/" schemaLocation="mets.xsd"/>
  <xs:import namespace="http://www.mvcr.cz/nsesss/v4" schemaLocation="nsesss.xsd"/>
  <xs:import namespace="http://www.mvcr.cz/nsesss/2023/log" schemaLocation="nsesss-TrP.xsd"/>
</xs:schema>`;

export type NsesssSchema = 'sip' | 'nsesss-DA.xsd' | 'nsesss-TrP.xsd' | 'nsesss-plan.xsd';

export interface SchemaResult {
  valid: boolean;
  errors: string[];
}

/** Validates `xml` against the SIP schemas (METS + NSESSS + TrP) or one official schema. */
export async function validateAgainstNsesss(xml: string, schema: NsesssSchema = 'sip'): Promise<SchemaResult> {
  const main = schema === 'sip' ? { fileName: 'sip-driver.xsd', contents: SIP_DRIVER } : load(schema);
  const result = await validateXML({
    xml: [{ fileName: 'document.xml', contents: xml }],
    schema: [main],
    preload: SCHEMA_FILES.filter((f) => f !== main.fileName).map(load),
    initialMemoryPages: 512,
    maxMemoryPages: 4096,
  });
  return { valid: result.valid, errors: result.errors.map((e) => e.rawMessage) };
}
