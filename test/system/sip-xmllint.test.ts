import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSip } from '../../workers/src/records/sip/mets-builder';
import { sampleSipInput } from '../../workers/src/records/sip/sip.fixture';
import { nsesssSchemaDir } from '../support/nsesss-schemas';

// The same packages as the unit tests, checked by Debian's xmllint binary (libxml2-utils) with
// no network: a second, independent libxml2 build agreeing with xmllint-wasm.
const dir = mkdtempSync(path.join(os.tmpdir(), 'sip-xmllint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function xmllint(file: string): { code: number; output: string } {
  const s = nsesssSchemaDir();
  const driver = path.join(dir, 'driver.xsd');
  writeFileSync(driver, `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:import namespace="http://www.w3.org/1999/xlink" schemaLocation="${s}/mets-xlink.xsd"/>
  <xs:import namespace="http://www.loc.gov/METS/" schemaLocation="${s}/mets.xsd"/>
  <xs:import namespace="http://www.mvcr.cz/nsesss/v4" schemaLocation="${s}/nsesss.xsd"/>
  <xs:import namespace="http://www.mvcr.cz/nsesss/2023/log" schemaLocation="${s}/nsesss-TrP.xsd"/>
</xs:schema>`);
  const r = spawnSync('xmllint', ['--nonet', '--noout', '--schema', driver, file], { encoding: 'utf8' });
  if (r.error) throw r.error;
  // xmllint reports on stderr, "validates" included
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

describe('SIP packages against the official schemas with the xmllint binary', () => {
  it.each(['disposal', 'transfer'] as const)('%s package validates', (kind) => {
    const file = path.join(dir, `${kind}.xml`);
    writeFileSync(file, buildSip(sampleSipInput(kind)).metsXml);
    const result = xmllint(file);
    expect(result.output).toContain(`${kind}.xml validates`);
    expect(result.code).toBe(0);
  });

  it('fails a package with a retention period outside 0–999', () => {
    const file = path.join(dir, 'broken.xml');
    writeFileSync(file, buildSip(sampleSipInput('disposal')).metsXml.replace(/<nsesss:SkartacniLhuta>10</, '<nsesss:SkartacniLhuta>1000<'));
    const result = xmllint(file);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/SkartacniLhuta/);
  });
});
