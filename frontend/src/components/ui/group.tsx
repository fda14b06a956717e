import type { ReactNode } from 'react';

/** A labelled group of controls (a fieldset, so assistive tech announces the label). */
export function Group({
  label,
  className,
  children,
}: {
  label: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <fieldset className={`plain ${className ?? ''}`}>
      <legend className="sr-only">{label}</legend>
      {children}
    </fieldset>
  );
}
