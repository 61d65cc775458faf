import { screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import type { Activity } from '../src/api/client.ts';
import { VALIDATION_MESSAGES } from '../src/api/errors.ts';
import { anActivity, ok, renderAt } from './fake-api.tsx';

const feed: Activity[] = [
  anActivity({ handle: 'kirk', display_name: 'James Kirk', message: 'Space, the final frontier', likes_count: 3, replies_count: 1 }),
  anActivity({ handle: 'spock', display_name: 'Spock', message: 'Fascinating' }),
];

function created(body: unknown): Activity {
  const { message } = body as { message: string };
  return anActivity({ handle: 'andrewbrown', display_name: 'Andrew Brown', message });
}

describe('home feed', () => {
  it('lists the feed as articles named by their messages, with author, counts and a link to each crud', async () => {
    renderAt('/', { 'GET /api/activities/home': ok(feed) });
    expect(await screen.findAllByRole('article')).toHaveLength(2);
    const first = screen.getByRole('article', { name: 'Space, the final frontier' });
    expect(within(first).getByRole('link', { name: 'James Kirk @kirk' })).toHaveAttribute('href', '/@kirk');
    expect(within(first).getByText('3 likes')).toBeInTheDocument();
    expect(within(first).getByText('1 reply')).toBeInTheDocument();
    expect(within(first).getByRole('link', { name: 'Open crud' })).toHaveAttribute('href', `/@kirk/status/${feed[0]?.uuid}`);
    expect(screen.getByRole('article', { name: 'Fascinating' })).toBeInTheDocument();
  });

  it('counts characters as code points and says how many are over the 280 limit', async () => {
    const user = userEvent.setup();
    renderAt('/', { 'GET /api/activities/home': ok(feed) });
    const field = screen.getByRole('textbox', { name: 'Crud message' });
    expect(screen.getByText('280 characters left')).toBeInTheDocument();
    await user.type(field, 'Hi 🖖');
    expect(screen.getByText('276 characters left')).toBeInTheDocument();
    expect(field).toHaveAccessibleDescription('276 characters left');
    expect(field).toHaveAttribute('aria-invalid', 'false');
    await user.clear(field);
    await user.click(field);
    await user.paste('x'.repeat(283));
    expect(screen.getByText('3 characters over the limit of 280')).toBeInTheDocument();
    expect(field).toHaveAttribute('aria-invalid', 'true');
  });

  it('offers the seven expiry choices, 7 days by default', () => {
    renderAt('/', { 'GET /api/activities/home': ok(feed) });
    const select = screen.getByRole('combobox', { name: 'Expires in' });
    const options = within(select).getAllByRole('option');
    expect(options.map((option) => [option.getAttribute('value'), option.textContent])).toEqual([
      ['30-days', '30 days'],
      ['7-days', '7 days'],
      ['3-days', '3 days'],
      ['1-day', '1 day'],
      ['12-hours', '12 hours'],
      ['3-hours', '3 hours'],
      ['1-hour', '1 hour'],
    ]);
    expect(select).toHaveValue('7-days');
  });

  it('posts the message with the chosen ttl and puts the new crud first', async () => {
    const user = userEvent.setup();
    const { received } = renderAt('/', {
      'GET /api/activities/home': ok(feed),
      'POST /api/activities': (request) => ({ status: 200, body: created(request.body) }),
    });
    await screen.findByRole('article', { name: 'Fascinating' });
    await user.type(screen.getByRole('textbox', { name: 'Crud message' }), 'Make it so');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Expires in' }), '1 hour');
    await user.click(screen.getByRole('button', { name: 'Crud' }));
    const article = await screen.findByRole('article', { name: 'Make it so' });
    expect(screen.getAllByRole('article')[0]).toBe(article);
    expect(received.filter((request) => request.method === 'POST')).toEqual([
      { method: 'POST', path: '/api/activities', query: '', body: { message: 'Make it so', ttl: '1-hour' } },
    ]);
    expect(screen.getByRole('textbox', { name: 'Crud message' })).toHaveValue('');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it.each(['message_blank', 'message_exceed_max_chars', 'user_handle_blank', 'ttl_blank', 'ttl_invalid'] as const)(
    'shows the 422 key %s in words and keeps the message',
    async (key) => {
      const user = userEvent.setup();
      renderAt('/', { 'GET /api/activities/home': ok(feed), 'POST /api/activities': () => ({ status: 422, body: [key] }) });
      await user.type(screen.getByRole('textbox', { name: 'Crud message' }), 'kept');
      await user.click(screen.getByRole('button', { name: 'Crud' }));
      expect(await screen.findByRole('alert')).toHaveTextContent(VALIDATION_MESSAGES[key]);
      expect(screen.getByRole('alert')).not.toHaveTextContent(key);
      expect(screen.getByRole('textbox', { name: 'Crud message' })).toHaveValue('kept');
      expect(screen.getAllByRole('article')).toHaveLength(2);
    },
  );

  it('says so when the service cannot be reached or answers an error', async () => {
    renderAt('/', {
      'GET /api/activities/home': () => ({ status: 400, body: { error: 'bad_request', detail: 'The request was malformed.' } }),
    });
    expect(await screen.findByRole('alert')).toHaveTextContent('The request was malformed.');
  });
});
