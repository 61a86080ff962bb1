// The client on its own: retries, idempotency keys, typed errors and signatures, against a scripted
// server for what a live one will not do on cue (a 503, a 500, a 429 with a short Retry-After).
import assert from 'node:assert/strict';
import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';

import {
  ERRORS_BY_CODE,
  InsufficientCreditsError,
  InvalidParametersError,
  RateLimitError,
  ServiceUnavailableError,
  SynthGen,
  SynthGenConnectionError,
  SynthGenError,
  WebhookVerificationError,
  verifyWebhook,
} from '../src/index.js';

type Scripted = { status: number; body: unknown; headers?: Record<string, string> };
type Seen = { method: string; url: string; headers: IncomingHttpHeaders; body: string };

const script: Scripted[] = [];
const seen: Seen[] = [];
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString() });
    const answer = script.shift() ?? { status: 200, body: { success: true, data: {} } };
    response.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
    response.end(JSON.stringify(answer.body));
  });
});
let url = '';

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

function scripted(...answers: Scripted[]): { client: SynthGen; waits: number[] } {
  script.splice(0, script.length, ...answers);
  seen.splice(0, seen.length);
  const waits: number[] = [];
  const client = new SynthGen({ apiKey: 'sg_live_test', baseUrl: url, sleep: async (s) => void waits.push(s) });
  return { client, waits };
}

const error = (code: string, extra: object = {}) => ({ success: false, error: 'It went wrong', code, ...extra });
const FEEDBACK = { productType: 'mobile_app', sentimentMix: 'balanced', feedbackCount: 2 } as const;

test('a 429 is retried after its Retry-After with the same Idempotency-Key', async () => {
  const { client, waits } = scripted(
    { status: 429, body: error('RATE_LIMIT_EXCEEDED', { retryAfter: 2 }), headers: { 'Retry-After': '2' } },
    { status: 200, body: { success: true, data: [], creditsUsed: 2, remainingCredits: 8 } },
  );

  const answer = await client.generateFeedback(FEEDBACK);

  assert.equal(answer.remainingCredits, 8);
  assert.deepEqual(waits, [2]);
  const [first, second] = seen.map((request) => request.headers['idempotency-key']);
  assert.ok(first && first.length === 36);
  assert.equal(second, first);
  assert.equal(seen[0]?.body, seen[1]?.body);
});

test('each call has its own Idempotency-Key unless one is given', async () => {
  const { client } = scripted();
  await client.generateTickets({ productType: 'saas', ticketCount: 1 });
  await client.generateTickets({ productType: 'saas', ticketCount: 1 }, { idempotencyKey: 'order-42' });

  const [first, second] = seen.map((request) => request.headers['idempotency-key']);
  assert.notEqual(first, 'order-42');
  assert.equal(second, 'order-42');
});

test('a 5xx without Retry-After backs off exponentially, then throws typed', async () => {
  const unavailable = { status: 503, body: error('SERVICE_UNAVAILABLE') };
  const { client, waits } = scripted(unavailable, unavailable, unavailable, unavailable);

  await assert.rejects(client.getAccount(), ServiceUnavailableError);

  assert.equal(seen.length, 4);
  assert.equal(waits.length, 3);
  assert.ok(waits[0]! <= 0.25 && waits[1]! <= 0.5 && waits[2]! <= 1 && waits[2]! >= 0.5);
});

test('a Retry-After longer than the client waits throws at once', async () => {
  const body = error('RATE_LIMIT_EXCEEDED', { retryAfter: 3600, error: 'Daily request limit of 5 reached' });
  const { client, waits } = scripted({ status: 429, body, headers: { 'Retry-After': '3600', 'X-Request-Id': 'req-1' } });

  const raised = await client.generateTickets({ productType: 'saas', ticketCount: 1 }).catch((e: unknown) => e);

  assert.ok(raised instanceof RateLimitError);
  assert.equal(raised.retryAfter, 3600);
  assert.equal(raised.message, 'Daily request limit of 5 reached');
  assert.equal(raised.requestId, 'req-1');
  assert.deepEqual(waits, []);
});

test('a 500 is not retried for a POST without an Idempotency-Key', async () => {
  const { client } = scripted({ status: 500, body: error('INTERNAL_ERROR', { requestId: 'abc123' }) });

  const raised = await client.rotateWebhookSecret('0b6f1f53-7a4e-4d7e-9a53-6f0f0c6a1d2e').catch((e: unknown) => e);

  assert.ok(raised instanceof SynthGenError);
  assert.equal(raised.code, 'INTERNAL_ERROR');
  assert.equal(raised.requestId, 'abc123');
  assert.equal(seen.length, 1);
});

test('a 400 and a 402 carry their envelopes', async () => {
  const details = { productType: 'Must be one of: mobile_app, web_app' };
  const { client } = scripted(
    { status: 400, body: error('INVALID_PARAMETERS', { details }) },
    { status: 402, body: error('INSUFFICIENT_CREDITS', { requiredCredits: 4000, remainingCredits: 50 }) },
  );

  const invalid = await client.generateFeedback(FEEDBACK).catch((e: unknown) => e);
  const poor = await client.generateFeedback(FEEDBACK).catch((e: unknown) => e);

  assert.ok(invalid instanceof InvalidParametersError);
  assert.deepEqual(invalid.details, details);
  assert.ok(poor instanceof InsufficientCreditsError);
  assert.deepEqual([poor.requiredCredits, poor.remainingCredits, poor.status], [4000, 50, 402]);
});

test('a dry run and unknown fields go in the body', async () => {
  const { client } = scripted();
  await client.generateInterviews({ productType: 'fintech', questionCount: 3, dryRun: true });

  assert.deepEqual(JSON.parse(seen[0]?.body ?? ''), { productType: 'fintech', questionCount: 3, dryRun: true });
});

test('an unreachable server is a connection error after the retries', async () => {
  const waits: number[] = [];
  const client = new SynthGen({ apiKey: 'k', baseUrl: 'http://127.0.0.1:9', sleep: async (s) => void waits.push(s) });

  await assert.rejects(client.listJobs(), SynthGenConnectionError);
  assert.equal(waits.length, 3);
});

test('every error code of the API has its own class', { skip: !process.env.SYNTHGEN_ERROR_CODES }, () => {
  const codes = JSON.parse(process.env.SYNTHGEN_ERROR_CODES ?? '{}') as Record<string, number>;
  assert.ok(Object.keys(codes).length > 10);
  for (const code of Object.keys(codes)) assert.equal(ERRORS_BY_CODE[code]?.code, code, code);
});

// Signed by the standardwebhooks Python package (tests/clients/test_typescript.py).
const signed = JSON.parse(process.env.SYNTHGEN_SIGNED ?? 'null') as
  | { secret: string; body: string; headers: Record<string, string>; other: string }
  | null;

test('a Standard Webhooks signature verifies', { skip: !signed }, async () => {
  const event = await verifyWebhook(signed!.secret, signed!.body, signed!.headers);

  assert.equal(event.type, 'webhook.test');
  assert.equal((await verifyWebhook(signed!.secret, signed!.body, new Headers(signed!.headers))).id, event.id);
});

test('a tampered body, another secret or an old timestamp is refused', { skip: !signed }, async () => {
  const { secret, body, headers, other } = signed!;
  await assert.rejects(verifyWebhook(secret, body.replace('webhook.test', 'job.failed'), headers), WebhookVerificationError);
  await assert.rejects(verifyWebhook(other, body, headers), WebhookVerificationError);
  await assert.rejects(verifyWebhook(secret, body, headers, { now: Date.now() / 1000 + 600 }), /too far/);
});
