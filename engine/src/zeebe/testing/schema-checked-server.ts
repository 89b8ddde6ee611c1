import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { findOperation, loadOfficialOperations, pathParams, type Operation } from './official-schemas';

export interface Exchange { operation: string; path: Record<string, string>; body: unknown }
export type Responder = (x: Exchange) => { status: number; body?: unknown };

/**
 * A real HTTP server standing in for the Orchestration Cluster: every request must match an
 * operation of the official 8.8 API and its request schema; every answer the test scripts must
 * match that operation's response schema. Violations are collected (and answered 400/500) so the
 * test can assert there were none.
 */
export async function startSchemaCheckedServer(responders: Record<string, Responder>) {
  const ops: Operation[] = await loadOfficialOperations();
  const violations: string[] = [];
  const exchanges: Exchange[] = [];

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const apiPath = url.pathname.replace(/^\/v2/, '');
    const send = (status: number, body?: unknown) => {
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const op = url.pathname.startsWith('/v2/') ? findOperation(ops, req.method ?? '', apiPath) : undefined;
    if (!op) {
      violations.push(`${req.method} ${url.pathname}: no such operation in the 8.8 API`);
      return send(404, { title: 'NOT_FOUND', status: 404, detail: 'no such operation', instance: url.pathname, type: 'about:blank' });
    }
    let body: unknown;
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      const form = await new Request('http://localhost', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
      body = { resources: form.getAll('resources'), ...(form.get('tenantId') ? { tenantId: form.get('tenantId') } : {}) };
    } else if (raw.length) {
      body = JSON.parse(raw.toString('utf8'));
    }
    const path = pathParams(op, apiPath);
    const query = Object.fromEntries(url.searchParams);
    const data = { ...(body !== undefined ? { body } : {}), ...(Object.keys(path).length ? { path } : {}), ...(Object.keys(query).length ? { query } : {}) };
    const checked = op.data?.safeParse(data);
    if (checked && !checked.success) {
      violations.push(`${op.name} request: ${checked.error?.message}`);
      return send(400, { title: 'INVALID_ARGUMENT', status: 400, detail: 'request does not match the schema', instance: url.pathname, type: 'about:blank' });
    }
    const exchange: Exchange = { operation: op.name, path, body };
    exchanges.push(exchange);
    const responder = responders[op.name];
    if (!responder) {
      violations.push(`${op.name}: the test has no answer for it`);
      return send(500);
    }
    const answer = responder(exchange);
    if (answer.status < 300 && answer.body !== undefined && op.response) {
      const ok = op.response.safeParse(answer.body);
      if (!ok.success) violations.push(`${op.name} response (scripted by the test): ${ok.error?.message}`);
    }
    send(answer.status, answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `http://127.0.0.1:${port}`,
    violations,
    exchanges,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
