// The SynthGen API from TypeScript: the client, its errors, webhook verification and the API's types.
export * from './client.js';
export * from './errors.js';
export * from './webhooks.js';
export type { components, operations, paths } from './schema.js';
