import { describe, expect, it } from 'vitest';
import { errorObs, nodataObs, nxObs, okObs } from './fake-observations.ts';
import { replayResolver } from './replay-resolver.ts';
import { insertSpfTerm, parseSpfTerms, walkSpf } from './spf-record.ts';

describe('replayResolver', () => {
  const resolve = replayResolver([
    okObs('TXT', 'mailgoat.ai', ['v=spf1 ~all', 'other']),
    okObs('MX', 'mailgoat.ai', ['10 mail.mailgoat.ai']),
    okObs('A', 'Mail.MailGoat.ai', ['91.98.35.3']),
    nxObs('A', 'gone.mailgoat.ai'),
    nodataObs('AAAA', 'mail.mailgoat.ai'),
    errorObs('TXT', 'slow.mailgoat.ai', 'ETIMEOUT'),
  ]);

  it('answers in the shapes of dns.promises.resolve', async () => {
    expect(await resolve('mailgoat.ai', 'TXT')).toEqual([['v=spf1 ~all'], ['other']]);
    expect(await resolve('MAILGOAT.AI.', 'MX')).toEqual([{ priority: 10, exchange: 'mail.mailgoat.ai' }]);
    expect(await resolve('mail.mailgoat.ai', 'A')).toEqual(['91.98.35.3']);
  });

  it('throws node-coded errors', async () => {
    await expect(resolve('gone.mailgoat.ai', 'A')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    await expect(resolve('mail.mailgoat.ai', 'AAAA')).rejects.toMatchObject({ code: 'ENODATA' });
    await expect(resolve('slow.mailgoat.ai', 'TXT')).rejects.toMatchObject({ code: 'ETIMEOUT' });
    await expect(resolve('never-asked.example', 'TXT')).rejects.toMatchObject({ code: 'ENOTFOUND' });
    // known name, type never observed: the name exists
    await expect(resolve('mailgoat.ai', 'A')).rejects.toMatchObject({ code: 'ENODATA' });
  });
});

describe('spf-record helpers', () => {
  it('parses qualifiers, mechanisms and modifiers', () => {
    expect(
      parseSpfTerms('v=spf1 +a -mx:x.example/24 ~include:spf.x ip4:1.2.3.4 redirect=r.example ?all').map((t) => [
        t.qualifier,
        t.name,
        t.kind,
        t.value,
      ]),
    ).toEqual([
      ['+', 'a', 'mechanism', undefined],
      ['-', 'mx', 'mechanism', 'x.example/24'],
      ['~', 'include', 'mechanism', 'spf.x'],
      ['+', 'ip4', 'mechanism', '1.2.3.4'],
      ['+', 'redirect', 'modifier', 'r.example'],
      ['?', 'all', 'mechanism', undefined],
    ]);
  });

  it('inserts a term before all', () => {
    expect(insertSpfTerm('v=spf1 ~all', 'ip4:91.98.35.3')).toBe('v=spf1 ip4:91.98.35.3 ~all');
    expect(insertSpfTerm('v=spf1 mx', 'include:spf.x')).toBe('v=spf1 mx include:spf.x');
    expect(insertSpfTerm('v=spf1 mx redirect=r.x', 'a')).toBe('v=spf1 mx a redirect=r.x');
  });

  it('counts lookups through includes and redirects, ignores redirect beside all, survives loops', async () => {
    const snapshot = [
      okObs('TXT', 'd.example', ['v=spf1 a include:i.example redirect=r.example ~all']),
      okObs('TXT', 'i.example', ['v=spf1 mx include:d.example ?all']),
    ];
    const walk = await walkSpf('d.example', (n) => Promise.resolve(snapshot.find((o) => o.name === n)));
    // d: a, include (redirect ignored: all present) = 2; i: mx, include(d, loop) = 2
    expect(walk.lookupCount).toBe(4);
    expect(walk.brokenReferences.map((b) => b.status)).toEqual(['loop']);
  });
});
