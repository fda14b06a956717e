import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDbStoreOptions } from '../../../lambdas/adapters/dynamodb/client';
import { DynamoDbEventStore } from '../../../lambdas/adapters/dynamodb/event-store';
import { DynamoDbSessionStore } from '../../../lambdas/adapters/dynamodb/session-store';
import { keys } from '../../../lambdas/adapters/dynamodb/table';
import { type Dynalite, startDynalite } from '../../helpers/dynalite';
import { storedEvent } from '../contracts/fixtures';

describe('retention on DynamoDB (TTL attribute)', () => {
  let dynamo: Dynalite;
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo?.stop();
  });

  const start = Date.UTC(2026, 10, 1);
  const DAY_S = 86_400;

  /** Stores a session and one chunk of two events (the first one 10 minutes and 0.5 s after `start`). */
  async function storeSession(options: DynamoDbStoreOptions) {
    await new DynamoDbSessionStore(options).upsert({
      agentId: 'a',
      sessionId: 's',
      startedAt: start,
      source: 'native',
      stub: false,
      at: start,
    });
    const fold = { foldId: 'ev:ttl', production: true, weight: 1, sessionSlices: [] };
    await new DynamoDbEventStore(options).insertNew([
      storedEvent({ agentId: 'a', sessionId: 's', eventId: 'e1', startedAt: start + 600_500, fold }),
      storedEvent({ agentId: 'a', sessionId: 's', eventId: 'e2', startedAt: start, fold }),
    ]);
    const get = async (k: { pk: string; sk: string }) =>
      (
        await dynamo.client.send(
          new GetItemCommand({
            TableName: options.tableName,
            Key: { pk: { S: k.pk }, sk: { S: k.sk } },
          }),
        )
      ).Item;
    const chunk = await get(keys.eventChunk('a', 's', 0));
    expect(chunk).toBeDefined();
    return {
      session: (await get(keys.session('a', 's')))?.expiresAt?.N,
      locator: (await get(keys.locator('s')))?.expiresAt?.N,
      chunk: chunk?.expiresAt?.N,
    };
  }

  it('stamps sessions and their owner items by start + retention, and an event chunk by its latest event start', async () => {
    // Act
    const ttl = await storeSession({
      client: dynamo.client,
      tableName: await dynamo.createTable(),
      retentionDays: 30,
    });
    // Assess
    expect(ttl).toEqual({
      session: String(start / 1000 + 30 * DAY_S),
      locator: String(start / 1000 + 30 * DAY_S),
      chunk: String(start / 1000 + 600 + 30 * DAY_S),
    });
  });

  it('expires event chunks by eventRetentionDays when set, sessions still by retentionDays', async () => {
    // Act
    const ttl = await storeSession({
      client: dynamo.client,
      tableName: await dynamo.createTable(),
      retentionDays: 30,
      eventRetentionDays: 7,
    });
    // Assess
    expect(ttl).toEqual({
      session: String(start / 1000 + 30 * DAY_S),
      locator: String(start / 1000 + 30 * DAY_S),
      chunk: String(start / 1000 + 600 + 7 * DAY_S),
    });
  });

  it('expires only event chunks when eventRetentionDays is the only retention set', async () => {
    // Act
    const ttl = await storeSession({
      client: dynamo.client,
      tableName: await dynamo.createTable(),
      eventRetentionDays: 14,
    });
    // Assess
    expect(ttl).toEqual({
      session: undefined,
      locator: undefined,
      chunk: String(start / 1000 + 600 + 14 * DAY_S),
    });
  });

  it('sets no expiresAt without a retention setting', async () => {
    // Act
    const ttl = await storeSession({ client: dynamo.client, tableName: await dynamo.createTable() });
    // Assess
    expect(ttl).toEqual({ session: undefined, locator: undefined, chunk: undefined });
  });
});
