import type { ReactNode } from 'react';

/** A column heading; `num` right-aligns it with its numbers. An empty label heads a column of buttons. */
export type Column = string | { label: string; num?: boolean };

/** The dashboard's table: a labelled `table` with one header row; the caller gives the body. */
export function DataTable({
  label,
  columns,
  className,
  children,
}: {
  label: string;
  columns: readonly Column[];
  className?: string;
  /** The `tbody` rows. */
  children: ReactNode;
}) {
  return (
    <table className={className ? `table ${className}` : 'table'} aria-label={label}>
      <thead>
        <tr>
          {columns.map((c, n) => {
            const col = typeof c === 'string' ? { label: c } : c;
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: columns are fixed and may share an empty label
              <th key={n} className={col.num ? 'num' : undefined}>
                {col.label || null}
              </th>
            );
          })}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** A right-aligned (number) column heading. */
export const num = (label: string): Column => ({ label, num: true });
