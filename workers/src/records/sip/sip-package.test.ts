import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterEach, describe, expect, it } from 'vitest';
import { buildSip } from './mets-builder';
import { sampleSipInput } from './sip.fixture';
import { writeSip } from './sip-package';

let dir: string | null = null;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
});

describe('SIP package on disk', () => {
  it('zips one folder named like the zip with mets.xml and the components', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sip-'));
    const sip = buildSip(sampleSipInput('transfer'));

    const written = await writeSip(sip, dir, 'zip');

    expect(path.basename(written)).toBe(`${sip.name}.zip`);
    const entries = unzipSync(new Uint8Array(await readFile(written)));
    const names = Object.keys(entries).sort();
    expect(names.every((n) => n.startsWith(`${sip.name}/`))).toBe(true);
    expect(names).toContain(`${sip.name}/mets.xml`);
    expect(names.filter((n) => n.includes('/komponenty/'))).toHaveLength(3);
    expect(new TextDecoder().decode(entries[`${sip.name}/mets.xml`])).toBe(sip.metsXml);
    expect(await readdir(dir)).toEqual([`${sip.name}.zip`]);
  });

  it('writes an unpacked folder with mets.xml only for a disposal proposal', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sip-'));
    const sip = buildSip(sampleSipInput('disposal'));

    const written = await writeSip(sip, dir, 'folder');

    expect((await stat(written)).isDirectory()).toBe(true);
    expect(await readdir(written)).toEqual(['mets.xml']);
    expect(await readFile(path.join(written, 'mets.xml'), 'utf8')).toBe(sip.metsXml);
  });

  it('names the package safely from the package id', () => {
    const sip = buildSip(sampleSipInput('disposal', { packageId: 'SIP/MMKV 1/2015 – Příčná' }));
    expect(sip.name).toBe('SIP_MMKV_1_2015_Pricna');
  });
});
