import { describe, expect, it } from 'vitest';
import { checkSignatureHygiene, CLOCK_SKEW_S, MUST_SIGN } from './signature-hygiene-check.ts';

const now = 1_800_000_000;
const h = 'From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc';
const sig = (extra = '', hList = h) =>
  `v=1; a=rsa-sha256; c=relaxed/relaxed; d=mailgoat.ai; s=postal-qpMdyI; t=${now - 2};${extra} h=${hList}; bh=abc=; b=def=`;
const present = ['from', 'to', 'subject', 'date', 'message-id', 'mime-version', 'content-type'];
const run = (signatures: string[], over: { receivedAtMs?: number; present?: string[] } = {}) =>
  checkSignatureHygiene({ copy: 'Gmail by send/raw', signatures, receivedAtMs: now * 1000, present, ...over });

describe('checkSignatureHygiene', () => {
  it('passes a whole-body signature made before arrival that covers what a forger would change', () => {
    const verdict = run([sig()]);
    expect(verdict).toMatchObject({
      outcome: 'pass',
      summary: 'Gmail by send/raw: 1 signature(s) without l=, with sane t=/x=, covering from, to, subject, date, message-id',
      expected: 'no l=; t= not in the future, x= not past; h= covers from, to, subject, date, message-id',
      observed: `d=mailgoat.ai s=postal-qpMdyI t=${now - 2} h=from:sender:reply-to:subject:date:message-id:to:cc`,
    });
    expect(MUST_SIGN).toEqual(['from', 'to', 'subject', 'date', 'message-id']);
    // Folded headers read the same.
    expect(run([sig().replace('; h=', ';\r\n\th=')]).outcome).toBe('pass');
  });

  it('fails l= (a body length), naming it', () => {
    const verdict = run([sig(' l=6882;')]);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      'Gmail by send/raw: the signature d=mailgoat.ai s=postal-qpMdyI carries l=6882 (a body length): anything appended after 6882 bytes still verifies',
    );
    expect(verdict.remediation).toMatch(/^Sign the whole body: remove the body-length \(l=\) option/);
  });

  it('fails t= in the future of the receiving clock beyond the skew verifiers allow, and an expired or inverted x=', () => {
    const future = run([sig().replace(`t=${now - 2}`, `t=${now + CLOCK_SKEW_S + 1}`)]);
    expect(future.summary).toBe(
      `Gmail by send/raw: the signature d=mailgoat.ai s=postal-qpMdyI was made ${CLOCK_SKEW_S + 1} s in the future of the receiving clock (t=${now + CLOCK_SKEW_S + 1})`,
    );
    expect(future.remediation).toMatch(/run NTP on the Postal server/);
    expect(run([sig().replace(`t=${now - 2}`, `t=${now + CLOCK_SKEW_S}`)]).outcome).toBe('pass');
    expect(run([sig(` x=${now - 10};`)]).summary).toMatch(/had expired when it arrived \(x=\d+, 10 s before\)/);
    expect(run([sig(` x=${now - 3};`)], { receivedAtMs: undefined }).summary).toMatch(/expires before it was made \(x=\d+ ≤ t=\d+\)/);
    expect(run([sig(` x=${now};`)]).outcome).toBe('pass');
    // Without the receiving time, t= alone is not judged.
    expect(run([sig().replace(`t=${now - 2}`, `t=${now + 9999}`)], { receivedAtMs: undefined }).outcome).toBe('pass');
  });

  it('fails an h= that leaves out a field the message carries (and not one it lacks)', () => {
    const verdict = run([sig('', 'From:Date:Message-ID:To')]);
    expect(verdict.summary).toBe(
      'Gmail by send/raw: the signature d=mailgoat.ai s=postal-qpMdyI does not cover subject (h=from:date:message-id:to)',
    );
    expect(verdict.remediation).toMatch(/^Sign subject/);
    expect(run([sig('', 'From:Date:To:Subject')], { present: ['from', 'date', 'to', 'subject'] }).outcome).toBe('pass');
  });

  it('warns when there is no signature to inspect, and judges every signature', () => {
    expect(run([])).toMatchObject({
      outcome: 'warn',
      summary: 'Gmail by send/raw: no DKIM signature to inspect',
      observed: 'no signature',
    });
    expect(run([sig(), sig(' l=1;').replace('d=mailgoat.ai', 'd=relay.example')]).summary).toMatch(/d=relay\.example .*carries l=1/);
  });
});
