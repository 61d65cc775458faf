import { screen, within } from '@testing-library/react';
import { userEvent } from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { VALIDATION_MESSAGES } from '../src/api/errors.ts';
import { handleOf } from '../src/handle.ts';
import { aGroup, aMessage, anActivity, aReply, ok, renderAt } from './fake-api.tsx';

const worfs = [anActivity({ handle: 'worf', display_name: 'Worf', message: 'Today is a good day' })];

describe('routes', () => {
  it('reads the handle only from an @ segment', () => {
    expect(handleOf('@worf')).toBe('worf');
    expect(handleOf('worf')).toBeUndefined();
    expect(handleOf('@')).toBeUndefined();
    expect(handleOf(undefined)).toBeUndefined();
  });

  it("shows a user's feed at /@handle, asking the API for that handle", async () => {
    const { received } = renderAt('/@worf', { 'GET /api/activities/@worf': ok(worfs) });
    expect(screen.getByRole('heading', { level: 1, name: '@worf' })).toBeInTheDocument();
    expect(document.title).toBe('@worf · Cruddur');
    expect(await screen.findByRole('article', { name: 'Today is a good day' })).toBeInTheDocument();
    expect(received.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /api/activities/@worf']);
  });

  it("goes from an author's name in the home feed to their feed", async () => {
    const user = userEvent.setup();
    renderAt('/', { 'GET /api/activities/home': ok(worfs), 'GET /api/activities/@worf': ok(worfs) });
    const article = await screen.findByRole('article', { name: 'Today is a good day' });
    await user.click(within(article).getByRole('link', { name: 'Worf @worf' }));
    expect(await screen.findByRole('heading', { level: 1, name: '@worf' })).toBeInTheDocument();
  });

  it('answers a path without @ with a not-found page and asks the API nothing', () => {
    const { received } = renderAt('/worf', {});
    expect(screen.getByRole('heading', { level: 1, name: 'Page not found' })).toBeInTheDocument();
    expect(received).toEqual([]);
  });

  it('shows a crud with its replies and appends a reply sent from its form', async () => {
    const user = userEvent.setup();
    const activity = anActivity({ handle: 'worf', display_name: 'Worf', message: 'Today is a good day', replies_count: 1 });
    const first = aReply({ handle: 'dax', message: 'To die?', reply_to_activity_uuid: activity.uuid });
    activity.replies.push(first);
    const { received } = renderAt(`/@worf/status/${activity.uuid}`, {
      [`GET /api/activities/${activity.uuid}`]: ok(activity),
      [`POST /api/activities/${activity.uuid}/reply`]: (request) => ({
        status: 200,
        body: aReply({
          handle: 'andrewbrown',
          message: (request.body as { message: string }).message,
          reply_to_activity_uuid: activity.uuid,
        }),
      }),
    });
    expect(await screen.findByRole('article', { name: 'Today is a good day' })).toHaveTextContent('1 reply');
    const replies = screen.getByRole('region', { name: 'Replies' });
    expect(within(replies).getByRole('article', { name: 'To die?' })).toBeInTheDocument();
    await user.type(within(replies).getByRole('textbox', { name: 'Reply message' }), 'To eat');
    await user.click(within(replies).getByRole('button', { name: 'Reply' }));
    expect(await within(replies).findByRole('article', { name: 'To eat' })).toBeInTheDocument();
    expect(screen.getByRole('article', { name: 'Today is a good day' })).toHaveTextContent('2 replies');
    expect(received.at(-1)).toEqual({
      method: 'POST',
      path: `/api/activities/${activity.uuid}/reply`,
      query: '',
      body: { message: 'To eat' },
    });
  });

  it('shows a reply refused with 422 in words', async () => {
    const user = userEvent.setup();
    const activity = anActivity({ handle: 'worf', message: 'Today is a good day' });
    renderAt(`/@worf/status/${activity.uuid}`, {
      [`GET /api/activities/${activity.uuid}`]: ok(activity),
      [`POST /api/activities/${activity.uuid}/reply`]: () => ({ status: 422, body: ['message_exceed_max_chars'] }),
    });
    await user.click(await screen.findByRole('button', { name: 'Reply' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(VALIDATION_MESSAGES.message_exceed_max_chars);
  });

  it('lists the message groups and sends a message in a conversation', async () => {
    const user = userEvent.setup();
    const { received } = renderAt('/messages', {
      'GET /api/message_groups': ok([aGroup('worf', 'Worf'), aGroup('dax', 'Jadzia Dax')]),
      'GET /api/messages/@worf': ok([aMessage('worf', 'Worf', 'Qapla!')]),
      'POST /api/messages': (request) => ({
        status: 200,
        body: aMessage('andrewbrown', 'Andrew Brown', (request.body as { message: string }).message),
      }),
    });
    const groups = await screen.findByRole('list', { name: 'Conversations' });
    await user.click(within(groups).getByRole('link', { name: 'Worf @worf' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Conversation with @worf' })).toBeInTheDocument();
    const messages = await screen.findByRole('list', { name: 'Messages' });
    expect(within(messages).getByText('Qapla!')).toBeInTheDocument();
    await user.type(screen.getByRole('textbox', { name: 'Message' }), 'Good hunting');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    expect(await within(messages).findByText('Good hunting')).toBeInTheDocument();
    expect(received.at(-1)).toEqual({
      method: 'POST',
      path: '/api/messages',
      query: '',
      body: { message: 'Good hunting', user_receiver_handle: 'worf' },
    });
  });

  it('shows notifications', async () => {
    renderAt('/notifications', { 'GET /api/activities/notifications': ok([anActivity({ handle: 'coco', message: 'A unicorn reply' })]) });
    expect(screen.getByRole('heading', { level: 1, name: 'Notifications' })).toBeInTheDocument();
    expect(await screen.findByRole('article', { name: 'A unicorn reply' })).toBeInTheDocument();
  });

  it('searches by the term in the URL and shows a blank term refused in words', async () => {
    const user = userEvent.setup();
    const { received, container } = renderAt('/search', {
      'GET /api/activities/search': (request) =>
        request.query === '?term=good' ? { status: 200, body: worfs } : { status: 422, body: ['search_term_blank'] },
    });
    // The <search> landmark: browsers map it to role search; jsdom's role table (aria-query 5.3) does not yet.
    const search = container.querySelector<HTMLElement>('search[aria-label="Search cruds"]');
    if (search === null) throw new Error('no search landmark');
    await user.type(within(search).getByRole('searchbox', { name: 'Search term' }), 'good');
    await user.click(within(search).getByRole('button', { name: 'Search' }));
    expect(await screen.findByRole('article', { name: 'Today is a good day' })).toBeInTheDocument();
    await user.clear(within(search).getByRole('searchbox', { name: 'Search term' }));
    await user.click(within(search).getByRole('button', { name: 'Search' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(VALIDATION_MESSAGES.search_term_blank);
    expect(received.map((request) => request.query)).toEqual(['?term=good', '?term=']);
  });
});
