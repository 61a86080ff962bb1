// The client against a live server (started by tests/clients/test_typescript.py): every operation,
// and the errors it throws typed. SYNTHGEN_KEY is a Basic account with 1,000 credits,
// SYNTHGEN_POOR_KEY a Free one with 50, SYNTHGEN_LIMITED_KEY a Free one past its daily limit.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';

import {
  InsufficientCreditsError,
  InvalidParametersError,
  type Job,
  JobFinishedError,
  NotFoundError,
  RateLimitError,
  SynthGen,
  UnauthorizedError,
  type WebhookDelivery,
  verifyWebhook,
} from '../src/index.js';

const baseUrl = process.env.SYNTHGEN_URL ?? '';
const live = { skip: !baseUrl && 'needs SYNTHGEN_URL and keys (run through pytest)' };
const client = new SynthGen({ apiKey: process.env.SYNTHGEN_KEY ?? '', baseUrl });

async function text(stream: ReadableStream<Uint8Array>): Promise<{ text: string; chunks: number }> {
  let chunks = 0;
  let all = '';
  const decoder = new TextDecoder();
  for await (const chunk of stream) {
    chunks += 1;
    all += decoder.decode(chunk, { stream: true });
  }
  return { text: all + decoder.decode(), chunks };
}

test('the three generators answer their data and what it cost', live, async () => {
  const before = (await client.getAccount()).remainingCredits;
  const feedback = await client.generateFeedback({ productType: 'mobile_app', sentimentMix: 'negative', feedbackCount: 3, seed: 7 });
  const tickets = await client.generateTickets({ productType: 'saas', ticketCount: 4, complexityLevel: 'simple' });
  const interviews = await client.generateInterviews({ productType: 'fintech', questionCount: 2, interviewType: 'churn' });

  assert.deepEqual(feedback.data.map((entry) => entry.sentiment), ['negative', 'negative', 'negative']);
  assert.equal(feedback.seed, 7);
  assert.equal(tickets.data.length, 4);
  assert.equal(interviews.data[0]?.questions?.length, 2);
  assert.equal(interviews.remainingCredits, before! - 2 - 4 - 4);
});

test('a call is charged once per Idempotency-Key, and its retry replays', live, async () => {
  const body = { productType: 'web_app', ticketCount: 5 } as const;
  const first = await client.generateTickets(body);
  const second = await client.generateTickets(body);
  const key = crypto.randomUUID();
  const once = await client.generateTickets(body, { idempotencyKey: key });
  const again = await client.generateTickets(body, { idempotencyKey: key });

  assert.equal(second.remainingCredits, first.remainingCredits - 5);
  assert.deepEqual(again, once);
  assert.equal((await client.getAccount()).remainingCredits, once.remainingCredits);
});

test('a job is followed with progress, listed, and its file streamed', live, async () => {
  const answer = await client.createJob({ type: 'tickets', count: 120, format: 'jsonl', params: { productType: 'ecommerce' } });
  const seen: Job[] = [];

  const job = await client.waitForJob(answer.data.id, { onProgress: (j) => seen.push(j), pollInterval: 0.1 });
  const download = await client.downloadJob(job.id);
  const { text: lines, chunks } = await text(download.body);

  assert.equal(answer.creditsUsed, 120);
  assert.equal(seen.at(-1)?.status, 'succeeded');
  assert.equal(job.entriesDone, 120);
  assert.match(download.filename ?? '', /^synthgen-tickets-.*\.jsonl$/);
  assert.deepEqual(new Set(lines.trim().split('\n').map((line) => typeof JSON.parse(line).subject)), new Set(['string']));
  assert.equal(lines.trim().split('\n').length, 120);
  assert.ok(chunks >= 1);
  assert.equal((await client.listJobs({ limit: 1 }))[0]?.id, job.id);
  assert.equal((await client.getJob(job.id)).downloadUrl, job.downloadUrl);
  await assert.rejects(client.cancelJob(job.id), JobFinishedError);
});

test('the account is read and its threshold changed', live, async () => {
  const account = await client.getAccount();
  const changed = await client.updateAccount({ lowCreditThreshold: 100 });
  const cleared = await client.updateAccount({ lowCreditThreshold: null });

  assert.equal(account.tier, 'basic');
  assert.ok(account.apiKey && process.env.SYNTHGEN_KEY?.startsWith(account.apiKey));
  assert.equal(changed.lowCreditThreshold, 100);
  assert.equal(cleared.lowCreditThreshold, null);
});

test('webhook endpoints are managed and their signed events verify', live, async () => {
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  try {
    const created = await client.createWebhook({ url, events: ['job.succeeded'], description: 'ts' });
    const test = await client.sendTestWebhook(created.id);
    const [delivery] = await finished(created.id);
    const event = await verifyWebhook(created.secret!, received[0]!.body, received[0]!.headers);
    const rotated = await client.rotateWebhookSecret(created.id);
    await client.redeliverWebhook(created.id, delivery!.id);
    await finished(created.id, 2);
    await until(() => received.length >= 2);
    const again = await verifyWebhook(rotated.secret!, received[1]!.body, received[1]!.headers);
    const updated = await client.updateWebhook(created.id, { events: ['job.failed'] });

    assert.equal(test.eventType, 'webhook.test');
    assert.equal(event.type, 'webhook.test');
    assert.equal(again.id, event.id);
    assert.notEqual(rotated.secret, created.secret);
    assert.equal((await client.getWebhookDelivery(created.id, delivery!.id)).attemptCount, 2);
    assert.deepEqual(updated.events, ['job.failed']);
    assert.deepEqual((await client.listWebhooks()).map((endpoint) => endpoint.id), [created.id]);
    assert.equal((await client.getWebhook(created.id)).url, url);
    assert.equal((await client.deleteWebhook(created.id)).id, created.id);
    await assert.rejects(client.getWebhook(created.id), NotFoundError);
  } finally {
    receiver.close();
  }
});

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The endpoint's deliveries once every one has finished with `attempts` attempts, so that no
 * delivery is left for the server's sweeper thread after the test. */
async function finished(endpointId: string, attempts = 1): Promise<WebhookDelivery[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const deliveries = await client.listWebhookDeliveries(endpointId);
    const done = (d: WebhookDelivery) => d.status !== 'pending' && d.attemptCount === attempts;
    if (deliveries.length > 0 && deliveries.every(done)) return deliveries;
    if (Date.now() > deadline) throw new Error(`the deliveries to ${endpointId} did not finish`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('a job the balance cannot pay is a typed 402', live, async () => {
  const poor = new SynthGen({ apiKey: process.env.SYNTHGEN_POOR_KEY ?? '', baseUrl });
  const raised = await poor
    .createJob({ type: 'feedback', count: 100_000, params: { productType: 'mobile_app', sentimentMix: 'balanced' } })
    .catch((e: unknown) => e);

  assert.ok(raised instanceof InsufficientCreditsError);
  assert.deepEqual([raised.status, raised.requiredCredits, raised.remainingCredits], [402, 4000, 50]);
});

test('the daily limit is a typed 429 thrown without waiting', live, async () => {
  const waits: number[] = [];
  const limited = new SynthGen({
    apiKey: process.env.SYNTHGEN_LIMITED_KEY ?? '',
    baseUrl,
    maxRetryWait: 5,
    sleep: async (seconds) => void waits.push(seconds),
  });
  const raised = await limited.generateTickets({ productType: 'saas', ticketCount: 1 }).catch((e: unknown) => e);

  assert.ok(raised instanceof RateLimitError);
  assert.equal(raised.status, 429);
  assert.match(raised.message, /^Daily request limit of 5 reached/);
  assert.ok((raised.retryAfter ?? 0) > 5);
  assert.deepEqual(waits, []);
});

test('bad fields and a bad key are typed errors', live, async () => {
  const invalid = await client
    .generateFeedback({ productType: 'spaceship', sentimentMix: 'sunny', feedbackCount: 99 } as never)
    .catch((e: unknown) => e);
  const stranger = new SynthGen({ apiKey: 'sg_live_nope', baseUrl });

  assert.ok(invalid instanceof InvalidParametersError);
  assert.deepEqual(Object.keys(invalid.details).sort(), ['feedbackCount', 'productType', 'sentimentMix']);
  await assert.rejects(stranger.getAccount(), UnauthorizedError);
});

test('dry runs price each request and the job, and charge or count nothing', live, async () => {
  const before = await client.getAccount();
  const jobsBefore = (await client.listJobs({ limit: 100 })).map((j) => j.id);
  const feedback = await client.generateFeedback({ productType: 'mobile_app', sentimentMix: 'mixed', feedbackCount: 30, dryRun: true });
  const tickets = await client.generateTickets({ productType: 'saas', ticketCount: 7, dryRun: true });
  const interviews = await client.generateInterviews({ productType: 'fintech', questionCount: 3, dryRun: true });
  const job = await client.createJob({ type: 'tickets', count: 120, params: { productType: 'saas' }, dryRun: true });
  const after = await client.getAccount();

  assert.deepEqual([feedback.credits, tickets.credits, interviews.credits, job.credits], [2, 7, 6, 120]);
  assert.deepEqual([feedback.creditsUsed, job.creditsUsed], [0, 0]);
  assert.equal(tickets.remainingCreditsAfter, before.remainingCredits! - 7);
  assert.ok(job.allowed && job.refusal === null && job.dailyLimit.allowed);
  assert.equal(job.batches, 3);
  assert.ok(job.estimatedSeconds >= 0);
  assert.equal(after.remainingCredits, before.remainingCredits);
  assert.equal(after.requestsToday, before.requestsToday);
  assert.deepEqual((await client.listJobs({ limit: 100 })).map((j) => j.id), jobsBefore);
});

test('a dry run the balance cannot pay answers the 402 it would meet', live, async () => {
  const poor = new SynthGen({ apiKey: process.env.SYNTHGEN_POOR_KEY ?? '', baseUrl });
  const params = { productType: 'mobile_app', sentimentMix: 'balanced' } as const;
  const estimate = await poor.createJob({ type: 'feedback', count: 100_000, params, dryRun: true });

  assert.equal(estimate.allowed, false);
  assert.equal(estimate.sufficientCredits, false);
  assert.equal(estimate.remainingCreditsAfter, null);
  assert.equal(estimate.refusal?.status, 402);
  assert.equal(estimate.refusal?.body.code, 'INSUFFICIENT_CREDITS');
  assert.equal((await poor.getAccount()).remainingCredits, 50);
});

function words(texts: string[]): { min: number; max: number } {
  const counts = texts.map((text) => text.split(/\s+/).filter(Boolean).length);
  return { min: Math.min(...counts), max: Math.max(...counts) };
}

function tally(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

test('an answer and a finished job carry summaries equal to a recount of their data', live, async () => {
  const feedback = await client.generateFeedback({ productType: 'ecommerce', sentimentMix: 'balanced', feedbackCount: 12, seed: 3 });
  const tickets = await client.generateTickets({ productType: 'saas', ticketCount: 9, seed: 4 });
  const answer = await client.createJob({ type: 'feedback', count: 60, params: { productType: 'saas', sentimentMix: 'mixed' } });
  const job = await client.waitForJob(answer.data.id, { pollInterval: 0.1 });
  const { text: file } = await text((await client.downloadJob(job.id)).body);
  const entries = file.trim().split('\n').map((line) => JSON.parse(line) as { sentiment: string; rating: number; content: string });

  const summary = feedback.summary!;
  assert.equal(summary.entries, 12);
  assert.deepEqual(Object.fromEntries(Object.entries(summary.sentiment).filter(([, n]) => n > 0)), tally(feedback.data.map((e) => e.sentiment)));
  assert.deepEqual(Object.fromEntries(Object.entries(summary.ratings).filter(([, n]) => n > 0)), tally(feedback.data.map((e) => String(e.rating))));
  const spread = words(feedback.data.map((e) => e.content));
  assert.deepEqual([summary.words.min, summary.words.max], [spread.min, spread.max]);
  assert.deepEqual(Object.fromEntries(Object.entries(tickets.summary!.priority).filter(([, n]) => n > 0)), tally(tickets.data.map((t) => t.priority)));
  assert.deepEqual(tickets.summary!.category, tally(tickets.data.map((t) => t.category)));
  const whole = job.summary!;
  assert.equal(whole.entries, 60);
  assert.ok('ratings' in whole);
  assert.deepEqual(Object.fromEntries(Object.entries(whole.sentiment).filter(([, n]) => n > 0)), tally(entries.map((e) => e.sentiment)));
  assert.deepEqual([whole.words.min, whole.words.max], Object.values(words(entries.map((e) => e.content))));
  assert.ok(whole.sentences.total >= whole.sentences.distinct && whole.sentences.distinct > 0);
  assert.equal(whole.sentences.repeatedShare, Math.round(((whole.sentences.total - whole.sentences.distinct) / whole.sentences.total) * 1e4) / 1e4);
});

test('a dataset joins every review and ticket to its customer, and costs its parts', live, async () => {
  const before = (await client.getAccount()).remainingCredits;
  const answer = await client.generateDataset({ productType: 'saas', customerCount: 6, seed: 4, churnRate: 0.5 });
  const { customers, feedback, tickets, interviews } = answer.data;
  const byId = new Map(customers.map((customer) => [customer.id, customer]));

  assert.equal(byId.size, 6);
  assert.ok(feedback.length > 0 && tickets.length > 0);
  for (const entry of feedback) assert.equal(entry.author, byId.get(entry.customerId)?.name);
  for (const ticket of tickets) {
    const owner = byId.get(ticket.customerId);
    assert.deepEqual(ticket.customer, { name: owner?.name, email: owner?.email });
  }
  const questions = interviews.reduce((sum, interview) => sum + interview.questions.length, 0);
  const price = Math.ceil(feedback.length / 50) * 2 + tickets.length + 2 * questions;
  assert.equal(answer.creditsUsed, price);
  assert.equal(answer.remainingCredits, before! - price);
  assert.equal(answer.summary?.tickets.entries, tickets.length);
});

test('a dataset dry run names the seed whose dataset it priced, and charges nothing', live, async () => {
  const before = (await client.getAccount()).remainingCredits;
  const estimate = await client.generateDataset({ productType: 'ecommerce', customerCount: 5, dryRun: true });
  assert.equal(estimate.creditsUsed, 0);
  assert.equal((await client.getAccount()).remainingCredits, before);

  const answer = await client.generateDataset({ productType: 'ecommerce', customerCount: 5, seed: estimate.seed });
  assert.equal(answer.creditsUsed, estimate.credits);
  assert.equal(answer.remainingCredits, before! - estimate.credits);
});
