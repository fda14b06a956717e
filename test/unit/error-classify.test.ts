import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyError,
  type ErrorSignal,
  fingerprintError,
  normaliseMessage,
  topFrame,
} from '../../lambdas/domain/error-classify';
import { ERROR_CATEGORIES, type ErrorCategory } from '../../lambdas/domain/model';

interface Case {
  name: string;
  message: string | null;
  type?: string | null;
  stack?: string | null;
  statusCode?: number | null;
  eventType?: ErrorSignal['eventType'];
  expected: ErrorCategory;
}

const signal = (c: Case): ErrorSignal => ({
  message: c.message,
  type: c.type ?? null,
  stack: c.stack ?? null,
  statusCode: c.statusCode,
  eventType: c.eventType,
});

const PY_TRACEBACK_RATE_LIMIT = `Traceback (most recent call last):
  File "/app/agent/main.py", line 88, in <module>
    asyncio.run(main())
  File "/app/agent/llm.py", line 41, in call_model
    resp = await client.chat.completions.create(model=model, messages=messages)
  File "/usr/local/lib/python3.12/site-packages/openai/resources/chat/completions.py", line 1720, in create
    return await self._post(
  File "/usr/local/lib/python3.12/site-packages/openai/_base_client.py", line 1624, in _request
    raise self._make_status_error_from_response(err.response) from None
openai.RateLimitError: Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o in organization org-Xk2 on requests per min (RPM): Limit 500, Used 500, Requested 1.', 'type': 'requests', 'param': None, 'code': 'rate_limit_exceeded'}}`;

const CASES: Case[] = [
  // ── timeout ────────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'openai-python APITimeoutError',
    type: 'APITimeoutError',
    message: 'Request timed out.',
    expected: 'timeout',
  },
  {
    name: 'openai-node APIConnectionTimeoutError',
    type: 'APIConnectionTimeoutError',
    message: 'Request timed out.',
    expected: 'timeout',
  },
  {
    name: 'undici connect timeout',
    type: 'UND_ERR_CONNECT_TIMEOUT',
    message: 'Connect Timeout Error (attempted address: api.openai.com:443, timeout: 10000ms)',
    expected: 'timeout',
  },
  { name: 'node ETIMEDOUT', message: 'connect ETIMEDOUT 104.18.7.192:443', expected: 'timeout' },
  {
    name: 'axios timeout (ECONNABORTED)',
    type: 'ECONNABORTED',
    message: 'timeout of 60000ms exceeded',
    expected: 'timeout',
  },
  {
    name: 'httpx ReadTimeout',
    type: 'httpx.ReadTimeout',
    message: 'The read operation timed out',
    expected: 'timeout',
  },
  {
    name: 'requests read timeout',
    type: 'requests.exceptions.ReadTimeout',
    message: "HTTPSConnectionPool(host='api.anthropic.com', port=443): Read timed out. (read timeout=600)",
    expected: 'timeout',
  },
  { name: 'asyncio TimeoutError with empty message', type: 'TimeoutError', message: '', expected: 'timeout' },
  {
    name: 'AbortSignal.timeout',
    type: 'TimeoutError',
    message: 'The operation was aborted due to timeout',
    expected: 'timeout',
  },
  {
    name: 'google api_core DeadlineExceeded',
    type: 'google.api_core.exceptions.DeadlineExceeded',
    message: '504 Deadline Exceeded',
    expected: 'timeout',
  },
  {
    name: 'google-genai 504',
    type: 'ServerError',
    message:
      "504 DEADLINE_EXCEEDED. {'error': {'code': 504, 'message': 'Deadline expired before operation could complete.', 'status': 'DEADLINE_EXCEEDED'}}",
    expected: 'timeout',
  },
  { name: 'lambda task timeout', message: 'Task timed out after 30.03 seconds', expected: 'timeout' },
  { name: 'status 504', message: 'Gateway error', statusCode: 504, expected: 'timeout' },
  { name: 'status 408', message: 'Request failed', statusCode: 408, expected: 'timeout' },
  {
    name: 'OTel error.type "timeout"',
    type: 'timeout',
    message: 'span ended without response',
    expected: 'timeout',
  },
  {
    name: 'timeout inside a tool call',
    type: 'TimeoutError',
    message: 'Tool execution timed out after 30s',
    eventType: 'tool',
    expected: 'timeout',
  },

  // ── rate_limit ─────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'openai-python RateLimitError (TPM)',
    type: 'RateLimitError',
    message:
      "Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o in organization org-abc123 on tokens per min (TPM): Limit 30000, Used 29000, Requested 1500. Please try again in 1.0s. Visit https://platform.openai.com/account/rate-limits to learn more.', 'type': 'tokens', 'param': None, 'code': 'rate_limit_exceeded'}}",
    expected: 'rate_limit',
  },
  {
    name: 'openai-node insufficient quota',
    type: 'RateLimitError',
    message:
      '429 You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
    expected: 'rate_limit',
  },
  {
    name: 'anthropic-sdk-typescript rate_limit_error',
    message:
      '429 {"type":"error","error":{"type":"rate_limit_error","message":"This request would exceed the rate limit for your organization (1a2b3c) of 50,000 input tokens per minute."}}',
    expected: 'rate_limit',
  },
  {
    name: 'google generative-ai JS 429',
    message:
      '[GoogleGenerativeAI Error]: Error fetching from https://generativelanguage.googleapis.com/v1beta/models/gemini-1.5-pro:generateContent: [429 Too Many Requests] Resource has been exhausted (e.g. check quota).',
    expected: 'rate_limit',
  },
  {
    name: 'google api_core ResourceExhausted',
    type: 'google.api_core.exceptions.ResourceExhausted',
    message: '429 Resource has been exhausted (e.g. check quota).',
    expected: 'rate_limit',
  },
  {
    name: 'google-genai RESOURCE_EXHAUSTED',
    type: 'ClientError',
    message:
      "429 RESOURCE_EXHAUSTED. {'error': {'code': 429, 'message': 'You exceeded your current quota.', 'status': 'RESOURCE_EXHAUSTED'}}",
    expected: 'rate_limit',
  },
  {
    name: 'bedrock ThrottlingException',
    type: 'ThrottlingException',
    message: 'Too many requests, please wait before trying again.',
    expected: 'rate_limit',
  },
  { name: 'type is the status code', type: '429', message: 'request failed', expected: 'rate_limit' },
  { name: 'status 429 attribute', message: 'HTTP error', statusCode: 429, expected: 'rate_limit' },
  {
    name: '403 that says rate limit',
    message: 'API rate limit exceeded for 1.2.3.4.',
    statusCode: 403,
    expected: 'rate_limit',
  },
  { name: 'python traceback only', message: null, stack: PY_TRACEBACK_RATE_LIMIT, expected: 'rate_limit' },
  {
    name: 'rate limit inside a tool call',
    message: '429 Too Many Requests',
    eventType: 'tool',
    expected: 'rate_limit',
  },

  // ── api ────────────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'anthropic-python 529 overloaded (provider-side → api)',
    type: 'InternalServerError',
    message:
      "Error code: 529 - {'type': 'error', 'error': {'type': 'overloaded_error', 'message': 'Overloaded'}}",
    expected: 'api',
  },
  {
    name: 'anthropic-sdk-typescript 529 without type',
    message: '529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    expected: 'api',
  },
  {
    name: 'anthropic api_error',
    message: '500 {"type":"error","error":{"type":"api_error","message":"Internal server error"}}',
    expected: 'api',
  },
  {
    name: 'openai 500',
    type: 'InternalServerError',
    message: '500 The server had an error while processing your request. Sorry about that!',
    expected: 'api',
  },
  {
    name: 'openai 503 engine overloaded',
    message: '503 The engine is currently overloaded, please try again later.',
    expected: 'api',
  },
  { name: 'APIError with 502', type: 'APIError', message: '502 Bad Gateway', expected: 'api' },
  {
    name: 'google-genai 503 UNAVAILABLE',
    type: 'ServerError',
    message:
      "503 UNAVAILABLE. {'error': {'code': 503, 'message': 'The model is overloaded. Please try again later.', 'status': 'UNAVAILABLE'}}",
    expected: 'api',
  },
  {
    name: 'google generative-ai JS 500',
    message:
      '[GoogleGenerativeAI Error]: Error fetching from https://generativelanguage.googleapis.com/v1beta/models/gemini-1.5-flash:streamGenerateContent?alt=sse: [500 Internal Server Error] An internal error has occurred.',
    expected: 'api',
  },
  {
    name: '@google/genai got status 503',
    message:
      'got status: 503 Service Unavailable. {"error":{"code":503,"message":"The service is currently unavailable.","status":"UNAVAILABLE"}}',
    expected: 'api',
  },
  {
    name: 'status beats connection wording (envoy 503)',
    message: 'upstream connect error or disconnect/reset before headers. reset reason: connection failure',
    statusCode: 503,
    expected: 'api',
  },
  {
    name: 'openai-python APIError mid-stream',
    type: 'APIError',
    message: 'An error occurred during streaming',
    expected: 'api',
  },
  { name: 'axios 502', type: 'AxiosError', message: 'Request failed with status code 502', expected: 'api' },

  // ── auth ───────────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'openai-python AuthenticationError',
    type: 'AuthenticationError',
    message:
      "Error code: 401 - {'error': {'message': 'Incorrect API key provided: sk-proj-********************abcd. You can find your API key at https://platform.openai.com/account/api-keys.', 'type': 'invalid_request_error', 'param': None, 'code': 'invalid_api_key'}}",
    expected: 'auth',
  },
  {
    name: 'anthropic invalid x-api-key',
    message: '401 {"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}',
    expected: 'auth',
  },
  {
    name: 'anthropic PermissionDeniedError',
    type: 'PermissionDeniedError',
    message:
      '403 {"type":"error","error":{"type":"permission_error","message":"Your API key does not have permission to use the specified resource."}}',
    expected: 'auth',
  },
  {
    name: 'google 400 API key not valid (auth beats 400)',
    type: 'ClientError',
    message:
      "400 INVALID_ARGUMENT. {'error': {'code': 400, 'message': 'API key not valid. Please pass a valid API key.', 'status': 'INVALID_ARGUMENT'}}",
    expected: 'auth',
  },
  {
    name: 'openai-node missing key',
    type: 'OpenAIError',
    message:
      "The OPENAI_API_KEY environment variable is missing or empty; either provide it, or instantiate the OpenAI client with an apiKey option, like new OpenAI({ apiKey: 'My API Key' }).",
    expected: 'auth',
  },
  {
    name: 'bedrock AccessDeniedException',
    type: 'AccessDeniedException',
    message: "You don't have access to the model with the specified model ID.",
    expected: 'auth',
  },
  {
    name: 'google PERMISSION_DENIED',
    message:
      "403 PERMISSION_DENIED. {'error': {'code': 403, 'message': 'Your API key was reported as leaked. Please use another API key.', 'status': 'PERMISSION_DENIED'}}",
    expected: 'auth',
  },
  { name: 'status 401 attribute', message: 'Request failed', statusCode: 401, expected: 'auth' },
  {
    name: 'google DefaultCredentialsError',
    type: 'google.auth.exceptions.DefaultCredentialsError',
    message: 'Your default credentials were not found.',
    expected: 'auth',
  },

  // ── validation ─────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'openai-python BadRequestError',
    type: 'BadRequestError',
    message:
      "Error code: 400 - {'error': {'message': \"Invalid value for 'temperature': expected a number between 0 and 2.\", 'type': 'invalid_request_error', 'param': 'temperature', 'code': None}}",
    expected: 'validation',
  },
  {
    name: 'anthropic roles must alternate',
    message:
      '400 {"type":"error","error":{"type":"invalid_request_error","message":"messages: roles must alternate between \\"user\\" and \\"assistant\\", but found multiple \\"user\\" roles in a row"}}',
    expected: 'validation',
  },
  {
    name: 'pydantic ValidationError',
    type: 'pydantic_core._pydantic_core.ValidationError',
    message:
      "1 validation error for WeatherArgs\ncity\n  Field required [type=missing, input_value={'units': 'metric'}, input_type=dict]",
    expected: 'validation',
  },
  {
    name: 'ZodError',
    type: 'ZodError',
    message:
      '[\n  {\n    "code": "invalid_type",\n    "expected": "string",\n    "received": "undefined",\n    "path": ["query"],\n    "message": "Required"\n  }\n]',
    expected: 'validation',
  },
  {
    name: 'jsonschema',
    type: 'jsonschema.exceptions.ValidationError',
    message: "'city' is a required property",
    expected: 'validation',
  },
  {
    name: 'openai-node UnprocessableEntityError',
    type: 'UnprocessableEntityError',
    message: '422 Unprocessable Entity',
    expected: 'validation',
  },
  { name: 'status 422 attribute', message: 'request rejected', statusCode: 422, expected: 'validation' },
  {
    name: 'google 400 invalid argument',
    type: 'google.api_core.exceptions.InvalidArgument',
    message: '400 Request contains an invalid argument.',
    expected: 'validation',
  },
  {
    name: 'safety_settings parameter typo is validation, not content_filter',
    message:
      "400 INVALID_ARGUMENT. {'error': {'code': 400, 'message': \"Invalid value at 'safety_settings[0].category'\", 'status': 'INVALID_ARGUMENT'}}",
    expected: 'validation',
  },
  {
    name: '400 mentioning a timeout parameter',
    type: 'BadRequestError',
    message: "400 Invalid type for 'timeout': expected an integer, but got a string instead.",
    expected: 'validation',
  },

  // ── context_length ─────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'openai context_length_exceeded (beats 400/validation)',
    type: 'BadRequestError',
    message:
      "Error code: 400 - {'error': {'message': \"This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens. Please reduce the length of the messages.\", 'type': 'invalid_request_error', 'param': 'messages', 'code': 'context_length_exceeded'}}",
    expected: 'context_length',
  },
  {
    name: 'anthropic prompt is too long',
    type: 'BadRequestError',
    message:
      '400 {"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 215034 tokens > 200000 maximum"}}',
    expected: 'context_length',
  },
  {
    name: 'anthropic exceed context limit',
    message:
      'input length and `max_tokens` exceed context limit: 197000 + 8192 > 200000, decrease input length or `max_tokens` and try again',
    expected: 'context_length',
  },
  {
    name: 'gemini input token count',
    message:
      "400 INVALID_ARGUMENT. {'error': {'code': 400, 'message': 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).', 'status': 'INVALID_ARGUMENT'}}",
    expected: 'context_length',
  },
  {
    name: 'bedrock input too long',
    type: 'ValidationException',
    message: 'Input is too long for requested model.',
    expected: 'context_length',
  },
  {
    name: 'cohere too many tokens',
    message: 'too many tokens: total number of tokens exceeds 128000',
    expected: 'context_length',
  },

  // ── content_filter ─────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'azure content management policy (beats 400)',
    type: 'BadRequestError',
    message:
      "Error code: 400 - {'error': {'message': \"The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.\", 'type': None, 'param': 'prompt', 'code': 'content_filter', 'status': 400}}",
    expected: 'content_filter',
  },
  {
    name: 'gemini blocked due to SAFETY',
    message: '[GoogleGenerativeAI Error]: Candidate was blocked due to SAFETY',
    expected: 'content_filter',
  },
  {
    name: 'gemini PROHIBITED_CONTENT',
    message: 'Response was blocked due to PROHIBITED_CONTENT',
    expected: 'content_filter',
  },
  {
    name: 'openai flagged prompt',
    message:
      '400 Invalid prompt: your prompt was flagged as potentially violating our usage policy. Please try again with a different prompt: https://platform.openai.com/docs/guides/reasoning#advice-on-prompting',
    expected: 'content_filter',
  },
  {
    name: 'openai ContentFilterFinishReasonError',
    type: 'ContentFilterFinishReasonError',
    message: 'Could not parse response content as the request was rejected by the content filter',
    expected: 'content_filter',
  },
  {
    name: 'bedrock output blocked',
    message: 'Output blocked by content filtering policy',
    expected: 'content_filter',
  },
  {
    name: 'finish reason content_filter',
    message: 'LLM stopped: finish_reason=content_filter',
    expected: 'content_filter',
  },
  {
    name: 'openai safety system',
    message: 'Your request was rejected as a result of our safety system.',
    expected: 'content_filter',
  },

  // ── tool ───────────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'KeyError inside a tool',
    type: 'KeyError',
    message: "'location'",
    eventType: 'tool',
    expected: 'tool',
  },
  {
    name: 'TypeError inside a tool',
    type: 'TypeError',
    message: "Cannot read properties of undefined (reading 'map')",
    eventType: 'tool',
    expected: 'tool',
  },
  {
    name: 'LangChain ToolException',
    type: 'ToolException',
    message: 'Error executing tool search_web: no results',
    eventType: 'llm',
    expected: 'tool',
  },

  // ── network ────────────────────────────────────────────────────────────────────────────────────────────
  { name: 'node ECONNRESET', type: 'ECONNRESET', message: 'read ECONNRESET', expected: 'network' },
  { name: 'node ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:11434', expected: 'network' },
  { name: 'node ENOTFOUND', message: 'getaddrinfo ENOTFOUND api.openai.com', expected: 'network' },
  { name: 'node EAI_AGAIN', message: 'getaddrinfo EAI_AGAIN api.anthropic.com', expected: 'network' },
  { name: 'node socket hang up', type: 'Error', message: 'socket hang up', expected: 'network' },
  { name: 'undici fetch failed', type: 'TypeError', message: 'fetch failed', expected: 'network' },
  {
    name: 'openai-node APIConnectionError',
    type: 'APIConnectionError',
    message: 'Connection error.',
    expected: 'network',
  },
  {
    name: 'requests ConnectionError',
    type: 'requests.exceptions.ConnectionError',
    message:
      "HTTPSConnectionPool(host='api.openai.com', port=443): Max retries exceeded with url: /v1/chat/completions (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f3b2c1d0e50>: Failed to establish a new connection: [Errno -2] Name or service not known'))",
    expected: 'network',
  },
  {
    name: 'httpx ConnectError',
    type: 'httpx.ConnectError',
    message: '[Errno 111] Connection refused',
    expected: 'network',
  },
  {
    name: 'python ConnectionResetError',
    type: 'ConnectionResetError',
    message: '[Errno 104] Connection reset by peer',
    expected: 'network',
  },
  {
    name: 'undici other side closed',
    type: 'SocketError',
    message: 'other side closed',
    expected: 'network',
  },
  {
    name: 'java UnknownHostException',
    type: 'java.net.UnknownHostException',
    message: 'api.openai.com',
    expected: 'network',
  },
  {
    name: 'network error inside a tool',
    message: 'connect ECONNREFUSED 10.0.0.5:5432',
    eventType: 'tool',
    expected: 'network',
  },

  // ── unknown ────────────────────────────────────────────────────────────────────────────────────────────
  {
    name: 'plain TypeError in an llm step',
    type: 'TypeError',
    message: "Cannot read properties of undefined (reading 'choices')",
    eventType: 'llm',
    expected: 'unknown',
  },
  { name: 'vague message', message: 'something went wrong', expected: 'unknown' },
  { name: 'nothing at all', message: null, expected: 'unknown' },
  {
    name: '404 model not found',
    type: 'NotFoundError',
    message: 'The model `gpt-5-turbo` does not exist or you do not have access to it.',
    statusCode: 404,
    expected: 'unknown',
  },
  { name: 'user abort', type: 'APIUserAbortError', message: 'Request was aborted.', expected: 'unknown' },
];

describe('classifyError: categories', () => {
  it.each(CASES)('$name → $expected', (c) => {
    expect(classifyError(signal(c)).category).toBe(c.expected);
  });

  it('has realistic cases for every category', () => {
    const covered = new Set(CASES.map((c) => c.expected));
    for (const category of ERROR_CATEGORIES) expect(covered.has(category), category).toBe(true);
  });

  it('ignores out-of-range or non-integer status codes', () => {
    expect(classifyError({ message: 'x', type: null, stack: null, statusCode: 9999 }).category).toBe(
      'unknown',
    );
    expect(classifyError({ message: 'x', type: null, stack: null, statusCode: 429.5 }).category).toBe(
      'unknown',
    );
    expect(classifyError({ message: 'x', type: null, stack: null, statusCode: null }).category).toBe(
      'unknown',
    );
  });

  it('reads the class name from a JS stack when no type is sent', () => {
    const stack = `RateLimitError: quota hit
    at OpenAI.makeRequest (/app/node_modules/openai/core.js:330:21)`;
    expect(classifyError({ message: 'quota hit', type: null, stack }).category).toBe('rate_limit');
    const timeout = `APIConnectionTimeoutError: Request timed out.
    at OpenAI.makeRequest (/app/node_modules/openai/core.js:330:21)`;
    expect(classifyError({ message: null, type: null, stack: timeout }).category).toBe('timeout');
  });
});

describe('classifyError: origin and recoverable', () => {
  const table: Array<[ErrorCategory, Case, 'user' | 'system', boolean]> = [
    ['timeout', { name: '', message: 'Request timed out.', expected: 'timeout' }, 'system', true],
    ['rate_limit', { name: '', message: '429 Too Many Requests', expected: 'rate_limit' }, 'system', true],
    ['api', { name: '', message: '500 Internal Server Error', expected: 'api' }, 'system', true],
    ['network', { name: '', message: 'socket hang up', expected: 'network' }, 'system', true],
    ['auth', { name: '', message: 'invalid x-api-key', expected: 'auth' }, 'system', false],
    ['validation', { name: '', message: '400 Bad Request', expected: 'validation' }, 'user', false],
    [
      'context_length',
      { name: '', message: 'prompt is too long', expected: 'context_length' },
      'user',
      false,
    ],
    [
      'content_filter',
      { name: '', message: 'finish_reason: content_filter', expected: 'content_filter' },
      'user',
      false,
    ],
    ['tool', { name: '', message: 'boom', eventType: 'tool', expected: 'tool' }, 'system', false],
    ['unknown', { name: '', message: 'boom', expected: 'unknown' }, 'system', false],
  ];

  it('covers every category', () => {
    expect(new Set(table.map(([c]) => c))).toEqual(new Set(ERROR_CATEGORIES));
  });

  it.each(table)('%s → origin %s', (category, c, origin, recoverable) => {
    const e = classifyError(signal(c));
    expect(e.category).toBe(category);
    expect(e.origin).toBe(origin);
    expect(e.recoverable).toBe(recoverable);
  });
});

describe('classifyError: message, type and stack', () => {
  it('trims the message and keeps the type as given', () => {
    const e = classifyError({ message: '  socket hang up \n', type: 'ECONNRESET', stack: null });
    expect(e.message).toBe('socket hang up');
    expect(e.type).toBe('ECONNRESET');
    expect(e.stack).toBeNull();
  });

  it('maps an empty or blank type to null', () => {
    expect(classifyError({ message: 'x', type: '', stack: null }).type).toBeNull();
    expect(classifyError({ message: 'x', type: '   ', stack: null }).type).toBeNull();
    expect(classifyError({ message: 'x', type: null, stack: null }).type).toBeNull();
  });

  it('caps the message at 4096 chars', () => {
    const e = classifyError({ message: 'x'.repeat(10_000), type: null, stack: null });
    expect(e.message).toHaveLength(4096);
  });

  it('does not split a surrogate pair at the cap', () => {
    const e = classifyError({ message: 'a'.repeat(4095) + '😀😀', type: null, stack: null });
    expect(e.message).toBe('a'.repeat(4095));
  });

  it('uses the first line of a JS stack when the message is empty', () => {
    const stack =
      'TypeError: fetch failed\n    at node:internal/deps/undici/undici:13502:13\n    at async run (/app/a.js:3:1)';
    const e = classifyError({ message: '   ', type: null, stack });
    expect(e.message).toBe('TypeError: fetch failed');
    expect(e.category).toBe('network');
  });

  it("uses a Python traceback's exception line (not its header) when the message is empty", () => {
    const e = classifyError({ message: null, type: null, stack: PY_TRACEBACK_RATE_LIMIT });
    expect(e.message.startsWith('openai.RateLimitError: Error code: 429')).toBe(true);
  });

  it('falls back to "unknown error"', () => {
    expect(classifyError({ message: null, type: null, stack: null }).message).toBe('unknown error');
    expect(classifyError({ message: '', type: null, stack: '   ' }).message).toBe('unknown error');
  });

  it('caps a JS stack at 16384 chars keeping its head', () => {
    const head = 'Error: boom\n    at run (/app/src/run.js:1:1)\n';
    const stack = head + '    at x (/app/src/x.js:1:1)\n'.repeat(2000);
    const e = classifyError({ message: 'boom', type: 'Error', stack });
    expect(e.stack).toHaveLength(16_384);
    expect(e.stack?.startsWith(head)).toBe(true);
  });

  it('caps a Python traceback at 16384 chars keeping its tail (the raise site)', () => {
    const frames = '  File "/app/loop.py", line 3, in step\n    step()\n'.repeat(1000);
    const stack = `Traceback (most recent call last):\n${frames}RecursionError: maximum recursion depth exceeded`;
    const e = classifyError({ message: null, type: null, stack });
    expect(e.stack).toHaveLength(16_384);
    expect(e.stack?.endsWith('RecursionError: maximum recursion depth exceeded')).toBe(true);
    expect(e.message).toBe('RecursionError: maximum recursion depth exceeded');
  });

  it('returns a fingerprint equal to fingerprintError of the same inputs', () => {
    const s: ErrorSignal = {
      message: null,
      type: 'RateLimitError',
      stack: PY_TRACEBACK_RATE_LIMIT,
      statusCode: 429,
    };
    expect(classifyError(s).fingerprint).toBe(fingerprintError(s.message, s.type, s.stack));
    expect(classifyError(s).fingerprint).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('normaliseMessage', () => {
  it.each([
    ['UUIDs', 'session 550e8400-e29b-41d4-a716-446655440000 not found', 'session <uuid> not found'],
    ['hex ids', 'object 5f2b8c9d1e3a4b6c not found', 'object <n> not found'],
    ['all-digit hex ids and long numbers alike', 'object 12345678 at 0x7f3b2c1d0e50', 'object <n> at <n>'],
    ['hex-letter words stay', 'deadbeef cafebabe', 'deadbeef cafebabe'],
    ['short hex is a number or word', 'code abc1 failed', 'code abc<n> failed'],
    [
      'integers and decimals',
      'Limit 30000, Used 29000.5, Requested 1,500',
      'limit <n>, used <n>, requested <n>',
    ],
    [
      'signs and exponents',
      'offset -3 of 5e-324 or 3.7519864e-317 on gpt-4',
      'offset <n> of <n> or <n> on gpt-<n>',
    ],
    ['durations', 'Please try again in 6ms or 1m20.5s', 'please try again in <dur> or <dur>'],
    ['quoted values', 'Unknown tool \'search_web\' called with "q"', 'unknown tool <str> called with <str>'],
    ['apostrophes are not quotes', "model's limit can't be raised", "model's limit can't be raised"],
    ['URLs', 'see https://platform.openai.com/account/rate-limits?x=1 now', 'see <url> now'],
    ['emails', 'user jane.doe+ai@example.co.uk blocked', 'user <email> blocked'],
    ['ISO timestamps', 'expired at 2024-05-01T10:00:00.123Z (2024-05-01)', 'expired at <ts> (<ts>)'],
    ['request ids', 'request req_011CV8aBcD failed (chatcmpl-9xYz12AbC)', 'request <id> failed (<id>)'],
    [
      'masked keys',
      'Incorrect API key provided: sk-proj-********abcd.',
      'incorrect api key provided: <secret>.',
    ],
    ['random tokens', 'trace Xk29LmQp7RtZ8sVw3N failed', 'trace <id> failed'],
    ['HTTP statuses survive', 'Request failed with status code 404', 'request failed with status code 404'],
    ['leading HTTP statuses survive', '503 Service Unavailable', '503 service unavailable'],
    ['whitespace and case', '  Connection\n\tRESET   by Peer ', 'connection reset by peer'],
  ])('%s', (_name, input, expected) => {
    expect(normaliseMessage(input)).toBe(expected);
  });

  it('keeps JSON keys and message values but replaces other values', () => {
    expect(normaliseMessage('{"type":"invalid_request_error","message":"roles must alternate"}')).toBe(
      '{"type":<str>,"message":"roles must alternate"}',
    );
  });

  it('caps the result at 512 chars', () => {
    expect(normaliseMessage('word '.repeat(1000))).toHaveLength(512);
  });

  it('is idempotent on its own output', () => {
    const once = normaliseMessage("Rate limit reached for org-abc123: retry in 1.5s at https://x.y/z 'foo'");
    expect(normaliseMessage(once)).toBe(once);
  });
});

describe('topFrame', () => {
  it('takes the first user frame of a JS stack, without line/col, skipping node_modules and node:internal', () => {
    const stack = `Error: boom
    at OpenAI.makeRequest (/app/node_modules/openai/core.js:330:21)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)
    at async runAgent (file:///app/src/agent.mjs:42:17)
    at async main (/app/src/index.js:9:3)`;
    expect(topFrame(stack)).toBe('runAgent (/app/src/agent.mjs)');
  });

  it('falls back to a library frame when the stack has no user frame', () => {
    const stack = `Error: boom
    at new Promise (<anonymous>)
    at OpenAI.makeRequest (/app/node_modules/openai/core.js:330:21)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)`;
    expect(topFrame(stack)).toBe('OpenAI.makeRequest (/app/node_modules/openai/core.js)');
  });

  it('names anonymous JS frames', () => {
    expect(topFrame('Error: x\n    at /app/src/handler.js:12:7')).toBe('<anonymous> (/app/src/handler.js)');
  });

  it('reads eval frames', () => {
    expect(topFrame('Error: x\n    at eval (eval at compile (/app/src/tpl.js:3:9), <anonymous>:1:1)')).toBe(
      'eval (/app/src/tpl.js)',
    );
  });

  it('reads Firefox/Safari frames', () => {
    expect(topFrame('handleClick@https://app.example.com/static/main.js:120:15')).toBe(
      'handleClick (https://app.example.com/static/main.js)',
    );
  });

  it('takes the last user frame of a Python traceback', () => {
    expect(topFrame(PY_TRACEBACK_RATE_LIMIT)).toBe('call_model (/app/agent/llm.py)');
  });

  it('takes the last frame of a plain Python traceback', () => {
    const stack = `Traceback (most recent call last):
  File "x.py", line 3, in <module>
    main()
  File "x.py", line 1, in fn
    1 / 0
ZeroDivisionError: division by zero`;
    expect(topFrame(stack)).toBe('fn (x.py)');
  });

  it('uses the final traceback of a chained Python exception', () => {
    const stack = `Traceback (most recent call last):
  File "/app/tools.py", line 12, in lookup
    return table[key]
KeyError: 'city'

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File "/app/agent.py", line 30, in run_tool
    raise ToolError("lookup failed")
ToolError: lookup failed`;
    expect(topFrame(stack)).toBe('run_tool (/app/agent.py)');
  });

  it('falls back to the last library frame when a Python traceback has no user frame', () => {
    const stack = `Traceback (most recent call last):
  File "/usr/lib/python3.12/asyncio/runners.py", line 118, in run
    return self._loop.run_until_complete(task)
  File "/usr/local/lib/python3.12/site-packages/httpx/_transports/default.py", line 72, in map_httpcore_exceptions
    raise mapped_exc(message) from exc
httpx.ConnectError: [Errno 111] Connection refused`;
    expect(topFrame(stack)).toBe(
      'map_httpcore_exceptions (/usr/local/lib/python3.12/site-packages/httpx/_transports/default.py)',
    );
  });

  it('returns null when there is no frame', () => {
    expect(topFrame(null)).toBeNull();
    expect(topFrame('')).toBeNull();
    expect(topFrame('Error: no frames here')).toBeNull();
  });
});

describe('fingerprintError', () => {
  const jsStack = (line: number, col: number) => `Error: boom
    at OpenAI.makeRequest (/app/node_modules/openai/core.js:${line + 300}:21)
    at runAgent (/app/src/agent.js:${line}:${col})`;

  it('is a 16-char hex id', () => {
    expect(fingerprintError('boom', 'Error', null)).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is stable across ids, numbers, timestamps and line numbers', () => {
    const a = fingerprintError(
      "Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o in organization org-abc123 on tokens per min (TPM): Limit 30000, Used 29000, Requested 1500. Please try again in 1.0s.', 'type': 'tokens', 'code': 'rate_limit_exceeded'}} request_id=req_8f7a6b5c4d at 2024-05-01T10:00:00Z",
      'RateLimitError',
      jsStack(42, 17),
    );
    const b = fingerprintError(
      "Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o in organization org-zz9911 on tokens per min (TPM): Limit 30000, Used 29950, Requested 800. Please try again in 350ms.', 'type': 'tokens', 'code': 'rate_limit_exceeded'}} request_id=req_0a1b2c3d4e at 2025-01-09T23:59:59.999Z",
      'RateLimitError',
      jsStack(57, 3),
    );
    expect(a).toBe(b);
  });

  it('is stable across Python tracebacks that differ only in line numbers and ids', () => {
    const tb = (line: number, id: string) => `Traceback (most recent call last):
  File "/app/agent/llm.py", line ${line}, in call_model
    resp = client.messages.create(**kwargs)
  File "/usr/local/lib/python3.12/site-packages/anthropic/_base_client.py", line ${line * 10}, in request
    raise self._make_status_error_from_response(err.response) from None
anthropic.InternalServerError: Error code: 529 - {'type': 'error', 'error': {'type': 'overloaded_error', 'message': 'Overloaded'}, 'request_id': '${id}'}`;
    expect(fingerprintError(null, null, tb(41, 'req_011CVabc123'))).toBe(
      fingerprintError(null, null, tb(47, 'req_011CVxyz789')),
    );
  });

  it('differs for different messages', () => {
    expect(fingerprintError('socket hang up', 'Error', jsStack(1, 1))).not.toBe(
      fingerprintError('read ECONNRESET', 'Error', jsStack(1, 1)),
    );
    expect(fingerprintError('{"message":"roles must alternate"}', 'BadRequestError', null)).not.toBe(
      fingerprintError('{"message":"tools must be an array"}', 'BadRequestError', null),
    );
  });

  it('differs for different top frames', () => {
    const other = jsStack(42, 17).replace('runAgent (/app/src/agent.js', 'planStep (/app/src/planner.js');
    expect(fingerprintError('boom', 'Error', jsStack(42, 17))).not.toBe(
      fingerprintError('boom', 'Error', other),
    );
  });

  it('differs for different types', () => {
    expect(fingerprintError('boom', 'TypeError', null)).not.toBe(
      fingerprintError('boom', 'RangeError', null),
    );
  });

  it('differs for different HTTP statuses', () => {
    expect(fingerprintError('Request failed with status code 404', 'AxiosError', null)).not.toBe(
      fingerprintError('Request failed with status code 500', 'AxiosError', null),
    );
  });

  it('is stable for any ids and counts (property)', () => {
    const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 12, maxLength: 24 });
    const occurrence = fc.record({
      uuid: fc.uuid(),
      n: fc.nat(),
      used: fc.double({ min: 0, max: 1e6, noNaN: true }),
      hex,
      line: fc.integer({ min: 1, max: 99_999 }),
    });
    const render = (o: { uuid: string; n: number; used: number; hex: string; line: number }) =>
      fingerprintError(
        `Run ${o.uuid} failed: used ${o.used} of ${o.n} tokens (span ${o.hex}1)`,
        'AgentError',
        `AgentError: x\n    at step (/app/src/run.ts:${o.line}:${o.line % 80})`,
      );
    fc.assert(fc.property(occurrence, occurrence, (a, b) => render(a) === render(b)));
  });

  it('treats an empty message like the stack headline it falls back to', () => {
    const stack = 'TypeError: fetch failed\n    at run (/app/a.js:3:1)';
    expect(fingerprintError('', null, stack)).toBe(fingerprintError('TypeError: fetch failed', null, stack));
  });
});
