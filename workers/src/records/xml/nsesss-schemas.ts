import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateXML } from 'xmllint-wasm';

/** Verbatim copies of the official NSESSS 2023 schemas (see standards/README.md). */
export const NSESSS_SCHEMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../standards/nsesss');

export type NsesssSchema = 'nsesss-plan.xsd' | 'nsesss-TrP.xsd' | 'nsesss.xsd' | 'nsesss-DA.xsd' | 'mets.xsd';

export interface XmlValidation {
  valid: boolean;
  errors: string[];
}

/**
 * Validates a document against one of the official schemas with libxml2 (xmllint compiled to
 * WebAssembly), with every other schema of the folder preloaded so includes and imports resolve
 * offline.
 */
export async function validateNsesssXml(xml: string, schema: NsesssSchema): Promise<XmlValidation> {
  const preload = fs
    .readdirSync(NSESSS_SCHEMA_DIR)
    .filter((f) => f.endsWith('.xsd') && f !== schema)
    .map((f) => ({ fileName: f, contents: fs.readFileSync(path.join(NSESSS_SCHEMA_DIR, f), 'utf8') }));
  const result = await validateXML({
    xml: { fileName: 'document.xml', contents: xml },
    schema: { fileName: schema, contents: fs.readFileSync(path.join(NSESSS_SCHEMA_DIR, schema), 'utf8') },
    preload,
    maxMemoryPages: 4096,
  });
  return { valid: result.valid, errors: result.errors.map((e) => e.message ?? e.rawMessage) };
}
