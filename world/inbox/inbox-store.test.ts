import { describe, expect, it } from 'vitest';
import { InboxStore } from './inbox-store.ts';
import type { PostalHashPayload } from './postal-hash-payload.ts';

const payload = (id: number, extra: Partial<PostalHashPayload> = {}): PostalHashPayload => ({
  id,
  rcpt_to: 'qa@mailgoat.ai',
  token: `t${id}`,
  ...extra,
});

describe('InboxStore', () => {
  it('lists newest first and falls back to the envelope when there is no To header', () => {
    const store = new InboxStore();
    store.add(payload(1, { html_body: '<p>Hi <b>there</b></p>' }));
    store.add(payload(2, { subject: 'second' }));
    const [newest, oldest] = store.list();
    expect(newest).toMatchObject({ id: 2, subject: 'second', to: ['qa@mailgoat.ai'], timestamp: null });
    expect(oldest!.snippet).toBe('Hi there');
    expect(oldest).not.toHaveProperty('spamScore');
  });

  it('keeps a message id reused by a restarted stand-in (new token), and drops the oldest beyond its bound', () => {
    const store = new InboxStore(2);
    expect(store.add(payload(1))).toBe('stored');
    expect(store.add(payload(1))).toBe('duplicate');
    expect(store.add(payload(1, { token: 'other' }))).toBe('stored');
    expect(store.get(1)!.payload.token).toBe('other');
    store.add(payload(3));
    expect(store.size).toBe(2);
    expect(store.list().map((m) => m.token)).toEqual(['t3', 'other']);
  });

  it('shows the spam score the stand-in adds, and filters unread', () => {
    const store = new InboxStore();
    store.add(payload(1, { spam_score: 1.5 }));
    store.add(payload(2));
    store.markRead(2);
    expect(store.list({ unread: true })).toEqual([expect.objectContaining({ id: 1, spamScore: 1.5 })]);
  });
});
