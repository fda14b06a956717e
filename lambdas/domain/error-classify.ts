/**
 * Error classification and grouping.
 *
 * Every event error is put in one of the ERROR_CATEGORIES and given a fingerprint, so that the same failure
 * seen a thousand times (with different request ids, token counts, line numbers…) groups as one issue.
 *
 * Classification is a precedence list; the first signal that matches wins:
 *   1. strong text/type signals, most specific first:
 *        context_length → content_filter → timeout → rate_limit → auth
 *      (a provider's 400 "maximum context length" is context_length, not validation; Google's 400
 *      "API key not valid" is auth; a 403 "rate limit exceeded" is rate_limit)
 *   2. the HTTP status (408/504/524 timeout, 429 rate_limit, 401/403/407 auth, 400/413/422 validation, 5xx api);
 *      other statuses (404 model not found, 409…) decide nothing. The status comes from statusCode, else a
 *      numeric type ("429"), else the text ("Error code: 429", "429 {…}", "[503 Service Unavailable]").
 *   3. weak text/type signals: network → api → validation
 *      (a response with a status came from a server, so the status beats "connection reset" wording; a bare
 *      class name like APIError or "validation" wording only decides when nothing else did)
 *   4. tool: raised inside a tool call (eventType 'tool') or named like a tool error
 *   5. unknown
 * Anthropic's 529 overloaded_error (and any "overloaded" wording) is provider-side capacity: api, not rate_limit.
 *
 * Origin: 'user' means the end user's input caused it — validation (the request content was rejected),
 * context_length (the conversation/input is too big) and content_filter (the input or output tripped a policy).
 * Everything else is 'system': auth is a configuration problem (keys, permissions), not the end user's doing.
 * Recoverable (worth a retry): timeout, rate_limit, api, network.
 *
 * Pure: no I/O, no environment. Runs per event, so every regex is compiled once at module scope.
 */
import { createHash } from 'node:crypto';
import type { ErrorCategory, EventError } from './model';

export interface ErrorSignal {
  /** Error message as sent. */
  message: string | null;
  /** Exception class / provider error code / OTel error.type, e.g. "RateLimitError", "429", "ECONNRESET". */
  type: string | null;
  /** Stack trace text (JS or Python formats). */
  stack: string | null;
  /** HTTP status if known (from attributes like http.response.status_code). */
  statusCode?: number | null;
  /** Where the error was seen; an error raised inside a tool call with no better signal is 'tool'. */
  eventType?: 'llm' | 'tool' | 'error' | 'generic' | 'custom';
}

export const MAX_ERROR_MESSAGE = 4096;
export const MAX_ERROR_STACK = 16_384;
export const MAX_NORMALISED_MESSAGE = 512;
/**
 * Only this much of a message is normalised: two messages equal this far are the same error. With the
 * start-anchored (lookbehind) patterns below this keeps normalisation linear even on hostile input.
 */
const NORMALISE_INPUT_LIMIT = 2048;
/** The stack headline (exception line) is capped before it joins the classification text. */
const HEADLINE_LIMIT = 1024;

// ---------------------------------------------------------------------------------------------------------
// Classification signals
// ---------------------------------------------------------------------------------------------------------

const CONTEXT_LENGTH_RE = new RegExp(
  [
    'context[ _-]?(?:length|window|limit|size)',
    'maximum context',
    'prompt is too long',
    'too many (?:input |prompt )?tokens',
    '(?:input|prompt|messages?|conversation) (?:is |are )?too long',
    'exceeds? the (?:max|maximum)\\w* (?:allowed )?(?:number of )?(?:input |prompt )?tokens',
    'token (?:limit|count) (?:exceeded|exceeds)',
    'reduce the length of the messages',
  ].join('|'),
  'i',
);

const CONTENT_FILTER_RE = new RegExp(
  [
    'content[ _-]?(?:filter|management polic|polic)',
    'usage polic',
    'responsible ?ai',
    'safety (?:system|filters?|reasons?|block|violation|polic)',
    'blocked (?:by|due to|because of)(?: (?:the|our|a|an))? (?:content|safety|moderation|guardrail|responsible|usage|polic|filter|prohibited)',
    'block_?reason',
    'prohibited[ _]content',
    'flagged as (?:potentially )?(?:violating|inappropriate|harmful|unsafe)',
    'moderation',
    'guardrail',
    'harm_?category',
    '(?:finish|stop)[ _]?reason\\W{0,6}(?:safety|content_filter|recitation|prohibited)',
  ].join('|'),
  'i',
);
/** Gemini finish/block reasons, matched case-sensitively so "safety_settings" parameters don't count. */
const CONTENT_FILTER_CODE_RE = /\b(?:SAFETY|IMAGE_SAFETY|PROHIBITED_CONTENT|BLOCKLIST|SPII|RECITATION)\b/;

const TIMEOUT_RE = new RegExp(
  [
    'timed[ _-]?out',
    'time[ _-]?out[ _-]?(?:error|exception|exceeded|expired|reached|of \\d|after \\d)',
    '\\btimeout\\b[^.\\n]{0,20}\\bexceeded',
    '(?:request|read|connect(?:ion)?|socket|gateway|operation|response|headers|body|idle|pool|write|execution|query|lambda|function|invocation|tool|stream)[ _-]?time[ _-]?out',
    'deadline[ _-]?exceeded',
    'aborted due to timeout',
  ].join('|'),
  'i',
);
/** A type (class name / code) is a short identifier: any mention of a timeout in it is a timeout. */
const TIMEOUT_TYPE_RE = /time[ _-]?out|timedout|deadline/i;

const RATE_LIMIT_RE = new RegExp(
  [
    'rate[ _-]?limit',
    'too many requests',
    'toomanyrequests',
    'quota',
    'resource[ _-]?exhausted',
    'resource has been exhausted',
    'throttl',
    '(?:tokens|requests) per (?:min|minute|day|second|hour)',
    'reduce your request rate',
    '\\bslow ?down\\b',
  ].join('|'),
  'i',
);

const AUTH_RE = new RegExp(
  [
    'authenticat',
    'unauthori[sz]ed',
    'unauthenticated',
    'not authori[sz]ed',
    'permission[ _-]?(?:denied|error)',
    'forbidden',
    'access[ _-]?denied',
    '(?:invalid|incorrect|missing|expired|revoked|bad|wrong)[ _-](?:x-)?api[ _-]?key',
    'api[ _-]?key (?:is )?(?:not valid|invalid|missing|expired|not found|not provided|required|was reported)',
    'no api[ _-]?key',
    '\\b[a-z]+_api_key\\b',
    '(?:invalid|expired|missing|revoked) (?:auth(?:entication)? |access |bearer |security |id )?token',
    'token (?:has )?expired',
    'invalid[ _-]credentials',
    'credentials? (?:were |was |are )?not (?:found|valid)',
    'defaultcredentialserror',
    'security token',
    'unrecognizedclient',
    'signature ?does ?not ?match',
  ].join('|'),
  'i',
);

const NETWORK_RE = new RegExp(
  [
    '\\bE(?:CONNRESET|CONNREFUSED|CONNABORTED|NOTFOUND|AI_AGAIN|AI_NONAME|HOSTUNREACH|NETUNREACH|NETDOWN|NETRESET|PIPE|ADDRNOTAVAIL|PROTO)\\b',
    'socket hang up',
    'fetch failed',
    'failed to fetch',
    'network[ _-]?(?:error|is unreachable|failure|request failed)',
    'connection[ _-]?(?:error|reset|refused|aborted|closed|lost|failed|terminated)',
    'connect[ _-]?error',
    'connector[ _-]?error',
    'failed to (?:establish|connect)',
    'name or service not known',
    'nodename nor servname',
    'name resolution',
    'getaddrinfo',
    'gaierror',
    '\\bdns\\b',
    'unknown[ _-]?host',
    'remote ?(?:end closed|disconnected)',
    'server ?disconnected',
    'other side closed',
    'und_err_socket',
    'broken pipe',
    'no route to host',
    'ssl[ _-]?error',
    'certificate verify failed',
    'protocol[ _-]?error',
    'incomplete[ _-]?read',
    'chunked[ _-]?encoding',
    'premature close',
    'peer closed connection',
    'eof occurred in violation',
  ].join('|'),
  'i',
);

const API_RE = new RegExp(
  [
    'internal[ _-]?(?:server[ _-]?)?error',
    'server[ _-]?error',
    'server had an error',
    'bad[ _-]?gateway',
    'service[ _-]?unavailable',
    '(?:temporarily|currently) unavailable',
    'overloaded',
    'upstream (?:error|connect)',
    '\\bapi[ _-]?error\\b',
  ].join('|'),
  'i',
);
/** Google/gRPC status names for server-side failures. */
const API_CODE_RE = /\b(?:INTERNAL|UNAVAILABLE)\b/;

const VALIDATION_RE = new RegExp(
  [
    'validation',
    'invalid[ _-]?request',
    'bad[ _-]?request',
    'unprocessable',
    'invalid[ _-]?argument',
    'zod ?error',
    'json ?schema',
    'does not match (?:the )?schema',
    'is not valid under',
    'is a required property',
    'additional properties are not allowed',
    'field required',
    'missing required',
    'required (?:parameter|field|property)',
    'invalid (?:type|value|parameter|argument|input|enum|format|schema|json)',
    'unsupported (?:parameter|value)',
    'unrecognized (?:request )?argument',
    'expected .{1,40}?(?:got|received|but)',
  ].join('|'),
  'i',
);
const VALIDATION_CODE_RE = /\bFAILED_PRECONDITION\b/;

const TOOL_RE =
  /\btool[ _-]?(?:exception|error|call|use|execution|invocation)|function[ _-]?call(?:ing)?[ _-]?(?:error|failed)|failed to call a function/i;

interface Rule {
  category: ErrorCategory;
  text: RegExp;
  code?: RegExp;
  type?: RegExp;
}

const STRONG_RULES: readonly Rule[] = [
  { category: 'context_length', text: CONTEXT_LENGTH_RE },
  { category: 'content_filter', text: CONTENT_FILTER_RE, code: CONTENT_FILTER_CODE_RE },
  { category: 'timeout', text: TIMEOUT_RE, type: TIMEOUT_TYPE_RE },
  { category: 'rate_limit', text: RATE_LIMIT_RE },
  { category: 'auth', text: AUTH_RE },
];

const WEAK_RULES: readonly Rule[] = [
  { category: 'network', text: NETWORK_RE },
  { category: 'api', text: API_RE, code: API_CODE_RE },
  { category: 'validation', text: VALIDATION_RE, code: VALIDATION_CODE_RE },
];

/**
 * An HTTP status inside the text: at the start of a line ("429 Rate limit reached", "Error: 503 …"),
 * in brackets ("[429 Too Many Requests]") or after a keyword ("Error code: 429", "status code 502",
 * "got status: 503", "HTTP 500", "'code': 429").
 */
const STATUS_IN_TEXT_RE =
  /(?:^(?:[\w.$]+:\s*)?|\[)([45]\d\d)(?!\d|[.,]\d)|(?:error[ _-]?code|status[ _-]?code|\bstatus|\bhttp(?:\/[\d.]+)?|\bcode)["']?\s*[:=]?\s*["']?([45]\d\d)(?!\d|[.,]\d)/im;
const STATUS_TYPE_RE = /^\s*([1-5]\d\d)\s*$/;

const RECOVERABLE: ReadonlySet<ErrorCategory> = new Set(['timeout', 'rate_limit', 'api', 'network']);
const USER_ORIGIN: ReadonlySet<ErrorCategory> = new Set(['validation', 'context_length', 'content_filter']);

function statusCategory(status: number): ErrorCategory | null {
  if (status === 408 || status === 504 || status === 524) return 'timeout';
  if (status === 429) return 'rate_limit';
  if (status === 401 || status === 403 || status === 407) return 'auth';
  if (status === 400 || status === 413 || status === 422) return 'validation';
  if (status >= 500 && status <= 599) return 'api';
  return null;
}

function resolveStatus(signal: ErrorSignal, text: string): number | null {
  const given = signal.statusCode;
  if (typeof given === 'number' && Number.isInteger(given) && given >= 100 && given <= 599) return given;
  if (signal.type) {
    const fromType = STATUS_TYPE_RE.exec(signal.type);
    if (fromType) return Number(fromType[1]);
  }
  const m = STATUS_IN_TEXT_RE.exec(text);
  if (!m) return null;
  return Number(m[1] ?? m[2]);
}

function matchRule(rule: Rule, text: string, type: string | null): boolean {
  if (rule.text.test(text)) return true;
  if (rule.code?.test(text)) return true;
  return type !== null && rule.type?.test(type) === true;
}

function categorise(signal: ErrorSignal, text: string, type: string | null): ErrorCategory {
  for (const rule of STRONG_RULES) if (matchRule(rule, text, type)) return rule.category;
  const status = resolveStatus(signal, text);
  if (status !== null) {
    const byStatus = statusCategory(status);
    if (byStatus) return byStatus;
  }
  for (const rule of WEAK_RULES) if (matchRule(rule, text, type)) return rule.category;
  if (signal.eventType === 'tool' || TOOL_RE.test(text)) return 'tool';
  return 'unknown';
}

// ---------------------------------------------------------------------------------------------------------
// Stack helpers
// ---------------------------------------------------------------------------------------------------------

const LINE_SPLIT_RE = /\r?\n/;
const PY_TRACEBACK_HEADER = 'Traceback (most recent call last):';
const PY_FRAME_TEST_RE = /^[ \t]*File "[^"\r\n]+", line \d+/m;
const PY_FRAME_RE = /^[ \t]*File "([^"\r\n]+)", line \d+(?:, in ([^\r\n]+))?/gm;
const PY_LIBRARY_RE = /[\\/](?:site|dist)-packages[\\/]|[\\/]lib[\\/]python\d|^<frozen /;
const JS_FRAME_RE = /^\s*at (?:async )?(?:(.*?) \((.*)\)|(.+?))\s*$/;
const FF_FRAME_RE = /^\s*([^@\s]*)@(.+:\d+(?::\d+)?)\s*$/;
const JS_EVAL_LOCATION_RE = /^eval at [^(]*\(([^()]+)\)/;
const MAX_FRAME_LINE = 2048;
const LINE_COL_RE = /:\d+(?::\d+)?$/;
const JS_LIBRARY_RE = /[\\/]node_modules[\\/]|^node:|^internal[\\/]/;

function isPythonTraceback(stack: string): boolean {
  return stack.includes(PY_TRACEBACK_HEADER) || PY_FRAME_TEST_RE.test(stack);
}

/** The part of a stack worth reading: JS keeps its head, a Python traceback its tail (the raise site). */
function stackWindow(stack: string, python: boolean): string {
  if (stack.length <= MAX_ERROR_STACK) return stack;
  return python ? stack.slice(stack.length - MAX_ERROR_STACK) : stack.slice(0, MAX_ERROR_STACK);
}

/** The exception line: JS's first line ("TypeError: fetch failed"), Python's line after the last frame. */
function stackHeadline(stack: string | null): string | null {
  if (!stack) return null;
  const python = isPythonTraceback(stack);
  const lines = stackWindow(stack, python).split(LINE_SPLIT_RE);
  if (python) {
    let lastFrame = -1;
    for (let i = lines.length - 1; i >= 0; i--) {
      if (/^[ \t]*File "/.test(lines[i] ?? '')) {
        lastFrame = i;
        break;
      }
    }
    for (let i = lastFrame + 1; i < lines.length; i++) {
      const line = lines[i] ?? '';
      if (line.trim() !== '' && !/^\s/.test(line)) return capText(line.trim(), HEADLINE_LIMIT);
    }
    for (let i = lines.length - 1; i >= 0; i--) {
      const line = (lines[i] ?? '').trim();
      if (line !== '' && line !== PY_TRACEBACK_HEADER) return capText(line, HEADLINE_LIMIT);
    }
    return null;
  }
  for (const raw of lines) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('at ')) return null; // a bare list of frames has no exception line
    return capText(line, HEADLINE_LIMIT);
  }
  return null;
}

function cleanJsLocation(location: string): string | null {
  let loc = location.trim();
  const evalMatch = JS_EVAL_LOCATION_RE.exec(loc);
  if (evalMatch?.[1]) loc = evalMatch[1];
  if (!LINE_COL_RE.test(loc)) return null; // "<anonymous>", "native", "index 0": not a source location
  loc = loc.replace(LINE_COL_RE, '');
  if (loc.startsWith('file://')) loc = loc.slice('file://'.length);
  const query = loc.search(/[?#]/);
  if (query > 0) loc = loc.slice(0, query);
  return loc === '' ? null : loc;
}

function jsTopFrame(lines: readonly string[]): string | null {
  let fallback: string | null = null;
  for (const line of lines) {
    if (line.length > MAX_FRAME_LINE) continue; // no real frame is this long; keeps the regexes linear
    let fn: string | undefined;
    let location: string | undefined;
    const m = JS_FRAME_RE.exec(line);
    if (m) {
      fn = m[1];
      location = m[2] ?? m[3];
    } else {
      const ff = FF_FRAME_RE.exec(line);
      if (!ff) continue;
      fn = ff[1];
      location = ff[2];
    }
    if (location === undefined) continue;
    const file = cleanJsLocation(location);
    if (file === null) continue;
    const frame = `${fn?.trim() || '<anonymous>'} (${file})`;
    if (!JS_LIBRARY_RE.test(file)) return frame;
    fallback ??= frame;
  }
  return fallback;
}

function pythonTopFrame(stack: string): string | null {
  const start = stack.lastIndexOf(PY_TRACEBACK_HEADER);
  const section = start >= 0 ? stack.slice(start) : stack;
  let lastUser: string | null = null;
  let last: string | null = null;
  for (const m of section.matchAll(PY_FRAME_RE)) {
    const file = m[1] ?? '';
    const frame = `${(m[2] ?? '<module>').trim()} (${file})`;
    last = frame;
    if (!PY_LIBRARY_RE.test(file)) lastUser = frame;
  }
  return lastUser ?? last;
}

/**
 * The frame an error is grouped by, without line/column numbers: for JS the first frame
 * ("at fn (file:line:col)" → "fn (file)"), preferring the app's own code over node:internal and
 * node_modules frames; for a Python traceback the last (innermost) frame of the final traceback,
 * preferring the app's own code over site-packages and the standard library.
 */
export function topFrame(stack: string | null): string | null {
  if (!stack) return null;
  const python = isPythonTraceback(stack);
  const window = stackWindow(stack, python);
  if (python) return pythonTopFrame(window);
  return jsTopFrame(window.split(LINE_SPLIT_RE));
}

// ---------------------------------------------------------------------------------------------------------
// Normalisation and fingerprint
// ---------------------------------------------------------------------------------------------------------

const URL_RE = /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/[^\s"'`<>()[\]{}]+/gi;
const EMAIL_RE = /(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g;
const ISO_TS_RE =
  /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?![\w])/gi;
const UUID_RE = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;
/** A quoted string (not an apostrophe inside a word); at most 256 chars so a stray quote stays cheap. */
const QUOTED_RE = /(?<![\w\\])(?:"(?:[^"\\\n]|\\.){0,256}"|'(?:[^'\\\n]|\\.){0,256}'|`[^`\n]{0,256}`)(?!\w)/g;
/** A quoted string is kept (and normalised inside) when it is a key, or the value of a message-like key. */
const KEY_AFTER_RE = /^\s*[:=]/;
const MESSAGE_KEY_BEFORE_RE =
  /(?:message|msg|detail|details|error|description|reason|title)["']?\s*[:=]\s*$/i;
/** Masked keys as providers echo them: "sk-proj-****…abcd". */
const MASKED_SECRET_RE = /(?<![\w-])[\w-]*\*{3,}[\w*-]*/g;
const PREFIXED_ID_RE =
  /(?<![\w-])(?:req|request|chatcmpl|cmpl|msg|msgbatch|toolu|call|run|resp|sess|session|org|proj|user|sk|pk|key|file|batch|asst|thread|step|evt|event|trace|span|job|ftjob|ft|id)[_-](?=[\w-]*\d)[\w-]{3,}/gi;
/** Random-looking tokens: 16+ letters and digits, mixed (never the tail of a decimal like 8.4961653800487e-3). */
const MIXED_TOKEN_RE = /(?<!\w)(?<!\d[.,])(?=[a-z]*\d)(?=\d*[a-z])[a-z0-9]{16,}(?!\w|[.,]\d)/gi;
/**
 * Hex ids of 8+ chars (with at least one digit, so words like "deadbeef" stay). They share the number
 * placeholder: an all-digit hex id is indistinguishable from a number, and one placeholder keeps such an
 * occurrence in the same group. Never starts inside a decimal ("3.75198641e-7") and absorbs a sign like
 * NUMBER_RE does.
 */
const HEX_RE = /(?:(?<![\w.])-)?(?<!\w)(?<!\d[.,])(?:0x)?(?=[0-9a-f]*\d)[0-9a-f]{8,}(?!\w|[.,]\d)/gi;
const DURATION_RE = /\b(?:\d+(?:\.\d+)?(?:ms|us|µs|ns|h|m|s)){1,4}\b/g;
/** Integers, decimals, thousands separators, exponents (5e-324) and a sign that isn't a hyphen (gpt-4). */
const NUMBER_RE = /(?:(?<![\w.])-)?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?/gi;
/** HTTP statuses after a status keyword (or opening the message) stay: a 404 and a 500 are different errors. */
const STATUS_BEFORE_RE = /(?:^|status|code|http|\[)[^a-z0-9]{0,3}$/i;
const WHITESPACE_RE = /\s+/g;

function replaceQuoted(match: string, offset: number, whole: string): string {
  const after = whole.slice(offset + match.length, offset + match.length + 8);
  if (KEY_AFTER_RE.test(after)) return match;
  const before = whole.slice(Math.max(0, offset - 24), offset);
  if (MESSAGE_KEY_BEFORE_RE.test(before)) return match;
  return '<str>';
}

function replaceNumber(match: string, offset: number, whole: string): string {
  if (match.length === 3 && (match[0] === '4' || match[0] === '5')) {
    const before = whole.slice(Math.max(0, offset - 16), offset);
    if (STATUS_BEFORE_RE.test(before)) return match;
  }
  return '<n>';
}

/**
 * Replaces the volatile parts of an error message with placeholders so occurrences of the same error group
 * together: URLs, emails, ISO timestamps, UUIDs, quoted values, request/object ids ("req_abc123"), random
 * tokens, durations, and hex ids (8+ chars) and numbers (both as <n>). Collapses whitespace, lowercases, caps at 512 chars.
 */
export function normaliseMessage(message: string): string {
  const s = message
    .slice(0, NORMALISE_INPUT_LIMIT)
    .replace(URL_RE, '<url>')
    .replace(EMAIL_RE, '<email>')
    .replace(ISO_TS_RE, '<ts>')
    .replace(UUID_RE, '<uuid>')
    .replace(QUOTED_RE, replaceQuoted)
    .replace(MASKED_SECRET_RE, '<secret>')
    .replace(PREFIXED_ID_RE, '<id>')
    .replace(HEX_RE, '<n>')
    .replace(MIXED_TOKEN_RE, '<id>')
    .replace(DURATION_RE, '<dur>')
    .replace(NUMBER_RE, replaceNumber)
    .replace(WHITESPACE_RE, ' ')
    .trim()
    .toLowerCase();
  return s.length > MAX_NORMALISED_MESSAGE ? s.slice(0, MAX_NORMALISED_MESSAGE) : s;
}

/** Cuts to `max` UTF-16 units without leaving half a surrogate pair. */
function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  const end = code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
  return text.slice(0, end);
}

/**
 * The message to report: as sent (trimmed), else the stack's exception line (a JS stack's first line, a
 * Python traceback's "module.Error: message" line rather than its "Traceback …" header), else "unknown error".
 */
function effectiveMessage(message: string | null, headline: string | null): string {
  const trimmed = message?.trim();
  if (trimmed) return capText(trimmed, MAX_ERROR_MESSAGE);
  return headline ?? 'unknown error';
}

function cleanType(type: string | null): string | null {
  const t = type?.trim();
  return t ? t : null;
}

/**
 * A stable 16-hex-char group id: sha256 of the type, the normalised message and the top stack frame.
 * Ids, numbers and line numbers don't change it; a different message or a different top frame does.
 */
export function fingerprintError(message: string | null, type: string | null, stack: string | null): string {
  return fingerprintOf(cleanType(type), effectiveMessage(message, stackHeadline(stack)), topFrame(stack));
}

function fingerprintOf(type: string | null, message: string, frame: string | null): string {
  const parts = `${type ?? ''}\u0000${normaliseMessage(message)}\u0000${frame ?? ''}`;
  return createHash('sha256').update(parts).digest('hex').slice(0, 16);
}

/** Stored stacks keep their head (JS) or their tail (a Python traceback, where the raise site is). */
function capStack(stack: string | null): string | null {
  if (!stack || stack.trim() === '') return null;
  if (stack.length <= MAX_ERROR_STACK) return stack;
  if (isPythonTraceback(stack)) {
    let start = stack.length - MAX_ERROR_STACK;
    const code = stack.charCodeAt(start);
    if (code >= 0xdc00 && code <= 0xdfff) start += 1;
    return stack.slice(start);
  }
  return capText(stack, MAX_ERROR_STACK);
}

export function classifyError(signal: ErrorSignal): EventError {
  const type = cleanType(signal.type);
  const headline = stackHeadline(signal.stack);
  const message = effectiveMessage(signal.message, headline);
  // What the rules read: the class/code, the message and the stack's exception line (which names the class).
  let text = type ? `${capText(type, HEADLINE_LIMIT)}\n${message}` : message;
  if (headline && headline !== message) text += `\n${headline}`;
  const category = categorise(signal, text, type);
  return {
    category,
    type,
    message,
    stack: capStack(signal.stack),
    origin: USER_ORIGIN.has(category) ? 'user' : 'system',
    recoverable: RECOVERABLE.has(category),
    fingerprint: fingerprintOf(type, message, topFrame(signal.stack)),
  };
}
