import { type ApiClient, ApiError, UnauthorizedError } from '../../../lib/api-client';
import type { Incident } from '../lib/prepare-incidents';

/**
 * Manual acknowledge and resolve: `POST /api/agents/{agent_id}/incidents/{incident_id}/acknowledge`
 * and `…/resolve` with `{note?}`, admin scope, answering the updated incident.
 */
export interface IncidentActionBody {
  note?: string;
}

export type IncidentAction = 'acknowledge' | 'resolve';

export function runIncidentAction(
  client: ApiClient,
  action: IncidentAction,
  agentId: string,
  incidentId: string,
  note: string,
): Promise<Incident> {
  const body: IncidentActionBody = note.trim() ? { note: note.trim() } : {};
  const call =
    action === 'acknowledge'
      ? client.acknowledgeIncident(agentId, incidentId, body)
      : client.resolveIncident(agentId, incidentId, body);
  return call as Promise<Incident>;
}

/** A sentence for a failed acknowledge/resolve: a missing endpoint and a read-only key are explained. */
export function describeActionError(action: IncidentAction, error: Error): string {
  const verb = action === 'acknowledge' ? 'acknowledge' : 'resolve';
  if (error instanceof UnauthorizedError) return 'The API key was refused (401).';
  if (error instanceof ApiError) {
    if (error.status === 403)
      return `This API key cannot ${verb} incidents: changes need a key with the admin scope (403: ${error.message}).`;
    // A missing route (an API from before manual acknowledge/resolve) is not a missing incident.
    if ((error.status === 404 && /^no route/.test(error.message)) || error.status === 405)
      return `This Vigil API cannot ${verb} incidents by hand yet (HTTP ${error.status}: ${error.message}).`;
    if (error.status === 404) return `Not found: ${error.message}`;
    if (error.status === 409) return `Cannot ${verb}: ${error.message}`;
    return `Could not ${verb}: ${error.message}`;
  }
  return `Could not ${verb}: ${error.message}`;
}
