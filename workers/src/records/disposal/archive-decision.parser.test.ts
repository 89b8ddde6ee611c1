import { describe, expect, it } from 'vitest';
import { validateAgainstNsesss } from '../../../../test/support/nsesss-schemas';
import { archiveDecisionXml } from './archive-decision.fixture';
import { parseArchiveDecision } from './archive-decision.parser';

const decision = archiveDecisionXml({
  entities: [
    { identifier: 'f-1', operation: 'vybrat za archiválii' },
    { identifier: 'f-2', operation: 'zničit' },
  ],
});

describe('archive decision (nsesss-DA.xsd)', () => {
  it('reads a decision that is valid against nsesss-DA.xsd', async () => {
    // given a list the archive would send, valid against the official schema
    expect((await validateAgainstNsesss(decision, 'nsesss-DA.xsd')).errors).toEqual([]);

    const parsed = parseArchiveDecision(decision);

    expect(parsed).toMatchObject({ listId: 'SR-2026-17', archiveId: 'SOA-Plzen', originatorId: '00254657', disposalProcedureId: 'SR/17/2026' });
    expect(parsed.createdAt.toISOString()).toBe('2026-12-10T09:00:00.000Z');
    expect(parsed.entities).toEqual([
      { identifier: 'f-1', source: 'MMKV', operation: 'vybrat za archiválii', archiveIdentifier: null },
      { identifier: 'f-2', source: 'MMKV', operation: 'zničit', archiveIdentifier: null },
    ]);
  });

  it('reads the confirmation of a transfer with the digital archive identifiers', async () => {
    const xml = archiveDecisionXml({ entities: [{ identifier: 'f-1', archiveIdentifier: 'NDA-2026-000123' }] });
    expect((await validateAgainstNsesss(xml, 'nsesss-DA.xsd')).valid).toBe(true);

    expect(parseArchiveDecision(xml).entities[0].archiveIdentifier).toEqual({ value: 'NDA-2026-000123', source: 'SOA-Plzen' });
  });

  it.each([
    ['not XML', 'this is not xml', /not well-formed/, true],
    ['another root', '<Seznam xmlns="urn:other" ID="x"/>', /root element must be Seznam/, true],
    ['a missing originator', decision.replace(/ identifikatorPuvodce="[^"]*"/, ''), /identifikatorPuvodce/, true],
    ['a bad date', decision.replace(/datumVytvoreni="[^"]*"/, 'datumVytvoreni="10.12.2026"'), /xs:dateTime/, true],
    ['an unknown operation', decision.replace('zničit', 'spálit'), /unknown operation "spálit"/, true],
    ['no entity', decision.replace(/<EntitaSeznamu>[\s\S]*<\/EntitaSeznamu>/, ''), /lists no entity/, true],
    // stricter than the schema: an ambiguous list and entity declarations are refused as well
    ['an entity listed twice', decision.replace('f-2', 'f-1'), /listed twice/, false],
    ['a DOCTYPE', decision.replace('<Seznam', '<!DOCTYPE Seznam [<!ENTITY x "y">]>\n<Seznam'), /DOCTYPE/, false],
  ])('refuses %s with DECISION_INVALID', async (_what, xml, message, schemaRefuses) => {
    // where the schema refuses it too, the parser is not more lenient than the standard
    expect((await validateAgainstNsesss(xml, 'nsesss-DA.xsd')).valid).toBe(!schemaRefuses);
    expect(() => parseArchiveDecision(xml)).toThrow(message);
    try {
      parseArchiveDecision(xml);
    } catch (err) {
      expect((err as { code: string }).code).toBe('DECISION_INVALID');
    }
  });
});
