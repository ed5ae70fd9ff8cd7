import { createPrivateKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dkimKey } from './dkim-key.ts';
import { withRequiredHeaders } from './outside-sender.ts';

// The relay end to end (submission → DKIM → MX of gmail.test) is tested in world/providers/provider.test.ts.
describe('outside sender pieces', () => {
  it('publishes an RSA 2048 DKIM key under <selector>._domainkey', () => {
    const key = dkimKey('sender.test', 'mail');
    expect(key.record.name).toBe('mail._domainkey.sender.test');
    expect(key.record.value).toMatch(/^v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]{300,}$/);
    expect(createPrivateKey(key.privateKeyPem).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(dkimKey('sender.test', 'mail', key.privateKeyPem).record).toEqual(key.record);
  });

  it('adds Date and Message-ID only when missing', () => {
    const bare = withRequiredHeaders(Buffer.from('From: a@sender.test\r\nSubject: x\r\n\r\nbody\r\n'), 'sender.test').toString();
    expect(bare).toMatch(/^Date: .+\r\nMessage-ID: <[0-9a-f-]+@sender\.test>\r\nFrom:/);
    const full = Buffer.from('Date: Tue, 25 Nov 2025 12:00:00 +0000\r\nMessage-ID: <x@y>\r\n\r\nDate: not a header\r\n');
    expect(withRequiredHeaders(full, 'sender.test')).toBe(full);
  });
});
