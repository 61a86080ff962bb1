// Checking that a webhook request came from SynthGen: Standard Webhooks signatures
// (HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` under a `whsec_` secret), on Web Crypto.
import type { components } from './schema.js';

export type WebhookEvent = components['schemas']['WebhookEvent'];
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export const TOLERANCE_SECONDS = 5 * 60;

/** The request is not a genuine, fresh SynthGen event: answer it 400 and ignore it. */
export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(found) ? found[0] : found;
}

function fromBase64(text: string): Uint8Array | undefined {
  try {
    return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/**
 * The event in `body` if one of the `webhook-signature`s matches `secret` and the timestamp is
 * within `tolerance` seconds of now. Pass the raw body, before any JSON parsing.
 */
export async function verifyWebhook(
  secret: string,
  body: string | Uint8Array,
  headers: WebhookHeaders,
  { tolerance = TOLERANCE_SECONDS, now = Date.now() / 1000 }: { tolerance?: number; now?: number } = {},
): Promise<WebhookEvent> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError('missing webhook-id, webhook-timestamp or signature');
  }
  if (!/^\d+$/.test(timestamp)) throw new WebhookVerificationError('webhook-timestamp is not a whole number');
  if (Math.abs(now - Number(timestamp)) > tolerance) {
    throw new WebhookVerificationError('webhook-timestamp is too far from now');
  }
  const keyBytes = fromBase64(secret.replace(/^whsec_/, ''));
  if (!keyBytes) throw new WebhookVerificationError('the secret is not a whsec_ secret');
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const raw = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const signed = new Uint8Array([...new TextEncoder().encode(`${id}.${timestamp}.`), ...raw]);
  for (const versioned of signatures.split(' ')) {
    const [version, signature = ''] = versioned.split(',');
    const given = fromBase64(signature);
    // subtle.verify compares in constant time.
    if (version === 'v1' && given && (await crypto.subtle.verify('HMAC', key, given, signed))) {
      return parse(raw);
    }
  }
  throw new WebhookVerificationError('no signature matches the secret');
}

function parse(raw: Uint8Array): WebhookEvent {
  let event: unknown;
  try {
    event = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw new WebhookVerificationError('the body is not JSON');
  }
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new WebhookVerificationError('the body is not a JSON object');
  }
  return event as WebhookEvent;
}
