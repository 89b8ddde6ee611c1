import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type Db } from '@openspis/db';
import { validateAgainstNsesss } from '../../../test/support/nsesss-schemas';
import { testConfig } from '../testing/fixtures';
import { archiveDecisionXml } from '../records/disposal/archive-decision.fixture';
import { closeFile } from '../records/disposal/close-file';
import { createDisposalProposal } from '../records/disposal/disposal-proposal';
import { insertOpenFile, PDFA, seedRecordsBasics } from '../records/disposal/disposal.fixture';
import { handOverFiles } from '../records/disposal/hand-over-files';
import { settleRecordDocument } from '../records/disposal/settle-record-document';
import type { CliContext } from './cli-command';
import { COMMANDS } from './commands/index';
import { runCli } from './run-cli';

describe('npm run cli: sip export, decision import', () => {
  let db: Db;
  let close: () => Promise<void>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openspis-sip-cli-'));
  let now = new Date('2015-04-01T08:00:00Z');
  let out: string[] = [];
  let err: string[] = [];
  let ctx: CliContext;
  let file: Awaited<ReturnType<typeof insertOpenFile>>;
  const cli = (...argv: string[]) => {
    out = [];
    err = [];
    return runCli(COMMANDS, argv, ctx);
  };

  beforeAll(async () => {
    ({ db, close } = await createTestDb());
    const config = testConfig();
    ctx = { db, config, clock: () => now, actor: { username: 'system:cli:test', roles: ['admin'], orgUnit: null }, out: (l) => out.push(l), err: (l) => err.push(l) };
    const { classIds } = await seedRecordsBasics(db);
    const ports = { db, clock: () => now, config };
    file = await insertOpenFile(db, { classId: classIds['3.3'], components: [{ name: 'stížnost.pdf', type: 'application/pdf', content: PDFA }] });
    await settleRecordDocument(ports, ctx.actor, { documentId: file.documentId, method: 'noted' });
    await closeFile(ports, ctx.actor, { fileId: file.fileId });
    await handOverFiles(ports, ctx.actor, { fileIds: [file.fileId] });
  });
  afterAll(async () => {
    await close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sip export writes <outDir>/<name>.zip valid against the schemas, or the unpacked folder', async () => {
    now = new Date('2021-02-01T08:00:00Z');
    expect(await cli('sip', 'export', file.fileReference, path.join(dir, 'zip'))).toBe(0);
    const [zipName] = fs.readdirSync(path.join(dir, 'zip'));
    expect(zipName).toMatch(/^SIP-MMKV-MMKV_\d+_2015-SR-\d{8}T\d{6}\.zip$/);
    expect(out[0]).toContain(zipName);
    const entries = unzipSync(new Uint8Array(fs.readFileSync(path.join(dir, 'zip', zipName))));
    const mets = new TextDecoder().decode(entries[`${zipName.replace(/\.zip$/, '')}/mets.xml`]);
    expect((await validateAgainstNsesss(mets)).errors).toEqual([]);

    expect(await cli('sip', 'export', file.fileReference, path.join(dir, 'folder'), '--folder')).toBe(0);
    const [folder] = fs.readdirSync(path.join(dir, 'folder'));
    expect(fs.readdirSync(path.join(dir, 'folder', folder))).toEqual(['mets.xml']);
    expect((await db('audit_log').where({ object_id: file.fileId, event_type: 'Export' })).length).toBe(2);
  });

  it('refuses bad usage with exit code 2 and an unknown file with 1 and its code', async () => {
    expect(await cli('sip', 'export', file.fileReference)).toBe(2);
    expect(err[0]).toMatch(/usage: npm run cli -- sip export/);
    expect(await cli('sip', 'export', 'MMKV/404/2015', dir)).toBe(1);
    expect(err[0]).toMatch(/^FILE_NOT_FOUND/);
  });

  it('decision import carries out the archive decision once', async () => {
    await createDisposalProposal({ db, clock: () => now }, ctx.actor);
    const xmlFile = path.join(dir, 'decision.xml');
    fs.writeFileSync(xmlFile, archiveDecisionXml({ entities: [{ identifier: file.fileId, operation: 'zničit' }] }));

    expect(await cli('decision', 'import', xmlFile, '--out', path.join(dir, 'transfer'))).toBe(0);
    expect(out).toEqual([`${file.fileReference}\tdestroyed`]);
    expect(await db('files').where({ id: file.fileId }).first()).toMatchObject({ state: 'destroyed' });

    expect(await cli('decision', 'import', xmlFile)).toBe(0);
    expect(out[0]).toMatch(/imported before/);
    fs.writeFileSync(xmlFile, '<Seznam/>');
    expect(await cli('decision', 'import', xmlFile)).toBe(1);
    expect(err[0]).toMatch(/^DECISION_INVALID/);
  });
});
