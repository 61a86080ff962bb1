// SynthGen: a method per API operation over fetch, with retries, idempotency keys and typed errors.
import type { components, operations } from './schema.js';
import { type ErrorBody, SynthGenConnectionError, SynthGenError, errorFromAnswer } from './errors.js';

export const VERSION = '0.1.0';
export const DEFAULT_URL = 'http://127.0.0.1:8000';

type Schemas = components['schemas'];
type JsonOf<R> = R extends { content: { 'application/json': infer Body } } ? Body : never;
/** The JSON body an operation answers with the given status. */
export type AnswerOf<Op extends keyof operations, Status extends keyof operations[Op]['responses']> = JsonOf<
  operations[Op]['responses'][Status]
>;
/** A generation endpoint's 200: its data, or with `dryRun: true` what it would cost. */
type Generated<
  Op extends 'generate_feedback' | 'generate_interviews' | 'generate_tickets' | 'generate_datasets',
> = AnswerOf<Op, 200>;
type IsDryRun = { dryRun: true };

export type FeedbackRequest = Schemas['FeedbackRequest'];
export type InterviewRequest = Schemas['InterviewRequest'];
export type TicketRequest = Schemas['TicketRequest'];
export type JobRequest = Schemas['JobRequest'];
export type DatasetRequest = Schemas['DatasetRequest'];
/** A request that runs (and is charged): `dryRun` left out or false. */
type Run<T> = T & { dryRun?: false };
/** A request that is only priced. */
type DryRun<T> = T & IsDryRun;
export type FeedbackAnswer = Exclude<Generated<'generate_feedback'>, IsDryRun>;
export type InterviewsAnswer = Exclude<Generated<'generate_interviews'>, IsDryRun>;
export type TicketsAnswer = Exclude<Generated<'generate_tickets'>, IsDryRun>;
/** The answer to a dry run of a generation: the price, the balance and the daily limit as they stand. */
export type DryRunAnswer = Extract<Generated<'generate_feedback'>, IsDryRun>;
/** The answer to a dry run of a job: a DryRunAnswer with its batches and estimated duration. */
export type JobEstimate = AnswerOf<'create_job', 200>;
/** A dataset: customers, and their feedback, tickets and interviews, each with its `customerId`. */
export type DatasetAnswer = Exclude<Generated<'generate_datasets'>, IsDryRun>;
/** A dataset's dry run: a DryRunAnswer naming the seed it priced; send that seed to get, and pay for, that dataset. */
export type DatasetEstimate = Extract<Generated<'generate_datasets'>, IsDryRun>;
export type Dataset = Schemas['Dataset'];
export type Customer = Schemas['Customer'];
export type DatasetFeedbackEntry = Schemas['DatasetFeedbackEntry'];
export type DatasetTicket = Schemas['DatasetTicket'];
export type DatasetInterview = Schemas['DatasetInterview'];
export type DatasetSummary = Schemas['DatasetSummary'];
export type FeedbackSummary = Schemas['FeedbackSummary'];
export type TicketSummary = Schemas['TicketSummary'];
export type InterviewSummary = Schemas['InterviewSummary'];
/** A finished job's summary: its type's summary over the whole file, with its sentences. */
export type JobSummary = (FeedbackSummary | TicketSummary | InterviewSummary) & {
  sentences: NonNullable<FeedbackSummary['sentences']>;
};
type JobAsServed = AnswerOf<'get_job', 200>['data'];
export type Job = Omit<JobAsServed, 'summary'> & { summary?: JobSummary | null };
export type JobAnswer = Omit<AnswerOf<'create_job', 202>, 'data'> & { data: Job };
export type Account = AnswerOf<'get_account', 200>['data'];
export type AccountChange = Schemas['PatchedAccountChangeRequest'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type WebhookEndpointRequest = Schemas['WebhookEndpointRequest'];
export type WebhookEndpointChange = Schemas['PatchedWebhookEndpointRequest'];
export type WebhookDelivery = Schemas['WebhookDelivery'];

export interface SynthGenOptions {
  apiKey: string;
  baseUrl?: string;
  /** Retries of a 429 or 5xx answer (and of a broken connection, when safe to repeat). */
  maxRetries?: number;
  /** A Retry-After longer than this, in seconds (a daily limit), is raised at once. */
  maxRetryWait?: number;
  /** The first backoff in seconds when the server gives no Retry-After; it doubles. */
  backoff?: number;
  /** Seconds to wait for each answer. */
  timeout?: number;
  userAgent?: string;
  fetch?: typeof fetch;
  sleep?: (seconds: number) => Promise<void>;
}

export interface CallOptions {
  /** One key for every retry of this call; a fresh UUID when left out. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

export interface WaitOptions {
  onProgress?: (job: Job) => void;
  /** Seconds between polls. */
  pollInterval?: number;
  /** Seconds before giving up with a TimeoutError. */
  timeout?: number;
}

/** A job's file as it streams in: its name, type and size, and its bytes as `body`. */
export interface JobDownload {
  filename: string | undefined;
  contentType: string;
  size: number | undefined;
  body: ReadableStream<Uint8Array>;
}

const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);
// A 429 or 503 is the server saying it did nothing: any request may be sent again.
const REFUSED_UNDONE = new Set([429, 503]);
// Other 5xx answers and broken connections may come after the work was done: only a request
// that is safe to repeat (a GET, a DELETE, a POST with an Idempotency-Key) is retried.
const MAYBE_DONE = new Set([500, 502, 504]);

interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  idempotencyKey?: string;
  signal?: AbortSignal;
}

const segment = encodeURIComponent;

/**
 * The SynthGen API. Errors throw a SynthGenError subclass of the answer's code. A 429 or 5xx is
 * retried up to `maxRetries` times after the server's Retry-After (else an exponential backoff);
 * one longer than `maxRetryWait` seconds throws at once. A paid POST carries one
 * Idempotency-Key for all of its retries, so it is charged once.
 */
export class SynthGen {
  readonly baseUrl: string;
  private readonly options: Required<Omit<SynthGenOptions, 'baseUrl'>>;

  constructor(options: SynthGenOptions) {
    this.baseUrl = (options.baseUrl ?? DEFAULT_URL).replace(/\/+$/, '');
    this.options = {
      apiKey: options.apiKey,
      maxRetries: options.maxRetries ?? 3,
      maxRetryWait: options.maxRetryWait ?? 60,
      backoff: options.backoff ?? 0.25,
      timeout: options.timeout ?? 60,
      userAgent: options.userAgent ?? `synthgen-typescript/${VERSION}`,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
      sleep: options.sleep ?? ((seconds) => new Promise((resolve) => setTimeout(resolve, seconds * 1000))),
    };
  }

  // Generation

  /** POST /api/feedback/generate (2 credits a request). With `dryRun: true`, what it would cost, charging nothing. */
  generateFeedback(body: DryRun<FeedbackRequest>, options?: CallOptions): Promise<DryRunAnswer>;
  generateFeedback(body: Run<FeedbackRequest>, options?: CallOptions): Promise<FeedbackAnswer>;
  generateFeedback(body: FeedbackRequest, options?: CallOptions): Promise<FeedbackAnswer | DryRunAnswer>;
  generateFeedback(body: FeedbackRequest, options: CallOptions = {}): Promise<FeedbackAnswer | DryRunAnswer> {
    return this.metered('/api/feedback/generate', body, options);
  }

  /** POST /api/interviews/generate (2 credits a question). With `dryRun: true`, what it would cost, charging nothing. */
  generateInterviews(body: DryRun<InterviewRequest>, options?: CallOptions): Promise<DryRunAnswer>;
  generateInterviews(body: Run<InterviewRequest>, options?: CallOptions): Promise<InterviewsAnswer>;
  generateInterviews(body: InterviewRequest, options?: CallOptions): Promise<InterviewsAnswer | DryRunAnswer>;
  generateInterviews(body: InterviewRequest, options: CallOptions = {}): Promise<InterviewsAnswer | DryRunAnswer> {
    return this.metered('/api/interviews/generate', body, options);
  }

  /** POST /api/tickets/generate (1 credit a ticket). With `dryRun: true`, what it would cost, charging nothing. */
  generateTickets(body: DryRun<TicketRequest>, options?: CallOptions): Promise<DryRunAnswer>;
  generateTickets(body: Run<TicketRequest>, options?: CallOptions): Promise<TicketsAnswer>;
  generateTickets(body: TicketRequest, options?: CallOptions): Promise<TicketsAnswer | DryRunAnswer>;
  generateTickets(body: TicketRequest, options: CallOptions = {}): Promise<TicketsAnswer | DryRunAnswer> {
    return this.metered('/api/tickets/generate', body, options);
  }

  /**
   * POST /api/datasets/generate: up to 50 customers with their feedback, tickets and interviews, priced as the
   * sum of the parts (customers are free). With `dryRun: true`, the price of the dataset a seed makes, and the seed.
   */
  generateDataset(body: DryRun<DatasetRequest>, options?: CallOptions): Promise<DatasetEstimate>;
  generateDataset(body: Run<DatasetRequest>, options?: CallOptions): Promise<DatasetAnswer>;
  generateDataset(body: DatasetRequest, options?: CallOptions): Promise<DatasetAnswer | DatasetEstimate>;
  generateDataset(body: DatasetRequest, options: CallOptions = {}): Promise<DatasetAnswer | DatasetEstimate> {
    return this.metered('/api/datasets/generate', body, options);
  }

  // Bulk jobs

  /** POST /api/jobs: queue a job of up to 100,000 entries. With `dryRun: true`, what it would cost, charging nothing. */
  createJob(body: DryRun<JobRequest>, options?: CallOptions): Promise<JobEstimate>;
  createJob(body: Run<JobRequest>, options?: CallOptions): Promise<JobAnswer>;
  createJob(body: JobRequest, options?: CallOptions): Promise<JobAnswer | JobEstimate>;
  createJob(body: JobRequest, options: CallOptions = {}): Promise<JobAnswer | JobEstimate> {
    return this.metered('/api/jobs', body, options);
  }

  getJob(jobId: string): Promise<Job> {
    return this.data({ method: 'GET', path: `/api/jobs/${segment(jobId)}` });
  }

  /** The newest jobs first (20 unless `limit`, at most 100). */
  listJobs({ limit }: { limit?: number } = {}): Promise<Job[]> {
    return this.data({ method: 'GET', path: '/api/jobs', query: { limit } });
  }

  cancelJob(jobId: string): Promise<Job> {
    return this.data({ method: 'DELETE', path: `/api/jobs/${segment(jobId)}` });
  }

  /** Poll until the job has finished, calling `onProgress` with the job at every poll. */
  async waitForJob(job: string | Job, { onProgress, pollInterval = 1, timeout }: WaitOptions = {}): Promise<Job> {
    let current = typeof job === 'string' ? await this.getJob(job) : job;
    const deadline = timeout === undefined ? Infinity : Date.now() + timeout * 1000;
    for (;;) {
      onProgress?.(current);
      if (FINISHED.has(current.status)) return current;
      if (Date.now() >= deadline) throw new Error(`job ${current.id} is still ${current.status}`);
      await this.options.sleep(pollInterval);
      current = await this.getJob(current.id);
    }
  }

  /** GET /api/jobs/{id}/download as a stream: read `body` to the end, or cancel it. */
  async downloadJob(jobId: string, { signal }: { signal?: AbortSignal } = {}): Promise<JobDownload> {
    const response = await this.send({ method: 'GET', path: `/api/jobs/${segment(jobId)}/download`, signal });
    const disposition = response.headers.get('content-disposition') ?? '';
    const name = /filename="?([^";/\\]+)"?/.exec(disposition)?.[1];
    const length = response.headers.get('content-length');
    return {
      filename: name === '.' || name === '..' ? undefined : name,
      contentType: response.headers.get('content-type') ?? '',
      size: length && /^\d+$/.test(length) ? Number(length) : undefined,
      body: response.body ?? new ReadableStream({ start: (controller) => controller.close() }),
    };
  }

  // The account

  getAccount(): Promise<Account> {
    return this.data({ method: 'GET', path: '/api/account' });
  }

  /** PATCH /api/account; `lowCreditThreshold: null` turns credits.low off. */
  updateAccount(change: AccountChange): Promise<Account> {
    return this.data({ method: 'PATCH', path: '/api/account', body: change });
  }

  // Webhooks (free, and taking no Idempotency-Key)

  listWebhooks(): Promise<WebhookEndpoint[]> {
    return this.data({ method: 'GET', path: '/api/webhooks' });
  }

  /** A new endpoint; its `secret` (whsec_...) is in this answer only: keep it. */
  createWebhook(body: WebhookEndpointRequest): Promise<WebhookEndpoint> {
    return this.data({ method: 'POST', path: '/api/webhooks', body });
  }

  getWebhook(endpointId: string): Promise<WebhookEndpoint> {
    return this.data({ method: 'GET', path: webhook(endpointId) });
  }

  /** PATCH the fields given; the others stay as they are. */
  updateWebhook(endpointId: string, change: WebhookEndpointChange): Promise<WebhookEndpoint> {
    return this.data({ method: 'PATCH', path: webhook(endpointId), body: change });
  }

  deleteWebhook(endpointId: string): Promise<WebhookEndpoint> {
    return this.data({ method: 'DELETE', path: webhook(endpointId) });
  }

  /** A new secret (in the answer's `secret`); the old one still signs for 24 hours. */
  rotateWebhookSecret(endpointId: string): Promise<WebhookEndpoint> {
    return this.data({ method: 'POST', path: `${webhook(endpointId)}/rotate-secret`, body: {} });
  }

  /** Queue a `webhook.test` event to the endpoint; its delivery. */
  sendTestWebhook(endpointId: string): Promise<WebhookDelivery> {
    return this.data({ method: 'POST', path: `${webhook(endpointId)}/test`, body: {} });
  }

  listWebhookDeliveries(endpointId: string, { limit }: { limit?: number } = {}): Promise<WebhookDelivery[]> {
    return this.data({ method: 'GET', path: `${webhook(endpointId)}/deliveries`, query: { limit } });
  }

  getWebhookDelivery(endpointId: string, deliveryId: string): Promise<WebhookDelivery> {
    return this.data({ method: 'GET', path: `${webhook(endpointId)}/deliveries/${segment(deliveryId)}` });
  }

  redeliverWebhook(endpointId: string, deliveryId: string): Promise<WebhookDelivery> {
    const path = `${webhook(endpointId)}/deliveries/${segment(deliveryId)}/redeliver`;
    return this.data({ method: 'POST', path, body: {} });
  }

  // HTTP

  private async metered<T>(path: string, body: unknown, options: CallOptions): Promise<T> {
    const idempotencyKey = options.idempotencyKey ?? crypto.randomUUID();
    const response = await this.send({ method: 'POST', path, body, idempotencyKey, signal: options.signal });
    return (await json(response)) as T;
  }

  private async data<T>(call: Call): Promise<T> {
    const answer = (await json(await this.send(call))) as { data: T };
    return answer.data;
  }

  private async send(call: Call): Promise<Response> {
    const repeatable = call.method === 'GET' || call.method === 'DELETE' || call.idempotencyKey !== undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(call);
      } catch (error) {
        if (!(error instanceof SynthGenError)) throw error;
        const delay = this.retryDelay(error, attempt, repeatable);
        if (delay === undefined) throw error;
        await this.options.sleep(delay);
      }
    }
  }

  private async attempt(call: Call): Promise<Response> {
    const url = new URL(this.baseUrl + call.path);
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    const headers: Record<string, string> = {
      Authorization: `Bearer ${this.options.apiKey}`,
      'User-Agent': this.options.userAgent,
      Accept: 'application/json',
    };
    if (call.body !== undefined) headers['Content-Type'] = 'application/json';
    if (call.idempotencyKey !== undefined) headers['Idempotency-Key'] = call.idempotencyKey;
    const timeout = AbortSignal.timeout(this.options.timeout * 1000);
    let response: Response;
    try {
      response = await this.options.fetch(url, {
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: call.signal ? AbortSignal.any([call.signal, timeout]) : timeout,
      });
    } catch (error) {
      if (call.signal?.aborted) throw error;
      const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : error;
      throw new SynthGenConnectionError(`cannot reach SynthGen at ${this.baseUrl}: ${String(reason)}`);
    }
    if (response.ok) return response;
    let body: ErrorBody = {};
    try {
      const parsed: unknown = await response.json();
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as ErrorBody;
    } catch {
      // Not JSON (a proxy's page): the status alone says what happened.
    }
    throw errorFromAnswer(response.status, body, response.headers);
  }

  /** Seconds to wait before trying again, or undefined to give up with `error`. */
  private retryDelay(error: SynthGenError, attempt: number, repeatable: boolean): number | undefined {
    if (attempt >= this.options.maxRetries) return undefined;
    const status = error.status ?? 0;
    const retryable =
      REFUSED_UNDONE.has(status) ||
      (repeatable &&
        (MAYBE_DONE.has(status) ||
          error instanceof SynthGenConnectionError ||
          error.code === 'IDEMPOTENCY_IN_PROGRESS'));
    if (!retryable) return undefined;
    const wait = error.retryAfter;
    if (wait === undefined) return Math.min(8, this.options.backoff * 2 ** attempt) * (0.5 + Math.random() / 2);
    return wait <= this.options.maxRetryWait ? wait : undefined;
  }
}

function webhook(endpointId: string): string {
  return `/api/webhooks/${segment(endpointId)}`;
}

async function json(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch (error) {
    throw new SynthGenConnectionError(`the answer broke off: ${String(error)}`);
  }
}
