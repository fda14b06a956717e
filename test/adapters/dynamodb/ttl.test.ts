import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('stamps sessions, their owner items and events with expiresAt = start + retention, in epoch seconds', async () => {
    const tableName = await dynamo.createTable();
    const options = { client: dynamo.client, tableName, retentionDays: 30 };
    const start = Date.UTC(2026, 10, 1);
    await new DynamoDbSessionStore(options).upsert({
      agentId: 'a',
      sessionId: 's',
      startedAt: start,
      source: 'native',
      stub: false,
      at: start,
    });
    await new DynamoDbEventStore(options).insertNew([
      storedEvent({ agentId: 'a', sessionId: 's', eventId: 'e', startedAt: start }),
    ]);
    const get = async (k: { pk: string; sk: string }) =>
      (
        await dynamo.client.send(
          new GetItemCommand({ TableName: tableName, Key: { pk: { S: k.pk }, sk: { S: k.sk } } }),
        )
      ).Item;
    const expected = String(start / 1000 + 30 * 86_400);
    expect((await get(keys.session('a', 's')))?.expiresAt?.N).toBe(expected);
    expect((await get(keys.event('a', 's', 'e')))?.expiresAt?.N).toBe(expected);
    expect((await get(keys.locator('s')))?.expiresAt?.N).toBe(expected);
  });

  it('sets no expiresAt without a retention setting', async () => {
    const tableName = await dynamo.createTable();
    const options = { client: dynamo.client, tableName };
    await new DynamoDbEventStore(options).insertNew([
      storedEvent({ agentId: 'a', sessionId: 's', eventId: 'e' }),
    ]);
    const item = (
      await dynamo.client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { pk: { S: keys.event('a', 's', 'e').pk }, sk: { S: keys.event('a', 's', 'e').sk } },
        }),
      )
    ).Item;
    expect(item?.expiresAt).toBeUndefined();
  });
});
