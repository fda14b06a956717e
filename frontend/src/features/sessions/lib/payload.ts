import type { EventDetail } from '../../../../../contracts/query-api';

/**
 * Reads the usual payload shapes (chat messages, a response, tool arguments and results) out of an
 * event's free-form payload; whatever does not fit is shown as JSON.
 */
export interface PayloadView {
  messages: Array<{ role: string; content: string }>;
  response: string | null;
  arguments: string | null;
  result: string | null;
  /** The rest of the payload, pretty-printed; null when everything was shown above. */
  other: string | null;
}

const KNOWN = new Set([
  'messages',
  'response',
  'output',
  'completion',
  'arguments',
  'args',
  'input',
  'result',
]);

/** Message content: a string, or parts like [{type:'text', text}] (OpenAI, Anthropic). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => {
        if (typeof part === 'string') return part;
        if (part && typeof part === 'object') {
          const p = part as Record<string, unknown>;
          if (typeof p.text === 'string') return p.text;
          if (p.type === 'image_url' || p.type === 'image') return '[image]';
          return JSON.stringify(p);
        }
        return String(part);
      })
      .join('\n');
  }
  if (content === null || content === undefined) return '';
  return JSON.stringify(content, null, 2);
}

function text(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  // OpenAI chat completion shape: {choices:[{message:{content}}]}
  if (typeof v === 'object' && v !== null && Array.isArray((v as { choices?: unknown }).choices)) {
    const first = (v as { choices: Array<{ message?: { content?: unknown } }> }).choices[0];
    if (first?.message) return contentText(first.message.content);
  }
  return JSON.stringify(v, null, 2);
}

export function readPayload(e: Pick<EventDetail, 'payload'>): PayloadView {
  const p = e.payload;
  const view: PayloadView = { messages: [], response: null, arguments: null, result: null, other: null };
  if (p === null || p === undefined) return view;
  if (typeof p !== 'object' || Array.isArray(p)) {
    view.other = typeof p === 'string' ? p : JSON.stringify(p, null, 2);
    return view;
  }
  const o = p as Record<string, unknown>;
  if (Array.isArray(o.messages)) {
    view.messages = o.messages.map((m) => {
      const msg = (m ?? {}) as Record<string, unknown>;
      return { role: typeof msg.role === 'string' ? msg.role : 'message', content: contentText(msg.content) };
    });
  }
  view.response = text(o.response ?? o.output ?? o.completion);
  view.arguments = text(o.arguments ?? o.args ?? (Array.isArray(o.messages) ? undefined : o.input));
  view.result = text(o.result);
  const rest = Object.fromEntries(
    Object.entries(o).filter(([k]) => !KNOWN.has(k) || (k === 'input' && Array.isArray(o.messages))),
  );
  view.other = Object.keys(rest).length ? JSON.stringify(rest, null, 2) : null;
  return view;
}
