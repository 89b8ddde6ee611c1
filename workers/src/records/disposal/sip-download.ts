import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { DomainError } from '../../shared/domain-error';
import type { WorkerPorts } from '../../shared/ports';
import type { Actor } from '../records.model';
import { exportFileSip } from '../sip/export-file-sip';
import { exportDisposalProposal } from './disposal-proposal';

type Ports = Pick<WorkerPorts, 'db' | 'clock' | 'config'>;

async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'openspis-sip-download-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The disposal proposal's SIPs for a download: `exportDisposalProposal` (one metadata-only package
 * per file, each export logged, the proposal marked exported) into a temporary folder, handed back as
 * one zip holding the packages' zips as they would go to the archive's portal.
 */
export async function downloadProposalSips(ports: Ports, actor: Actor, input: { proposalId: string }): Promise<{ fileName: string; content: Uint8Array }> {
  const proposal = await ports.db('disposal_proposals').where({ id: input.proposalId }).first('identifier');
  if (!proposal) throw new DomainError('PROPOSAL_NOT_FOUND', `disposal proposal ${input.proposalId} does not exist`);
  return inTempDir(async (dir) => {
    await exportDisposalProposal(ports, actor, { proposalId: input.proposalId, outDir: dir, format: 'zip' });
    const entries: Zippable = {};
    for (const name of (await readdir(dir)).filter((n) => n.endsWith('.zip')).sort()) entries[name] = [await readFile(path.join(dir, name)), { level: 0 }];
    return { fileName: `${proposal.identifier}-SIP.zip`, content: zipSync(entries, { mtime: new Date('2000-01-01T00:00:00Z') }) };
  });
}

/** The SIP of one file for a download (`exportFileSip`: disposal package, or transfer package once transferred). */
export async function downloadFileSip(ports: Ports, actor: Actor, input: { fileId: string }): Promise<{ fileName: string; content: Uint8Array }> {
  const file = await ports.db('files').where({ id: input.fileId }).first('file_reference');
  if (!file) throw new DomainError('FILE_NOT_FOUND', `file ${input.fileId} does not exist`);
  return inTempDir(async (dir) => {
    const r = await exportFileSip(ports, actor, { fileReference: file.file_reference, outDir: dir, format: 'zip' });
    return { fileName: path.basename(r.path), content: await readFile(r.path) };
  });
}
