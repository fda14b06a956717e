import type { ReactNode } from 'react';
import type { Tone } from '../../lib/change';

export function Panel({
  title,
  subtitle,
  actions,
  children,
  id,
}: {
  title: string;
  subtitle?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  id?: string;
}) {
  return (
    <section className="panel" aria-label={title} data-panel={id}>
      <header className="panel-header">
        <div>
          <h2>{title}</h2>
          {subtitle && <p className="muted">{subtitle}</p>}
        </div>
        {actions && <div className="panel-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

export type { Tone };

export interface StatCardProps {
  label: string;
  value: string;
  /** e.g. "+12%" against the previous period. */
  change?: string | null;
  tone?: Tone;
  detail?: ReactNode;
  hint?: string;
}

export function StatCard({ label, value, change, tone = 'neutral', detail, hint }: StatCardProps) {
  return (
    <div className="stat-card" data-stat={label} title={hint}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {change && <div className={`stat-change tone-${tone}`}>{change}</div>}
      {detail && <div className="stat-detail muted">{detail}</div>}
    </div>
  );
}

export function CardGrid({ children }: { children: ReactNode }) {
  return <div className="card-grid">{children}</div>;
}
