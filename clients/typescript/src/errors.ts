// The API's error envelope as exceptions: one SynthGenError subclass per error code.

export type ErrorBody = {
  success?: false;
  error?: string;
  code?: string;
  details?: Record<string, string>;
  requestId?: string;
  retryAfter?: number;
  [field: string]: unknown;
};

/** An error answer of the API (or no answer at all), with its whole envelope in `body`. */
export class SynthGenError extends Error {
  static readonly code: string = 'UNKNOWN_ERROR';
  readonly status: number | undefined;
  readonly code: string;
  readonly body: ErrorBody;
  readonly headers: Headers;

  constructor(message: string, init: { status?: number; code?: string; body?: ErrorBody; headers?: Headers } = {}) {
    super(message);
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code ?? (new.target as typeof SynthGenError).code;
    this.body = init.body ?? {};
    this.headers = init.headers ?? new Headers();
  }

  /** Per-field messages of a 400 INVALID_PARAMETERS. */
  get details(): Record<string, string> {
    return this.body.details ?? {};
  }

  /** The id to quote to support. */
  get requestId(): string | undefined {
    return this.body.requestId ?? this.headers.get('x-request-id') ?? undefined;
  }

  /** Seconds the server asked us to wait: its Retry-After header, else `retryAfter`. */
  get retryAfter(): number | undefined {
    const header = this.headers.get('retry-after');
    if (header !== null) {
      const seconds = /^\s*\d+\s*$/.test(header) ? Number(header) : (Date.parse(header) - Date.now()) / 1000;
      if (Number.isFinite(seconds)) return Math.max(0, seconds);
    }
    return typeof this.body.retryAfter === 'number' ? this.body.retryAfter : undefined;
  }
}

/** The server could not be reached, or the connection broke before an answer. */
export class SynthGenConnectionError extends SynthGenError {
  static override readonly code = 'CONNECTION_ERROR';
}

export class BadRequestError extends SynthGenError {
  static override readonly code: string = 'BAD_REQUEST';
}
export class InvalidParametersError extends BadRequestError {
  static override readonly code = 'INVALID_PARAMETERS';
}
export class InvalidJsonError extends BadRequestError {
  static override readonly code = 'INVALID_JSON';
}
export class UnauthorizedError extends SynthGenError {
  static override readonly code = 'UNAUTHORIZED';
}
export class InsufficientCreditsError extends SynthGenError {
  static override readonly code = 'INSUFFICIENT_CREDITS';
  get requiredCredits(): number | undefined {
    return this.body.requiredCredits as number | undefined;
  }
  get remainingCredits(): number | undefined {
    return this.body.remainingCredits as number | undefined;
  }
}
export class AccountSuspendedError extends SynthGenError {
  static override readonly code = 'ACCOUNT_SUSPENDED';
}
export class ForbiddenError extends SynthGenError {
  static override readonly code = 'FORBIDDEN';
}
export class NotFoundError extends SynthGenError {
  static override readonly code = 'NOT_FOUND';
}
export class MethodNotAllowedError extends SynthGenError {
  static override readonly code = 'METHOD_NOT_ALLOWED';
}
export class IdempotencyInProgressError extends SynthGenError {
  static override readonly code = 'IDEMPOTENCY_IN_PROGRESS';
}
export class IdempotencyKeyReusedError extends SynthGenError {
  static override readonly code = 'IDEMPOTENCY_KEY_REUSED';
}
export class JobNotReadyError extends SynthGenError {
  static override readonly code = 'JOB_NOT_READY';
}
export class JobFinishedError extends SynthGenError {
  static override readonly code = 'JOB_FINISHED';
}
export class JobExpiredError extends SynthGenError {
  static override readonly code = 'JOB_EXPIRED';
}
export class WebhookLimitReachedError extends SynthGenError {
  static override readonly code = 'WEBHOOK_LIMIT_REACHED';
}
export class WebhookDisabledError extends SynthGenError {
  static override readonly code = 'WEBHOOK_DISABLED';
}
export class PayloadTooLargeError extends SynthGenError {
  static override readonly code = 'PAYLOAD_TOO_LARGE';
}
export class RateLimitError extends SynthGenError {
  static override readonly code = 'RATE_LIMIT_EXCEEDED';
}
/** A 5xx: nothing was charged. */
export class ServerError extends SynthGenError {
  static override readonly code: string = 'SERVER_ERROR';
}
export class InternalServerError extends ServerError {
  static override readonly code = 'INTERNAL_ERROR';
}
export class ServiceUnavailableError extends ServerError {
  static override readonly code = 'SERVICE_UNAVAILABLE';
}

const CLASSES = [
  BadRequestError, InvalidParametersError, InvalidJsonError, UnauthorizedError, InsufficientCreditsError,
  AccountSuspendedError, ForbiddenError, NotFoundError, MethodNotAllowedError, IdempotencyInProgressError,
  IdempotencyKeyReusedError, JobNotReadyError, JobFinishedError, JobExpiredError, WebhookLimitReachedError,
  WebhookDisabledError, PayloadTooLargeError, RateLimitError, InternalServerError, ServiceUnavailableError,
];

/** The error class of each code the API answers. */
export const ERRORS_BY_CODE: Readonly<Record<string, typeof SynthGenError>> = Object.fromEntries(
  CLASSES.map((cls) => [cls.code, cls]),
);

/** The exception for an error answer: the class of its code, else of its status. */
export function errorFromAnswer(status: number, body: ErrorBody, headers: Headers): SynthGenError {
  const known = typeof body.code === 'string' ? ERRORS_BY_CODE[body.code] : undefined;
  const cls = known ?? (status >= 500 ? ServerError : SynthGenError);
  const message = typeof body.error === 'string' ? body.error : `the server answered HTTP ${status}`;
  return new cls(message, { status, code: typeof body.code === 'string' ? body.code : undefined, body, headers });
}
