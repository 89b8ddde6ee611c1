import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerDaysFor } from './service-catalogue';
import { testConfig } from '../testing/fixtures';

describe('answerDaysFor', () => {
  it('takes the statutory deadline from the service catalogue entry', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-processes-'));
    fs.mkdirSync(path.join(dir, 'info-request'));
    fs.writeFileSync(path.join(dir, 'info-request', 'catalogue.json'), JSON.stringify({ deadline: { days: 15 } }));
    expect(answerDaysFor(dir, 'info-request')).toBe(15);
    expect(answerDaysFor(dir, 'unknown-service')).toBe(30);
    fs.rmSync(dir, { recursive: true });
  });

  it('reads the shipped general submission entry', () => {
    expect(answerDaysFor(testConfig().processesDir, 'general-submission')).toBe(30);
  });
});
