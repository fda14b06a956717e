import * as z from 'zod';
import { id } from './common';

export const KEY_SCOPES = ['ingest', 'read', 'admin'] as const;

export const createKeyBody = z.strictObject({
  name: z.string().min(1).max(128),
  scopes: z.array(z.enum(KEY_SCOPES, { error: `must be one of ${KEY_SCOPES.join(', ')}` })).min(1),
  agents: z.union([z.literal('*'), z.array(id).min(1).max(1000)]).default('*'),
});
export type CreateKeyBody = z.infer<typeof createKeyBody>;

export const keyView = z.object({
  key_id: z.string(),
  prefix: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(KEY_SCOPES)),
  agents: z.union([z.literal('*'), z.array(z.string())]),
  created_at: z.string(),
  revoked_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
});
export type KeyView = z.infer<typeof keyView>;

export const createKeyResponse = keyView.extend({ key: z.string() });
