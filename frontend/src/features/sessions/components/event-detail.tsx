import type { EventDetail } from '../../../../../contracts/query-api';
import { formatCount, formatMs, formatUsd } from '../../../lib/format';
import { readPayload } from '../lib/payload';

/** One event in full: timing, model, tokens and cost, error with stack, messages, response, tool I/O. */
export function EventDetailView({ event, offsetMs }: { event: EventDetail; offsetMs?: number }) {
  const p = readPayload(event);
  return (
    <article className={`event-detail ${event.error ? 'event-failed' : ''}`} data-event={event.event_id}>
      <header>
        <span className={`badge type-${event.type}`}>{event.type}</span>{' '}
        <strong>{event.name ?? event.raw_type}</strong>
        <span className="muted small">
          {offsetMs !== undefined ? ` +${formatMs(offsetMs)}` : ''} · {formatMs(event.duration_ms)}
          {event.model ? ` · ${event.provider ? `${event.provider}/` : ''}${event.model}` : ''}
        </span>
      </header>
      {(event.usage || event.cost) && (
        <dl className="facts facts-inline">
          {event.usage && (
            <>
              <div>
                <dt>Input</dt>
                <dd>{formatCount(event.usage.input_tokens)}</dd>
              </div>
              <div>
                <dt>Output</dt>
                <dd>{formatCount(event.usage.output_tokens)}</dd>
              </div>
              {event.usage.cached_input_tokens > 0 && (
                <div>
                  <dt>Cached</dt>
                  <dd>{formatCount(event.usage.cached_input_tokens)}</dd>
                </div>
              )}
              {event.usage.reasoning_tokens > 0 && (
                <div>
                  <dt>Reasoning</dt>
                  <dd>{formatCount(event.usage.reasoning_tokens)}</dd>
                </div>
              )}
            </>
          )}
          {event.cost && (
            <div>
              <dt>Cost</dt>
              <dd title={event.cost.price_id ?? undefined}>
                {event.cost.unpriced ? 'unpriced' : formatUsd(event.cost.usd)}
                {event.cost.client_usd !== null &&
                event.cost.server_usd !== null &&
                Math.abs(event.cost.client_usd - event.cost.server_usd) > 1e-9
                  ? ` (client said ${formatUsd(event.cost.client_usd)})`
                  : ''}
              </dd>
            </div>
          )}
        </dl>
      )}
      {event.error && (
        <div className="error-block" role="note">
          <div>
            <span className="badge badge-failure">{event.error.category.replace(/_/g, ' ')}</span>{' '}
            <span className="mono">{event.error.type ?? 'Error'}</span>: {event.error.message}
          </div>
          {event.error.stack && <pre className="stack-trace">{event.error.stack}</pre>}
        </div>
      )}
      {p.messages.length > 0 && (
        <section aria-label="Prompt messages">
          <h4>Prompt</h4>
          <ol className="messages">
            {p.messages.map((m, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: messages have no id and never reorder
              <li key={i} className={`message role-${m.role}`}>
                <span className="role">{m.role}</span>
                <pre>{m.content}</pre>
              </li>
            ))}
          </ol>
        </section>
      )}
      {p.response !== null && (
        <section aria-label="Response">
          <h4>Response</h4>
          <pre className="response">{p.response}</pre>
        </section>
      )}
      {p.arguments !== null && (
        <section aria-label="Arguments">
          <h4>Arguments</h4>
          <pre>{p.arguments}</pre>
        </section>
      )}
      {p.result !== null && (
        <section aria-label="Result">
          <h4>Result</h4>
          <pre>{p.result}</pre>
        </section>
      )}
      {p.other !== null && (
        <details>
          <summary>Payload</summary>
          <pre>{p.other}</pre>
        </details>
      )}
      {event.payload_pending && <p className="muted small">The payload is still uploading.</p>}
      {event.metadata && Object.keys(event.metadata).length > 0 && (
        <details>
          <summary>Metadata</summary>
          <pre>{JSON.stringify(event.metadata, null, 2)}</pre>
        </details>
      )}
    </article>
  );
}

/** One line per event (name, model, tokens, cost, duration) that opens into the full detail. */
export function EventDisclosure({ event, offsetMs }: { event: EventDetail; offsetMs: number }) {
  const tokens = event.usage ? event.usage.input_tokens + event.usage.output_tokens : null;
  return (
    <details
      className={`event-disclosure ${event.error ? 'event-failed' : ''}`}
      data-event-item={event.event_id}
    >
      <summary>
        <span className={`badge type-${event.type}`}>{event.type}</span>{' '}
        <strong>{event.name ?? event.raw_type}</strong>
        <span className="muted small">
          {' '}
          +{formatMs(offsetMs)} · {formatMs(event.duration_ms)}
          {event.model ? ` · ${event.model}` : ''}
          {tokens !== null ? ` · ${formatCount(tokens)} tokens` : ''}
          {event.cost?.usd != null ? ` · ${formatUsd(event.cost.usd)}` : ''}
        </span>
        {event.error && (
          <span className="badge badge-failure">{event.error.category.replace(/_/g, ' ')}</span>
        )}
      </summary>
      <EventDetailView event={event} offsetMs={offsetMs} />
    </details>
  );
}
