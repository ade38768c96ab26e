// Labelled fields of a filter bar (runs, security): one markup, the same `name`s the tests and URLs use.

/** A select whose first choice is "any" (value ''), then each choice: a value, or [value, label]. */
export function SelectFilter(p: {
  label: string;
  name: string;
  value: string;
  choices: (string | [string, string])[];
  onChange: (value: string) => void;
}) {
  return (
    <label>
      {p.label}
      <select name={p.name} value={p.value} onChange={(e) => p.onChange(e.currentTarget.value)}>
        <option value="">any</option>
        {p.choices.map((c) => {
          const [value, label] = typeof c === 'string' ? [c, c] : c;
          return (
            <option key={value} value={value}>
              {label}
            </option>
          );
        })}
      </select>
    </label>
  );
}

/** A date input (YYYY-MM-DD). */
export function DateFilter(p: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <label>
      {p.label}
      <input name={p.name} type="date" value={p.value} onChange={(e) => p.onChange(e.currentTarget.value)} />
    </label>
  );
}
