import net from 'node:net';
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { APPEND_ROUNDS, DynamoDbEventStore } from '../../../lambdas/adapters/dynamodb/event-store';
import { chunkToItem, encodeChunkEvents } from '../../../lambdas/adapters/dynamodb/items';
import { DynamoDbRollupStore } from '../../../lambdas/adapters/dynamodb/rollup-store';
import { DynamoDbSessionStore } from '../../../lambdas/adapters/dynamodb/session-store';
import { DomainError } from '../../../lambdas/domain/errors';
import { dynamoClient } from '../../helpers/dynalite';
import { delta, rollupKey, storedEvent, uid } from '../contracts/fixtures';

const $metadata = (httpStatusCode: number) => ({ httpStatusCode, attempts: 1, totalRetryDelay: 0 });

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('DynamoDB error translation', () => {
  it('reports an unreachable DynamoDB as unavailable, keeping the network error as cause', async () => {
    // Prepare
    const client = dynamoClient(`http://127.0.0.1:${await closedPort()}`, { maxAttempts: 1 });
    const store = new DynamoDbSessionStore({ client, tableName: 'vigil' });
    // Act
    const error = await store.get(uid('agent'), uid('session')).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'unavailable' });
    expect((error as DomainError).cause).toMatchObject({ code: 'ECONNREFUSED' });
    client.destroy();
  });

  it('reports throttling as unavailable with the SDK error as cause', async () => {
    // Prepare
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const throttled = new ProvisionedThroughputExceededException({
      message: 'slow down',
      $metadata: $metadata(400),
    });
    mockClient(client).on(GetItemCommand).resolves({}).on(UpdateItemCommand).rejects(throttled);
    const store = new DynamoDbRollupStore({ client, tableName: 'vigil' });
    // Act
    const error = await store.apply(uid('ev'), [delta(rollupKey(uid('agent')))]).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'unavailable' });
    expect((error as DomainError).cause).toBe(throttled);
  });

  it('reports a DynamoDB server error as unavailable', async () => {
    // Prepare
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const failure = new InternalServerError({ message: 'boom', $metadata: $metadata(500) });
    mockClient(client).on(GetItemCommand).rejects(failure);
    const store = new DynamoDbSessionStore({ client, tableName: 'vigil' });
    // Act
    const error = await store.get(uid('agent'), uid('session')).catch((e: unknown) => e);
    // Assess
    expect(error).toMatchObject({ kind: 'unavailable', cause: failure });
  });

  it('reports an item over the size limit as too large', async () => {
    // Prepare
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const tooBig = Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
      name: 'ValidationException',
      $fault: 'client',
      $metadata: $metadata(400),
    });
    mockClient(client).on(PutItemCommand).rejects(tooBig);
    const store = new DynamoDbEventStore({ client, tableName: 'vigil' });
    // Act
    const error = await store
      .insertNew([storedEvent({ agentId: uid('agent'), sessionId: uid('session') })])
      .catch((e: unknown) => e);
    // Assess
    expect(error).toMatchObject({ kind: 'too-large', cause: tooBig });
  });

  it('rethrows other client errors unchanged: they are bugs, not outages', async () => {
    // Prepare
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const invalid = Object.assign(new Error('Invalid UpdateExpression'), {
      name: 'ValidationException',
      $fault: 'client',
      $metadata: $metadata(400),
    });
    mockClient(client).on(GetItemCommand).rejects(invalid);
    const store = new DynamoDbSessionStore({ client, tableName: 'vigil' });
    // Act
    const error = await store.get(uid('agent'), uid('session')).catch((e: unknown) => e);
    // Assess
    expect(error).toBe(invalid);
  });

  it('treats a failed condition as an answer, not an error: a lost chunk seq is re-read and its ids are duplicates', async () => {
    // Prepare: the first read finds no chunk; the put at seq 0 loses to another caller who stored e1.
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const agentId = uid('agent');
    const sessionId = uid('session');
    const other = storedEvent({ agentId, sessionId, eventId: 'e1' });
    const mock = mockClient(client);
    mock
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: $metadata(400) }));
    mock
      .on(QueryCommand)
      .resolvesOnce({ Items: [] })
      .resolves({
        Items: [
          chunkToItem({
            agentId,
            sessionId,
            seq: 0,
            foldId: other.fold.foldId,
            z: encodeChunkEvents([other]),
          }),
        ],
      });
    const store = new DynamoDbEventStore({ client, tableName: 'vigil' });
    // Act
    const result = await store.insertNew([storedEvent({ agentId, sessionId, eventId: 'e1' })]);
    // Assess
    expect(result).toEqual({ inserted: [], duplicates: ['e1'] });
    const chunkPuts = mock
      .commandCalls(PutItemCommand)
      .filter((c) => c.args[0].input.Item?.sk?.S?.startsWith('C#'));
    expect(chunkPuts.map((c) => c.args[0].input.ConditionExpression)).toEqual(['attribute_not_exists(pk)']);
    expect(mock.commandCalls(QueryCommand).map((c) => c.args[0].input.ConsistentRead)).toEqual([true, true]);
  });

  it('gives up as unavailable when every round loses the next chunk to another writer', async () => {
    // Prepare: reads never see the chunk that keeps winning the seq (a store that cannot make progress).
    const client = new DynamoDBClient({ region: 'us-east-1' });
    const mock = mockClient(client);
    mock
      .on(PutItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'exists', $metadata: $metadata(400) }));
    mock.on(QueryCommand).resolves({ Items: [] });
    const store = new DynamoDbEventStore({ client, tableName: 'vigil' });
    // Act
    const error = await store
      .insertNew([storedEvent({ agentId: uid('agent'), sessionId: uid('session') })])
      .catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'unavailable' });
    expect(mock.commandCalls(QueryCommand)).toHaveLength(APPEND_ROUNDS);
  });
});
