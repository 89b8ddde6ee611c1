import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { DomainError } from './domain-error';
import { defineJob, retryBackOff, toOutcome } from './job-edge';
import { jobCtx, makeJob } from '../testing/fixtures';

const job = makeJob('test.job', {});

describe('job edge error mapping', () => {
  it('bad input fails with no retries so a person looks at the incident', () => {
    expect(toOutcome(job, new DomainError('INVALID_INPUT', 'variable submissionId must be a UUID'))).toEqual({
      outcome: 'fail',
      retries: 0,
      errorMessage: 'INVALID_INPUT: variable submissionId must be a UUID',
    });
  });

  it('a modelled business error becomes a BPMN error', () => {
    expect(toOutcome(job, new DomainError('ALREADY_SETTLED', 'settled', 'business'))).toMatchObject({ outcome: 'error', errorCode: 'ALREADY_SETTLED' });
  });

  it('anything else is retried with growing backoff', () => {
    expect(toOutcome({ ...job, retries: 5 }, new Error('connection reset'))).toEqual({ outcome: 'fail', retries: 4, errorMessage: 'connection reset', retryBackOff: 2000 });
    expect(toOutcome({ ...job, retries: 2 }, new Error('x'))).toMatchObject({ retries: 1, retryBackOff: 16_000 });
    expect(retryBackOff(0, 50)).toBe(300_000);
  });

  it('a thrown error never escapes handle()', async () => {
    const handler = defineJob('test.job', pino({ level: 'silent' }), async () => {
      throw new TypeError('boom');
    });
    await expect(handler.handle(job, jobCtx)).resolves.toMatchObject({ outcome: 'fail', retries: 4 });
  });
});
