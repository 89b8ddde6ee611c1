import type { Knex } from 'knex';
import type pino from 'pino';
import { IsdsStatusError, type IsdsClient, type OutgoingMessage } from '../../clients/isds/isds-client';
import { DomainError } from '../../shared/domain-error';
import { runPeriodically } from '../../shared/periodic';
import { buildDataBoxMessage } from './data-box-message';
import { claimSend, failInterruptedSends, failSend, listPendingSends, markSent, releaseSend, sendOptionsOf } from './data-box-send.repository';
import { applyDispatch } from './record-dispatch';

export interface DataBoxSendPorts {
  db: Knex;
  clock: () => Date;
  isds: IsdsClient;
}

export interface DataBoxSendRunResult {
  sent: string[];
  failed: string[];
  /** left pending for the next run: ISDS could not be reached or refused the login */
  deferred: number;
}

/** A request taken longer ago than this is a crashed node's (one call waits 30 s at most). */
const INTERRUPTED_AFTER_MS = 10 * 60_000;
/** Connection errors that mean the request never reached ISDS. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function neverReachedIsds(err: DomainError): boolean {
  if (err.code === 'ISDS_UNAUTHORIZED') return true;
  if (err.code !== 'ISDS_UNREACHABLE') return false;
  const cause = (err.cause as { cause?: { code?: string } } | undefined)?.cause;
  return NOT_CONNECTED.has(cause?.code ?? '');
}

/**
 * Sends the pending "send by data box" requests (CreateMessage), one per addressee's dispatch, the
 * oldest first, at most `batch`:
 * each is taken by one node only (pending → sending), and ISDS's answer is recorded — its new dmID in
 * one transaction with the dispatch (document `dispatched` now, journal day, Vypraveno by the clerk
 * who asked, the message's ID for the delivery take-over), a refusal (dmStatusCode other than 0000)
 * as `failed` with ISDS's code and message for the registry office to read. A request is never sent
 * twice by itself: when the answer is lost (timeout, broken answer, a node that died during the call)
 * it fails, and a person checks the box's sent messages before asking again. Only a refused
 * connection or login, after which ISDS certainly has nothing, leaves it pending for the next run.
 */
export async function sendPendingDataBoxMessages(ports: DataBoxSendPorts, log: pino.Logger, opts: { batch?: number } = {}): Promise<DataBoxSendRunResult> {
  const result: DataBoxSendRunResult = { sent: [], failed: [], deferred: 0 };
  const interrupted = await failInterruptedSends(ports.db, new Date(ports.clock().getTime() - INTERRUPTED_AFTER_MS));
  if (interrupted) log.warn({ count: interrupted }, 'data-box sends interrupted by a crash failed: their outcome is unknown');
  for (const row of await listPendingSends(ports.db, opts.batch ?? 20)) {
    if (!(await claimSend(ports.db, row.dispatch_id, ports.clock()))) continue;
    let message: OutgoingMessage;
    try {
      message = await buildDataBoxMessage(ports.db, row.document_id, { withContent: true, options: sendOptionsOf(row), dispatchId: row.dispatch_id });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      // changed since it was asked for (cancelled, the addressee lost the box): nothing was sent
      await failSend(ports.db, row.dispatch_id, { code: err.code });
      result.failed.push(row.document_id);
      continue;
    }
    let dmId: string;
    try {
      dmId = await ports.isds.createMessage(message);
    } catch (err) {
      if (err instanceof IsdsStatusError) {
        await failSend(ports.db, row.dispatch_id, { code: err.code, isdsCode: err.statusCode, isdsMessage: err.statusMessage });
        log.warn({ documentId: row.document_id, isdsCode: err.statusCode }, 'ISDS refused a data message');
        result.failed.push(row.document_id);
        continue;
      }
      const code = err instanceof DomainError ? err.code : 'ISDS_FAULT';
      log.warn({ err, code, documentId: row.document_id }, 'data message not sent');
      if (err instanceof DomainError && neverReachedIsds(err)) {
        await releaseSend(ports.db, row.dispatch_id);
        result.deferred += 1;
        break; // the others would fail the same way
      }
      await failSend(ports.db, row.dispatch_id, { code });
      result.failed.push(row.document_id);
      continue;
    }
    const now = ports.clock();
    await ports.db.transaction(async (trx) => {
      const doc = await trx('documents').where({ id: row.document_id }).forUpdate().first();
      const dispatch = await trx('document_dispatches').where({ id: row.dispatch_id }).first();
      // the request keeps a manual dispatch away; a document cancelled meanwhile keeps its state
      if (doc?.state === 'created' && dispatch?.state === 'created') await applyDispatch(trx, { id: doc.id, jid: doc.jid }, dispatch, { at: now, channel: 'data-box', dmId, actor: row.requested_by, now });
      else log.warn({ documentId: row.document_id, dispatchId: row.dispatch_id, dmId, state: doc?.state }, 'data message sent for a document no longer waiting for dispatch');
      await markSent(trx, row.dispatch_id, dmId, now);
    });
    log.info({ documentId: row.document_id, dmId }, 'data message sent');
    result.sent.push(row.document_id);
  }
  return result;
}

/** Runs the sender at start-up and then every `intervalMs`; runs never overlap in one process. Returns a stop function. */
export function scheduleDataBoxSends(ports: DataBoxSendPorts, log: pino.Logger, intervalMs: number): () => Promise<void> {
  return runPeriodically(() => sendPendingDataBoxMessages(ports, log), (err) => log.error({ err }, 'data-box sending failed'), intervalMs);
}
