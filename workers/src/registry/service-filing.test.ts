import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDb, type Db } from '@openspis/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSubmissionFiling, testConfig } from '../testing/fixtures';
import { checkServiceFilings } from './service-filing';

describe('checking the services\' filing at start-up', () => {
  let db: Db;
  let close: () => Promise<void>;
  let dir: string;
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-processes-'));
    for (const [code, filing] of [['good', { classCode: '1.5', orgUnit: 'KT' }], ['none', undefined], ['old-class', { classCode: '2.1', orgUnit: 'KT' }], ['no-unit', { classCode: '1.5', orgUnit: 'ZZ' }]] as const) {
      fs.mkdirSync(path.join(dir, code));
      fs.writeFileSync(path.join(dir, code, 'catalogue.json'), JSON.stringify({ code, filing }));
    }
  });
  afterAll(async () => {
    await close();
    fs.rmSync(dir, { recursive: true });
  });

  it('names each service whose submissions could not be filed today, and why', async () => {
    // given no file plan yet
    const codes = ['good', 'none', 'old-class', 'no-unit'];
    expect((await checkServiceFilings(db, dir, codes, '2026-11-30')).map((p) => [p.serviceCode, p.code])).toEqual([
      ['good', 'FILE_CLASS_NOT_FOUND'], ['none', 'SERVICE_FILING_MISSING'], ['old-class', 'FILE_CLASS_NOT_FOUND'], ['no-unit', 'FILE_CLASS_NOT_FOUND'],
    ]);

    // when the plan and the unit are there
    await seedSubmissionFiling(db);

    // then
    expect((await checkServiceFilings(db, dir, codes, '2026-11-30')).map((p) => [p.serviceCode, p.code])).toEqual([
      ['none', 'SERVICE_FILING_MISSING'], ['old-class', 'FILE_CLASS_NOT_FOUND'], ['no-unit', 'ORG_UNIT_NOT_FOUND'],
    ]);
    // and the shipped catalogue files every service
    expect(await checkServiceFilings(db, testConfig().processesDir, ['general-submission'], '2026-11-30')).toEqual([]);
  });
});
