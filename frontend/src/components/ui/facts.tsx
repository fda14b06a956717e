import type { ReactNode } from 'react';

/** One term of a `dl.facts` list; `id` becomes `data-fact` for tests. */
export function Fact({ label, id, children }: { label: string; id?: string; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd data-fact={id}>{children}</dd>
    </div>
  );
}
