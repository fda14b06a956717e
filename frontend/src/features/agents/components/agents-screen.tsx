import { Panel } from '../../../components/ui/card';
import { Link } from '../../../components/ui/link';
import { Async, Empty } from '../../../components/ui/states';
import { DataTable, num } from '../../../components/ui/table';
import { formatWindow } from '../../../lib/format';
import { viewHref } from '../../../lib/routes';
import { OpenIncidentsBadge, useOpenIncidents } from '../../incidents-summary/open-incidents';
import { useAgentsSummary } from '../api/use-agents-summary';
import { prepareAgentRows } from '../lib/prepare-agents';

/** "Which agents do I run, and which one needs a look?" — the last 24 h per agent. */
export function AgentsScreen() {
  const state = useAgentsSummary();
  const open = useOpenIncidents();
  return (
    <main className="page">
      <h1>Agents</h1>
      <Panel
        title="Last 24 hours"
        subtitle={
          state.data ? `${formatWindow(state.data.window)} · change against the 24 h before` : undefined
        }
        id="agents"
      >
        <Async
          state={state}
          isEmpty={(d) => d.agents.length === 0}
          empty={
            <Empty title="No agents have sent data yet">
              Send traffic with a Lucidic SDK, OpenTelemetry or the batch API — or fill this store with a
              month of demo traffic: <code>npm start -- --demo</code> (or <code>npm run demo</code> beside a
              running Vigil).
            </Empty>
          }
        >
          {(data) => (
            <DataTable
              label="Agents"
              className="table-click"
              columns={['Agent', num('Sessions'), num('Cost'), num('Error rate'), '']}
            >
              {prepareAgentRows(data).map((r) => {
                const href = viewHref('', r.agentId, 'overview');
                return (
                  <tr key={r.agentId} data-agent={r.agentId}>
                    <td>
                      <Link href={href} className="strong">
                        {r.agentId}
                      </Link>
                      <OpenIncidentsBadge count={open?.get(r.agentId)} agentId={r.agentId} />
                    </td>
                    <td className="num">
                      {r.sessions} <Change text={r.sessionsChange} tone="neutral" />
                    </td>
                    <td className="num">
                      {r.cost} <Change text={r.costChange} tone={r.costTone} />
                    </td>
                    <td className="num">
                      {r.errorRate} <Change text={r.errorRateChange} tone={r.errorTone} />
                    </td>
                    <td className="num">
                      <Link href={href}>Production →</Link>
                    </td>
                  </tr>
                );
              })}
            </DataTable>
          )}
        </Async>
      </Panel>
    </main>
  );
}

function Change({ text, tone }: { text: string | null; tone: string }) {
  if (!text) return null;
  return <span className={`change tone-${tone}`}>{text}</span>;
}
