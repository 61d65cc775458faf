import { type ReactNode, useId } from 'react';

import { characterCount } from '../api/limits.ts';

export interface MessageFieldProps {
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  /** The contract's maxLength for this field (code points). */
  readonly maxChars: number;
  readonly placeholder?: string;
}

/** A labelled textarea with its character counter, which says how many are left or how many over. */
export function MessageField({ label, value, onChange, maxChars, placeholder }: MessageFieldProps): ReactNode {
  const fieldId = useId();
  const counterId = useId();
  const left = maxChars - characterCount(value);
  return (
    <div className="field">
      <label htmlFor={fieldId}>{label}</label>
      <textarea
        id={fieldId}
        value={value}
        placeholder={placeholder}
        aria-describedby={counterId}
        aria-invalid={left < 0}
        rows={3}
        onChange={(event): void => onChange(event.target.value)}
      />
      <p id={counterId} className={left < 0 ? 'counter over' : 'counter'} aria-live="polite">
        {left < 0 ? `${-left} characters over the limit of ${maxChars}` : `${left} characters left`}
      </p>
    </div>
  );
}
