import { Expr, type VigilTable } from './client';
import { type Item, str } from './items';
import { EVENT_CHUNK_PREFIX, keys } from './table';

/**
 * A session's event chunk items in sequence order (from `fromSeq` on, when given): a strongly
 * consistent Query of the session's partition (sk C#…), page by page until the end or until `stop`
 * says enough. Costs one read unit per 4 KB of chunks read, at least one per page; the session item
 * (sk SESSION) is outside the key range and never read here.
 */
export async function readChunkItems(
  table: VigilTable,
  agentId: string,
  sessionId: string,
  options: { fromSeq?: number; stop?: (items: Item[]) => boolean } = {},
): Promise<Item[]> {
  const expr = new Expr();
  const pk = `${expr.name('pk')} = ${expr.value(str(keys.session(agentId, sessionId).pk))}`;
  const sk = expr.name('sk');
  const range =
    options.fromSeq === undefined || options.fromSeq <= 0
      ? `begins_with(${sk}, ${expr.value(str(EVENT_CHUNK_PREFIX))})`
      : // '$' follows '#': the bound is past every C#<seq> key and before SESSION.
        `${sk} BETWEEN ${expr.value(str(keys.eventChunk(agentId, sessionId, options.fromSeq).sk))} AND ${expr.value(str('C$'))}`;
  const { items } = await table.query(
    { KeyConditionExpression: `${pk} AND ${range}`, ConsistentRead: true, ...expr.maps() },
    options.stop,
  );
  return items;
}
