import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { isoTime } from '../../contracts/common';
import { batchSession } from '../../contracts/native';
import { DomainError } from '../../lambdas/domain/errors';
import { errorResponse, parseBody } from '../../lambdas/platform/http';
import type { Logger } from '../../lambdas/platform/logger';

const logger = { warn: () => {}, error: () => {} } as unknown as Logger;

/**
 * http.ts parses through zod's core, so one function serves the ingest contracts (zod/mini) and the
 * query, admin and alert contracts (classic zod), which compose the shared zod/mini schemas.
 */
describe('parseBody and errorResponse with classic and mini schemas', () => {
  // A classic schema built on a zod/mini one, as contracts/query-api.ts does with isoTime.
  const classicQuery = z.strictObject({ at: z.optional(isoTime), limit: z.coerce.number().int().max(500) });

  it('parses a classic schema that composes a mini schema', () => {
    // Act
    const parsed = parseBody(classicQuery, { at: '2024-01-01T00:00:00Z', limit: '20' });
    // Assess
    expect(parsed).toEqual({ at: '2024-01-01T00:00:00Z', limit: 20 });
  });

  it('names the field when the mini part of a classic schema fails', () => {
    // Act
    const fail = () => parseBody(classicQuery, { at: 'yesterday', limit: 1 }, 'query');
    // Assess
    expect(fail).toThrow(DomainError);
    expect(fail).toThrow('query.at: must be an ISO-8601 timestamp');
  });

  it('names the field when a mini schema fails', () => {
    // Act
    let error: unknown;
    try {
      parseBody(batchSession, { session_id: 's', sample_rate: 0 });
    } catch (e) {
      error = e;
    }
    // Assess
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({
      kind: 'validation',
      field: 'sample_rate',
      message: 'sample_rate: must be greater than 0',
    });
  });

  it('answers 400 naming the field for a ZodError thrown by a classic schema', () => {
    // Prepare
    let thrown: unknown;
    try {
      classicQuery.parse({ limit: 501 });
    } catch (e) {
      thrown = e;
    }
    // Act
    const res = errorResponse(thrown, logger);
    // Assess
    expect(thrown).toBeInstanceOf(z.ZodError);
    expect(res).toEqual({
      status: 400,
      body: { detail: 'limit: Too big: expected number to be <=500', error: 'validation', field: 'limit' },
    });
  });

  it('answers 400 naming the field for an error thrown by a mini schema', () => {
    // Prepare
    let thrown: unknown;
    try {
      batchSession.parse({ session_id: 's', tags: 'a,b' });
    } catch (e) {
      thrown = e;
    }
    // Act
    const res = errorResponse(thrown, logger);
    // Assess
    expect(res).toEqual({
      status: 400,
      body: { detail: 'tags: must be an array of strings', error: 'validation', field: 'tags' },
    });
  });

  it('keeps an unexpected error a 500', () => {
    // Act
    const res = errorResponse(new Error('boom'), logger);
    // Assess
    expect(res).toEqual({ status: 500, body: { detail: 'internal error', error: 'internal' } });
  });
});
