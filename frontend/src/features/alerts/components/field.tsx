import { type ReactNode, useId } from 'react';

export interface ControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: boolean;
}

/** A labelled form control with the error (client check or the API's 400) right beside it. */
export function Field({
  label,
  name,
  error,
  hint,
  children,
}: {
  label: string;
  name: string;
  error?: string;
  hint?: ReactNode;
  children: (control: ControlProps) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className={`form-field${error ? ' has-error' : ''}`} data-field={name}>
      <label htmlFor={id} className="form-label">
        {label}
      </label>
      {children({ id, ...(error ? { 'aria-describedby': errorId, 'aria-invalid': true } : {}) })}
      {hint && <span className="muted small">{hint}</span>}
      {error && (
        <span className="field-error" role="alert" id={errorId} data-error-for={name}>
          {error}
        </span>
      )}
    </div>
  );
}
