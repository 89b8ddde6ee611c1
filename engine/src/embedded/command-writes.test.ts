import { describe, expect, it } from 'vitest';
import { insertSql, updateSql } from './command-writes';

describe('statements built as text', () => {
  it('inserts the union of the rows’ columns, DEFAULT where a row lacks one, one binding per value', () => {
    // given two job rows, only the pushed one with a worker and deadline
    const deadline = new Date('2026-12-01T08:00:00Z');
    const rows = [
      { instance_key: '7', execution_id: 'a', state: 'ACTIVATED', worker: 'w', deadline },
      { instance_key: '7', execution_id: 'b', state: 'ACTIVATABLE' },
    ];
    // when
    const { sql, bindings } = insertSql('engine_jobs', rows, 'returning "key"');
    // then
    expect(sql).toBe('insert into "engine_jobs" ("deadline", "execution_id", "instance_key", "state", "worker") values (?, ?, ?, ?, ?), (default, ?, ?, ?, default) returning "key"');
    expect(bindings).toEqual([deadline, 'a', '7', 'ACTIVATED', 'w', 'b', '7', 'ACTIVATABLE']);
  });

  it('updates the set columns (skipping undefined ones) where every condition holds', () => {
    const { sql, bindings } = updateSql('engine_process_instances', { variables: '{}', state: undefined, engine_state: 's' }, { key: '7', revision: '3' }, 'returning "revision"');
    expect(sql).toBe('update "engine_process_instances" set "variables" = ?, "engine_state" = ? where "key" = ? and "revision" = ? returning "revision"');
    expect(bindings).toEqual(['{}', 's', '7', '3']);
  });
});
