import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, tamperWithAuditLog, type Db } from '@openspis/db';
import { testConfig } from '../testing/fixtures';
import { validateNsesssXml } from '../records/xml/nsesss-schemas';
import type { CliContext } from './cli-command';
import { COMMANDS } from './commands/index';
import { runCli } from './run-cli';

describe('npm run cli', () => {
  let db: Db;
  let close: () => Promise<void>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-cli-'));
  const now = new Date('2026-11-30T09:00:00Z');
  let out: string[] = [];
  let err: string[] = [];
  let ctx: CliContext;
  const cli = (...argv: string[]) => {
    out = [];
    err = [];
    return runCli(COMMANDS, argv, ctx);
  };

  // a database with its migrations and the demo (which now also closes its past journal years and renders
  // a month of the log): 27 s alone, over the 60 s default with the load at 10 on two cores
  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    ctx = { db, config: testConfig(), clock: () => now, actor: { username: 'system:cli:test', roles: ['admin'], orgUnit: null }, out: (l) => out.push(l), err: (l) => err.push(l) };
    expect(await cli('demo', '--files', '12')).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('demo seeds once: file plans, files in several states, documents', async () => {
    expect(await cli('demo')).toBe(0);
    expect(out[0]).toMatch(/nothing seeded/);
    expect(Number((await db('file_plans').count({ n: '*' }).first())?.n)).toBe(3);
    const states = await db('files').distinct('state').pluck('state');
    expect(states).toEqual(expect.arrayContaining(['open', 'closed']));
  });

  it('fileplan export writes XML valid against nsesss-plan.xsd, and import takes it back as a new version', async () => {
    const file = path.join(dir, 'plan.xml');
    expect(await cli('fileplan', 'export', file)).toBe(0);
    const xml = fs.readFileSync(file, 'utf8');
    expect(await validateNsesssXml(xml, 'nsesss-plan.xsd')).toEqual({ valid: true, errors: [] });

    fs.writeFileSync(file, xml.replace('>MMKV-SP-2026<', '>MMKV-SP-2027<').replace(/<DatumOtevreni>2026-01-01</, '<DatumOtevreni>2027-01-01<'));
    expect(await cli('fileplan', 'import', file)).toBe(0);
    expect(out[0]).toMatch(/MMKV-SP-2027 imported: \d+ classes/);
    expect(await cli('fileplan', 'import', file)).toBe(1);
    expect(err[0]).toMatch(/^FILE_PLAN_EXISTS/);
  });

  it('log export writes the period as XML valid against nsesss-TrP.xsd', async () => {
    const file = path.join(dir, 'log.xml');
    expect(await cli('log', 'export', '2020-01-01', '2026-11-30', file)).toBe(0);
    const xml = fs.readFileSync(file, 'utf8');
    const validation = await validateNsesssXml(xml, 'nsesss-TrP.xsd');
    expect(validation.errors).toEqual([]);
    const events = Number(out[0].split(' ')[0]);
    expect(events).toBeGreaterThan(50);
    expect(xml.match(/<Udalost>/g)).toHaveLength(events);
    expect(xml).toContain('<TypUdalostiId>VlozeniDoSpisu</TypUdalostiId>');
    expect(await cli('log', 'export', '2026-12-01', '2026-11-01', file)).toBe(2);
    expect(err[0]).toMatch(/ends before it starts/);
  });

  it('log verify passes on the untouched log and names exactly the entry edited in the database', async () => {
    const code = await cli('log', 'verify');
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out[0]).toMatch(/intact: \d+ entries/);
    // when someone with database access rewrites one entry's actor
    const rows = await db('audit_log').orderBy('id').select('id');
    const victim = rows[Math.floor(rows.length / 2)].id;
    // an UPDATE through the application's connection is refused: the table is append-only
    await expect(db('audit_log').where({ id: victim }).update({ actor: 'user:nobody' })).rejects.toThrow(/append-only/);
    // the table's owner can switch the guard off and edit it
    await tamperWithAuditLog(db, (trx) => trx('audit_log').where({ id: victim }).update({ actor: 'user:nobody' }));
    // then
    expect(await cli('log', 'verify')).toBe(1);
    expect(err[0]).toMatch(new RegExp(`first altered entry ${victim} \\(`));
    expect(err[0]).toContain('content-altered');
  });

  it('files list prints one file reference per line, filtered by state', async () => {
    expect(await cli('files', 'list', '--state', 'closed')).toBe(0);
    const closed = await db('files').where({ state: 'closed' }).pluck('file_reference');
    expect([...out].sort()).toEqual([...closed].sort());
    expect(await cli('files', 'list')).toBe(0);
    expect(out).toHaveLength(Number((await db('files').count({ n: '*' }).first())?.n));
    expect(await cli('files', 'list', '--state', 'lost')).toBe(2);
  });

  it('an unknown command prints the list of commands', async () => {
    expect(await cli('nothing')).toBe(2);
    expect(err[0]).toContain('log verify');
  });
});

describe('the command line on a closed pipe', () => {
  it('ends with exit code 0 and nothing on stderr when the reader stops early (| head)', async () => {
    const runCliModule = new URL('./run-cli.ts', import.meta.url).pathname;
    // a writer that prints forever, as `files list` does on a large register, read by `head -c 1`
    const script = `import { endQuietlyOnClosedPipe } from ${JSON.stringify(runCliModule)};
      endQuietlyOnClosedPipe(process.stdout);
      const line = 'MMKV/00001/2026\\n'.repeat(1000);
      const write = () => { while (process.stdout.write(line)); process.stdout.once('drain', write); };
      write();`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  }, 30_000);
});
