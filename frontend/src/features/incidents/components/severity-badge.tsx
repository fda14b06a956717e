/** warning / critical as a coloured badge; null (a normal reading) as a plain one. */
export function SeverityBadge({ severity }: { severity: 'warning' | 'critical' | null }) {
  if (!severity) return <span className="badge">normal</span>;
  return <span className={`badge severity-${severity}`}>{severity}</span>;
}
