import { type ReactNode, useId, useState } from 'react';

import type { Activity } from '../api/client.ts';
import { useApi } from '../api/use-api.ts';
import { settle } from '../api/errors.ts';
import { DEFAULT_TTL, MAX_ACTIVITY_CHARS, TTL_CHOICES, type Ttl } from '../api/limits.ts';
import { ComposeForm } from './compose-form.tsx';

function isTtl(value: string): value is Ttl {
  return TTL_CHOICES.some((choice) => choice.value === value);
}

/** Post a crud: a message of up to 280 characters and how long it lives. */
export function CrudForm({ onCreated }: { readonly onCreated: (activity: Activity) => void }): ReactNode {
  const api = useApi();
  const ttlId = useId();
  const [ttl, setTtl] = useState<Ttl>(DEFAULT_TTL);
  return (
    <ComposeForm<Activity>
      name="New crud"
      label="Crud message"
      action="Crud"
      placeholder="What would you like to say?"
      maxChars={MAX_ACTIVITY_CHARS}
      send={(message) => settle(api.POST('/api/activities', { body: { message, ttl } }))}
      onSent={onCreated}
    >
      <div className="field ttl">
        <label htmlFor={ttlId}>Expires in</label>
        <select
          id={ttlId}
          value={ttl}
          onChange={(event): void => {
            if (isTtl(event.target.value)) setTtl(event.target.value);
          }}
        >
          {TTL_CHOICES.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      </div>
    </ComposeForm>
  );
}
