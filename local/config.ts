import { resolve } from 'node:path';
import * as z from 'zod';

/** The local runtime's settings, read once from the environment and flags. */
const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  HOST: z.string().default('127.0.0.1'),
  VIGIL_DATA_DIR: z.string().default('.vigil'),
  VIGIL_API_KEY: z.string().min(16, { error: 'VIGIL_API_KEY must be at least 16 characters' }).optional(),
  VIGIL_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']).default('WARN'),
  VIGIL_PUBLIC_URL: z.string().url().optional(),
  VIGIL_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
});

export interface LocalConfig {
  port: number;
  host: string;
  dataDir: string;
  apiKey?: string;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  publicUrl?: string;
  reconcileIntervalMs: number;
}

export function readLocalConfig(source: NodeJS.ProcessEnv): LocalConfig {
  const e = schema.parse(source);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(e.VIGIL_DATA_DIR),
    apiKey: e.VIGIL_API_KEY,
    logLevel: e.VIGIL_LOG_LEVEL,
    publicUrl: e.VIGIL_PUBLIC_URL,
    reconcileIntervalMs: e.VIGIL_RECONCILE_INTERVAL_MS,
  };
}
