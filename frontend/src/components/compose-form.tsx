import { type SubmitEvent, type ReactNode, useState } from 'react';

import type { Outcome } from '../api/errors.ts';
import { MessageField } from './message-field.tsx';
import { ErrorNotice } from './status.tsx';

export interface ComposeFormProps<T> {
  /** The form's accessible name. */
  readonly name: string;
  /** The textarea's label. */
  readonly label: string;
  /** The submit button's name (and text). */
  readonly action: string;
  readonly maxChars: number;
  readonly placeholder?: string;
  /** Sends the message; the server judges it (a 422 comes back as a sentence). */
  readonly send: (message: string) => Promise<Outcome<T>>;
  readonly onSent: (sent: T) => void;
  /** More fields between the textarea and the button (the crud form's expiry). */
  readonly children?: ReactNode;
}

/** The crud, reply and message forms: a message with its counter, a button, the server's verdict. */
export function ComposeForm<T>({ name, label, action, maxChars, placeholder, send, onSent, children }: ComposeFormProps<T>): ReactNode {
  const [message, setMessage] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [sending, setSending] = useState(false);

  const submit = async (event: SubmitEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    setSending(true);
    setProblem(undefined);
    const outcome = await send(message);
    setSending(false);
    if (outcome.ok) {
      setMessage('');
      onSent(outcome.data);
    } else {
      setProblem(outcome.problem);
    }
  };

  return (
    <form className="compose" aria-label={name} onSubmit={(event): void => void submit(event)}>
      <MessageField label={label} value={message} onChange={setMessage} maxChars={maxChars} placeholder={placeholder} />
      {children}
      <div className="actions">
        <button type="submit" disabled={sending}>
          {action}
        </button>
      </div>
      {problem === undefined ? null : <ErrorNotice problem={problem} />}
    </form>
  );
}
