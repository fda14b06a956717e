/** One option of a select: the value it sets and the words it shows. */
export interface Choice {
  value: string;
  label: string;
}

/** Choices from a list of values and their labels, in the list's order. */
export function choicesOf<V extends string>(values: readonly V[], labels: Record<V, string>): Choice[] {
  return values.map((value) => ({ value, label: labels[value] }));
}

/** A select with its visible label beside it, as the filter bars show them. */
export function SelectLabel({
  label,
  ariaLabel = label,
  value,
  onChange,
  choices,
}: {
  label: string;
  /** The accessible name when it says more than the visible label. */
  ariaLabel?: string;
  value: string;
  onChange: (value: string) => void;
  choices: readonly Choice[];
}) {
  return (
    <label className="select-label">
      {label}
      <select aria-label={ariaLabel} value={value} onChange={(e) => onChange(e.target.value)}>
        {choices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}
