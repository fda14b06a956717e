import { type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, useState } from 'react';
import { ApiError } from '../../../lib/api-client';
import { describeChangeError } from '../api/use-alerts';
import type { FieldErrors } from '../lib/rule-form';
import { Field } from './field';

/**
 * The pieces the rule editor, the channel editor and the lists of rules and channels share: bound
 * fields, the form-wide error, the save/cancel row, the two-step delete and the check-then-send submit.
 */

interface FieldFrame {
  label: string;
  name: string;
  error?: string;
  hint?: ReactNode;
}

/** The label, name, error and hint for `Field`; the rest for the control. */
function splitFrame<P extends FieldFrame>({ label, name, error, hint, ...control }: P) {
  return [{ label, name, error, hint }, control] as const;
}

/**
 * `bind('name')` gives a field its name, its error and the form's value with a setter, so each field
 * says only what is its own.
 */
export function formBinder<F extends object>(
  form: F,
  set: (patch: Partial<F>) => void,
  errors: Partial<Record<string, string>>,
) {
  return <K extends keyof F & string>(name: K) => ({
    name,
    error: errors[name],
    value: form[name],
    onChange: (value: F[K]) => set({ [name]: value } as unknown as Partial<F>),
  });
}

type InputRest = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'name' | 'value' | 'onChange' | 'type'>;

/** A text input bound to one form value. */
export function InputField(
  props: FieldFrame & InputRest & { value: string; onChange: (value: string) => void; type?: 'password' },
) {
  const [frame, { value, onChange, ...rest }] = splitFrame(props);
  return (
    <Field {...frame}>
      {(p) => <input {...p} {...rest} value={value} onChange={(e) => onChange(e.target.value)} />}
    </Field>
  );
}

/** A checkbox bound to one form flag. */
export function CheckboxField(props: FieldFrame & { value: boolean; onChange: (checked: boolean) => void }) {
  const [frame, { value, onChange }] = splitFrame(props);
  return (
    <Field {...frame}>
      {(p) => <input {...p} type="checkbox" checked={value} onChange={(e) => onChange(e.target.checked)} />}
    </Field>
  );
}

type SelectRest = Omit<
  SelectHTMLAttributes<HTMLSelectElement>,
  'id' | 'name' | 'value' | 'onChange' | 'multiple'
>;

/** A single-choice select bound to one form value; options are values, labelled by `labels` if given. */
export function SelectField<V extends string>(
  props: FieldFrame &
    SelectRest & {
      value: V;
      onChange: (value: V) => void;
      options: readonly V[];
      labels?: Partial<Record<V, string>>;
    },
) {
  const [frame, { value, onChange, options, labels, ...rest }] = splitFrame(props);
  return (
    <Field {...frame}>
      {(p) => (
        <select {...p} {...rest} value={value} onChange={(e) => onChange(e.target.value as V)}>
          {options.map((o) => (
            <option key={o} value={o}>
              {labels?.[o] ?? o}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

/** A form that checks itself (noValidate): its fields in a grid, the form-wide error, then its buttons. */
export function EditorForm({
  className,
  label,
  onSubmit,
  error,
  actions,
  children,
  after,
}: {
  className: string;
  label: string;
  onSubmit: () => void;
  error?: string;
  actions: ReactNode;
  children: ReactNode;
  after?: ReactNode;
}) {
  return (
    <form
      className={className}
      aria-label={label}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <div className="form-grid">{children}</div>
      <FormError error={error} />
      {actions}
      {after}
    </form>
  );
}

/** The error that belongs to no single field (the API's answer, a refused key …). */
export function FormError({ error }: { error?: string }) {
  if (!error) return null;
  return (
    <p className="field-error" role="alert" data-error-for="form">
      {error}
    </p>
  );
}

/** Submit, any extra buttons, then Cancel. */
export function FormActions({
  submit,
  disabled,
  onCancel,
  children,
}: {
  submit: string;
  disabled: boolean;
  onCancel: () => void;
  children?: ReactNode;
}) {
  return (
    <div className="row-gap">
      <button type="submit" disabled={disabled}>
        {submit}
      </button>
      {children}
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** Edit, then Delete that asks once more ("Confirm delete" / "Keep") before it deletes. */
export function EditDeleteButtons({
  rowId,
  asking,
  onEdit,
  onDelete,
}: {
  rowId: string;
  /** The list's `useRowDelete` state: which row is asking. */
  asking: { confirming: string | null; setConfirming: (id: string | null) => void };
  onEdit: () => void;
  onDelete: () => void;
}) {
  return (
    <>
      <button type="button" onClick={onEdit}>
        Edit
      </button>
      {asking.confirming === rowId ? (
        <>
          <button type="button" className="danger" onClick={onDelete}>
            Confirm delete
          </button>
          <button type="button" onClick={() => asking.setConfirming(null)}>
            Keep
          </button>
        </>
      ) : (
        <button type="button" onClick={() => asking.setConfirming(rowId)}>
          Delete
        </button>
      )}
    </>
  );
}

/** What a two-step delete of one row out of a list keeps: which row asks, and what the last try said. */
export function useRowDelete<T>(
  del: (item: T) => Promise<unknown>,
  done: { ok: (item: T) => void; failed: (item: T, text: string) => void },
) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const remove = (item: T) =>
    del(item).then(
      () => {
        setConfirming(null);
        done.ok(item);
      },
      (e: Error) => {
        setConfirming(null);
        done.failed(item, describeChangeError(e));
      },
    );
  return { confirming, setConfirming, remove };
}

export type SubmitOutcome = 'invalid' | 'failed' | 'done';

/**
 * Client checks first (the contract's schema); then the server, whose 400 names the field: its message
 * goes beside that field, any other failure beside the whole form.
 */
export function useCheckedSubmit<K extends string, B extends string>(fieldOf: (path: string | null) => K) {
  const [errors, setErrors] = useState<FieldErrors<K>>({});
  const [busy, setBusy] = useState<B | null>(null);
  const submit = async (
    kind: B,
    found: FieldErrors<K>,
    send: () => Promise<void>,
  ): Promise<SubmitOutcome> => {
    setErrors(found);
    if (Object.keys(found).length > 0) return 'invalid';
    setBusy(kind);
    try {
      await send();
      return 'done';
    } catch (e) {
      const err = e as Error;
      const field = err instanceof ApiError && err.status === 400 ? fieldOf(err.field) : 'form';
      setErrors({ [field]: field === 'form' ? describeChangeError(err) : err.message } as FieldErrors<K>);
      return 'failed';
    } finally {
      setBusy(null);
    }
  };
  return { errors, busy, submit };
}

/** Which item a list's editor is open for: none (closed), a new one, or an existing one. */
export function useEditing<T>(idOf: (item: T) => string) {
  const [editing, setEditing] = useState<{ item: T | null } | null>(null);
  const item = editing?.item ?? null;
  return {
    isOpen: editing !== null,
    item,
    /** Another item gets a fresh editor (and form). */
    key: item ? idOf(item) : 'new',
    edit: (next: T) => setEditing({ item: next }),
    close: () => setEditing(null),
    /** The panel's "New …" button, shown while no editor is open. */
    newButton: (label: string) =>
      editing === null && (
        <button type="button" onClick={() => setEditing({ item: null })}>
          {label}
        </button>
      ),
  };
}
