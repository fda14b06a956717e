import { z } from 'zod';

/** Every setting the Lambdas read, parsed once. Nothing else reads process.env. */
const schema = z.object({
  VIGIL_TABLE_NAME: z.string().min(1).optional(),
  VIGIL_PAYLOAD_BUCKET: z.string().min(1).optional(),
  VIGIL_TIMESTREAM_DATABASE: z.string().min(1).optional(),
  VIGIL_TIMESTREAM_EVENTS_TABLE: z.string().min(1).default('events'),
  VIGIL_TIMESTREAM_SESSIONS_TABLE: z.string().min(1).default('sessions'),
  VIGIL_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('INFO'),
  VIGIL_TAG_VALUE_CAP: z.coerce.number().int().min(1).max(10_000).default(50),
  VIGIL_CORS_ORIGINS: z.string().default('*'),
  AWS_REGION: z.string().default('us-east-1'),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(source: NodeJS.ProcessEnv = process.env): Env {
  if (source !== process.env) return schema.parse(source);
  cached ??= schema.parse(source);
  return cached;
}
