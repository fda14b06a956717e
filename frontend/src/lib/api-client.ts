import type { z } from 'zod';
import type * as A from '../../../contracts/alerts';
import type * as Q from '../../../contracts/query-api';

/**
 * The one typed client of the query API. Requests and answers are typed from contracts/query-api.ts;
 * in dev and tests every answer is also checked against its zod schema (loaded lazily, so production
 * bundles do not carry the schemas on the first load).
 */

type In<S extends z.ZodType> = z.input<S>;
export type AggregateParams = In<typeof Q.aggregateQuery>;
export type SeriesParams = In<typeof Q.seriesQuery>;
export type BreakdownParams = In<typeof Q.breakdownQuery>;
export type CostModelsParams = In<typeof Q.costModelsQuery>;
export type QualityParams = In<typeof Q.qualityQuery>;
export type CompareParams = In<typeof Q.compareQuery>;
export type SessionListParams = In<typeof Q.sessionListQuery>;
export type SessionListExportParams = Omit<In<typeof Q.sessionListExportQuery>, 'format'>;
export type TopSessionsParams = In<typeof Q.topSessionsQuery>;
export type ErrorGroupsParams = In<typeof Q.errorGroupsQuery>;
export type AgentsSummaryParams = In<typeof Q.agentsSummaryQuery>;
export type BaselineListParams = In<typeof A.baselineListQuery>;
export type BaselineSeriesParams = In<typeof A.baselineSeriesQuery>;
export type BaselineStatusParams = In<typeof A.baselineStatusQuery>;
export type IncidentListParams = Omit<In<typeof A.incidentListQuery>, 'limit'> & { limit?: number };
type Out<S extends z.ZodType> = z.output<S>;
export type BaselineListResponse = Out<typeof A.baselineListResponse>;
export type IncidentListResponse = Out<typeof A.incidentListResponse>;
export type AlertRuleListResponse = { rules: A.AlertRuleView[] };
export type RulePreviewResponse = Out<typeof A.rulePreviewResponse>;
export type ChannelListResponse = { channels: A.ChannelView[] };
export type ChannelTestResponse = Out<typeof A.channelTestResponse>;

export interface AgentsResponse {
  agents: Array<{ agent_id: string; created_at: string }>;
}

/** Names of the response schemas in contracts/query-api.ts that answers are validated against. */
type SchemaName =
  | 'agentsSummaryResponse'
  | 'overviewResponse'
  | 'costSeriesResponse'
  | 'costModelsResponse'
  | 'percentilesResponse'
  | 'breakdownResponse'
  | 'latencyResponse'
  | 'errorSeriesResponse'
  | 'errorGroupsResponse'
  | 'qualityResponse'
  | 'compareResponse'
  | 'topSessionsResponse'
  | 'sessionListResponse'
  | 'sessionDetailResponse'
  | 'pricesResponse';

/** A failed call: HTTP status, the API's error kind and the field it names, when it gave them. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly kind: string | null = null,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** 401: the key is missing, wrong or revoked; the app asks for a key again. */
export class UnauthorizedError extends ApiError {
  constructor(message: string) {
    super(message, 401, 'auth');
    this.name = 'UnauthorizedError';
  }
}

/** The answer did not match the contract (dev/test only): a bug on one side of the API. */
export class ContractError extends Error {
  constructor(
    readonly schema: string,
    message: string,
  ) {
    super(`${schema}: ${message}`);
    this.name = 'ContractError';
  }
}

export interface ApiClientOptions {
  /** '' for same origin, else the API's URL (from config.json). */
  baseUrl: string;
  /** The API key, sent as `Authorization: Api-Key <key>`. */
  getKey?: () => string | null;
  /**
   * The whole Authorization header value (e.g. `Bearer <JWT>`), possibly after refreshing tokens;
   * used instead of getKey when given.
   */
  getAuthorization?: () => Promise<string | null>;
  /**
   * After a 401 for a request sent with `refused` (its Authorization header): resolve true when the
   * credentials were renewed; the request is then retried once.
   */
  renew?: (refused: string) => Promise<boolean>;
  fetch?: typeof fetch;
  /** Check answers against the zod schemas. @default import.meta.env.DEV */
  validate?: boolean;
  /** Called once per 401 before the error is thrown. */
  onUnauthorized?: () => void;
}

export interface Download {
  blob: Blob;
  filename: string;
}

type Params = Record<string, string | number | boolean | null | undefined>;

/** Builds `?a=1&b=2`, dropping empty values; keys keep a stable order for cache keys. */
export function toQueryString(params: Params | undefined): string {
  if (!params) return '';
  const sp = new URLSearchParams();
  for (const k of Object.keys(params).sort()) {
    const v = params[k];
    if (v === undefined || v === null || v === '') continue;
    sp.set(k, String(v));
  }
  const s = sp.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

let schemas: Promise<typeof Q> | null = null;
const loadSchemas = () => {
  schemas ??= import('../../../contracts/query-api');
  return schemas;
};

export function createApiClient(options: ApiClientOptions) {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const validate = options.validate ?? import.meta.env.DEV;

  async function request(
    path: string,
    params: Params | undefined,
    signal?: AbortSignal,
    change?: { method: 'POST' | 'PUT' | 'DELETE'; body?: unknown },
  ): Promise<Response> {
    const { res, auth } = await attempt(path, params, signal, change);
    if (res.status === 401 && options.renew && (await options.renew(auth))) {
      return check((await attempt(path, params, signal, change)).res);
    }
    return check(res);
  }

  async function authorization(): Promise<string | null> {
    if (options.getAuthorization) return options.getAuthorization();
    const key = options.getKey?.();
    return key ? `Api-Key ${key}` : null;
  }

  async function attempt(
    path: string,
    params: Params | undefined,
    signal?: AbortSignal,
    change?: { method: 'POST' | 'PUT' | 'DELETE'; body?: unknown },
  ): Promise<{ res: Response; auth: string }> {
    const auth = await authorization();
    if (!auth) {
      options.onUnauthorized?.();
      throw new UnauthorizedError(options.getAuthorization ? 'sign in first' : 'an API key is needed');
    }
    try {
      const res = await doFetch(`${options.baseUrl}${path}${toQueryString(params)}`, {
        method: change?.method ?? 'GET',
        headers: {
          authorization: auth,
          accept: 'application/json',
          ...(change?.body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: change?.body === undefined ? undefined : JSON.stringify(change.body),
        signal,
      });
      return { res, auth };
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new ApiError(`cannot reach the API (${(e as Error).message})`, 0, 'network');
    }
  }

  async function check(res: Response): Promise<Response> {
    if (res.ok) return res;
    let detail = `HTTP ${res.status}`;
    let kind: string | null = null;
    let field: string | null = null;
    try {
      const body = (await res.json()) as { detail?: unknown; error?: unknown; field?: unknown };
      if (typeof body.detail === 'string') detail = body.detail;
      if (typeof body.error === 'string') kind = body.error;
      if (typeof body.field === 'string') field = body.field;
    } catch {
      // not a JSON error body
    }
    if (res.status === 401) {
      options.onUnauthorized?.();
      throw new UnauthorizedError(detail);
    }
    throw new ApiError(detail, res.status, kind, field);
  }

  async function get<T>(
    path: string,
    params: Params | undefined,
    schema: SchemaName | null,
    signal?: AbortSignal,
  ): Promise<T> {
    const res = await request(path, params, signal);
    const body: unknown = await res.json();
    if (validate && schema) {
      const mod = await loadSchemas();
      const parsed = mod[schema].safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ContractError(
          schema,
          `${issue?.path.join('.') || '(body)'}: ${issue?.message ?? 'invalid'}`,
        );
      }
    }
    return body as T;
  }

  /** A change (POST/PUT/DELETE) with a JSON body; answers are not schema-checked. */
  async function send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const res = await request(path, undefined, undefined, { method, body });
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  async function download(path: string, params: Params, fallbackName: string): Promise<Download> {
    const res = await request(path, params);
    const disposition = res.headers.get('content-disposition') ?? '';
    const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
    const type = res.headers.get('content-type') ?? 'application/octet-stream';
    const blob = new Blob([await res.arrayBuffer()], { type });
    return { blob, filename };
  }

  const agentPath = (agentId: string) => `/api/agents/${enc(agentId)}`;

  return {
    agents: (signal?: AbortSignal) => get<AgentsResponse>('/api/agents', undefined, null, signal),
    agentsSummary: (p: AgentsSummaryParams, signal?: AbortSignal) =>
      get<Q.AgentsSummaryResponse>('/api/agents/summary', p, 'agentsSummaryResponse', signal),
    prices: (signal?: AbortSignal) =>
      get<Q.PricesResponse>('/api/prices', undefined, 'pricesResponse', signal),
    overview: (agentId: string, p: AggregateParams, signal?: AbortSignal) =>
      get<Q.OverviewResponse>(`${agentPath(agentId)}/overview`, p, 'overviewResponse', signal),
    costSeries: (agentId: string, p: SeriesParams, signal?: AbortSignal) =>
      get<Q.CostSeriesResponse>(`${agentPath(agentId)}/cost/series`, p, 'costSeriesResponse', signal),
    costModels: (agentId: string, p: CostModelsParams, signal?: AbortSignal) =>
      get<Q.CostModelsResponse>(`${agentPath(agentId)}/cost/models`, p, 'costModelsResponse', signal),
    percentiles: (agentId: string, p: AggregateParams, signal?: AbortSignal) =>
      get<Q.PercentilesResponse>(`${agentPath(agentId)}/percentiles`, p, 'percentilesResponse', signal),
    breakdown: (agentId: string, p: BreakdownParams, signal?: AbortSignal) =>
      get<Q.BreakdownResponse>(`${agentPath(agentId)}/breakdown`, p, 'breakdownResponse', signal),
    latency: (agentId: string, p: SeriesParams, signal?: AbortSignal) =>
      get<Q.LatencyResponse>(`${agentPath(agentId)}/latency`, p, 'latencyResponse', signal),
    errorSeries: (agentId: string, p: SeriesParams, signal?: AbortSignal) =>
      get<Q.ErrorSeriesResponse>(`${agentPath(agentId)}/errors/series`, p, 'errorSeriesResponse', signal),
    errorGroups: (agentId: string, p: ErrorGroupsParams, signal?: AbortSignal) =>
      get<Q.ErrorGroupsResponse>(`${agentPath(agentId)}/errors/groups`, p, 'errorGroupsResponse', signal),
    quality: (agentId: string, p: QualityParams, signal?: AbortSignal) =>
      get<Q.QualityResponse>(`${agentPath(agentId)}/quality`, p, 'qualityResponse', signal),
    compare: (agentId: string, p: CompareParams, signal?: AbortSignal) =>
      get<Q.CompareResponse>(`${agentPath(agentId)}/compare`, p, 'compareResponse', signal),
    topSessions: (agentId: string, p: TopSessionsParams, signal?: AbortSignal) =>
      get<Q.TopSessionsResponse>(`${agentPath(agentId)}/sessions/top`, p, 'topSessionsResponse', signal),
    sessions: (agentId: string, p: SessionListParams, signal?: AbortSignal) =>
      get<Q.SessionListResponse>(`${agentPath(agentId)}/sessions`, p, 'sessionListResponse', signal),
    session: (agentId: string, sessionId: string, signal?: AbortSignal) =>
      get<Q.SessionDetailResponse>(
        `${agentPath(agentId)}/sessions/${enc(sessionId)}`,
        undefined,
        'sessionDetailResponse',
        signal,
      ),
    exportSession: (agentId: string, sessionId: string, format: 'json' | 'csv') =>
      download(
        `${agentPath(agentId)}/sessions/${enc(sessionId)}/export`,
        { format },
        `${sessionId}.${format}`,
      ),
    baselines: (agentId: string, p: BaselineListParams, signal?: AbortSignal) =>
      get<BaselineListResponse>(`${agentPath(agentId)}/baselines`, p, null, signal),
    baselineSeries: (agentId: string, p: BaselineSeriesParams, signal?: AbortSignal) =>
      get<A.BaselineSeriesResponse>(`${agentPath(agentId)}/baselines/series`, p, null, signal),
    baselineStatus: (agentId: string, p: BaselineStatusParams, signal?: AbortSignal) =>
      get<A.BaselineStatusResponse>(`${agentPath(agentId)}/baselines/status`, p, null, signal),
    incidents: (agentId: string, p: IncidentListParams, signal?: AbortSignal) =>
      get<IncidentListResponse>(`${agentPath(agentId)}/incidents`, p, null, signal),
    incident: (agentId: string, incidentId: string, signal?: AbortSignal) =>
      get<A.IncidentDetailResponse>(
        `${agentPath(agentId)}/incidents/${enc(incidentId)}`,
        undefined,
        null,
        signal,
      ),
    /** Open incidents of every agent the key can read (for badges on the agents list and tabs). */
    openIncidents: (signal?: AbortSignal) =>
      get<IncidentListResponse>('/api/incidents', { status: 'open', limit: 200 }, null, signal),
    acknowledgeIncident: (agentId: string, incidentId: string, body: { note?: string }) =>
      send<A.IncidentView>('POST', `${agentPath(agentId)}/incidents/${enc(incidentId)}/acknowledge`, body),
    resolveIncident: (agentId: string, incidentId: string, body: { note?: string }) =>
      send<A.IncidentView>('POST', `${agentPath(agentId)}/incidents/${enc(incidentId)}/resolve`, body),
    alertRules: (signal?: AbortSignal) =>
      get<AlertRuleListResponse>('/api/alert-rules', undefined, null, signal),
    previewAlertRule: (body: unknown) => send<RulePreviewResponse>('POST', '/api/alert-rules/preview', body),
    createAlertRule: (body: unknown) => send<A.AlertRuleView>('POST', '/api/alert-rules', body),
    updateAlertRule: (ruleId: string, body: unknown) =>
      send<A.AlertRuleView>('PUT', `/api/alert-rules/${enc(ruleId)}`, body),
    deleteAlertRule: (ruleId: string) => send<void>('DELETE', `/api/alert-rules/${enc(ruleId)}`),
    channels: (signal?: AbortSignal) => get<ChannelListResponse>('/api/channels', undefined, null, signal),
    createChannel: (body: unknown) => send<A.ChannelView>('POST', '/api/channels', body),
    updateChannel: (channelId: string, body: unknown) =>
      send<A.ChannelView>('PUT', `/api/channels/${enc(channelId)}`, body),
    deleteChannel: (channelId: string) => send<void>('DELETE', `/api/channels/${enc(channelId)}`),
    testChannel: (channelId: string) =>
      send<ChannelTestResponse>('POST', `/api/channels/${enc(channelId)}/test`, {}),
    exportSessions: (agentId: string, p: SessionListExportParams, format: 'json' | 'csv') =>
      download(`${agentPath(agentId)}/sessions/export`, { ...p, format }, `${agentId}-sessions.${format}`),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
