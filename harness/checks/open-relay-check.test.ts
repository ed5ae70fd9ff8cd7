import { describe, expect, it } from 'vitest';
import { checkOpenRelay, smtpReply, type RelayAttempt } from './open-relay-check.ts';
import { relayForms } from './relay-forms.ts';

const R = 'seed@gmail.test';
const refused = (to: string, over: Partial<RelayAttempt> = {}): RelayAttempt => ({
  form: 'plain',
  label: 'outside sender to an outside mailbox',
  context: 'plain',
  from: 'spammer@example.net',
  to,
  foreignIfAccepted: true,
  stage: 'rcpt',
  code: 530,
  reply: 'Authentication required',
  ...over,
});
const at = (code: number, stage: RelayAttempt['stage'] = 'rcpt', over: Partial<RelayAttempt> = {}): RelayAttempt =>
  refused(R, { stage, code, reply: 'reply', ...over });
const run = (attempts: RelayAttempt[], extra: Partial<Parameters<typeof checkOpenRelay>[0]> = {}) =>
  checkOpenRelay({ attempts, recipient: R, ...extra });

describe('checkOpenRelay', () => {
  it('passes when every attempt is refused at RCPT, and keeps a scrubbed reply per attempt as evidence', () => {
    const verdict = run([
      refused('victim@gmail.test'),
      refused('victim@outlook.test', { code: 550, reply: 'relay denied token=hunter22', context: 'starttls' }),
    ]);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toBe('2 of 2 relay attempts (without AUTH, after STARTTLS) refused at MAIL/RCPT (530, 550)');
    expect(verdict.evidence).toHaveLength(2);
    expect(JSON.stringify(verdict.evidence)).not.toContain('hunter22');
    expect(verdict.evidence[0]!.label).toBe('relay plain plain');
    expect(verdict.observed).toBe('2 refused, 0 accepted locally, 0 arrived outside, of 2');
  });

  it('calls an attempt whose message arrived at the outside mailbox an open relay, naming form, context and where it arrived', () => {
    const verdict = run([
      at(250, 'data', {
        arrival: 'outside',
        form: 'percent-hack-domain',
        label: 'percent hack on the domain',
        to: 'seed%gmail.test@mailgoat.ai',
        foreignIfAccepted: false,
      }),
    ]);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      'open relay: percent hack on the domain without AUTH (MAIL FROM:<spammer@example.net> RCPT TO:<seed%gmail.test@mailgoat.ai>) was accepted (250 reply) and the message arrived at seed@gmail.test',
    );
    expect(verdict.remediation).toMatch(/allow_percent_hack = no/);
  });

  it('judges an acceptance whose twin in an earlier context was carried by that message, saying so', () => {
    const verdict = run([at(250, 'rcpt', { context: 'starttls', arrival: 'outside', sameAs: 'plain' })]);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/after STARTTLS .* arrived at seed@gmail\.test \(carried once, without AUTH\)$/);
    expect(run([at(250, 'rcpt', { arrival: 'local', localAgent: 'team', foreignIfAccepted: false, sameAs: 'plain' })]).outcome).toBe(
      'pass',
    );
  });

  it('never calls a message kept in the catch-all relaying: it passes, named "accepted locally" with the backscatter risk', () => {
    const verdict = run([
      refused(R),
      at(250, 'data', { arrival: 'local', localAgent: 'team', label: 'bang path on the domain', foreignIfAccepted: false }),
    ]);
    expect(verdict.outcome).toBe('pass');
    expect(verdict.summary).toContain("1 accepted locally into team's inbox, not relayed (bang path on the domain)");
    expect(verdict.summary).toContain('backscatter');
    expect(verdict.summary).not.toMatch(/open relay|relayed to/);
  });

  it('fails an accepted foreign message found nowhere (treated as relayed) and names the relay fix after STARTTLS', () => {
    const verdict = run([at(250, 'data', { arrival: 'nowhere', context: 'starttls' })]);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toMatch(/after STARTTLS .* arrived neither at seed@gmail\.test nor in an agent's inbox: treat it as relayed/);
    expect(verdict.remediation).toMatch(/TLS is encryption, not authentication/);
  });

  it('only warns an own-domain form found nowhere: a catch-all whose queue is stuck is no relay', () => {
    const verdict = run([at(250, 'data', { arrival: 'nowhere', foreignIfAccepted: false })]);
    expect(verdict.outcome).toBe('warn');
    expect(verdict.summary).toMatch(
      /arrived neither at seed@gmail\.test nor in an agent's inbox by the deadline \(a stuck queue\? see INF-03\)$/,
    );
  });

  it('judges an acceptance it could not follow by the form: a foreign last domain fails, an own-domain form warns', () => {
    const why = { arrivalUnreadable: '--read-only: accepted attempts were not carried through DATA' };
    const foreign = run([at(250)], why);
    expect(foreign.outcome).toBe('fail');
    expect(foreign.summary).toMatch(/^open relay: .* was accepted at RCPT \(250 reply\); its last domain is foreign.*--read-only/);
    const own = run([at(250, 'rcpt', { foreignIfAccepted: false })], why);
    expect(own.outcome).toBe('warn');
    expect(own.summary).toMatch(/where it went could not be followed \(--read-only/);
    expect(run([at(250, 'data', { arrival: 'unknown', foreignIfAccepted: false })]).outcome).toBe('warn');
    expect(
      run([at(250, 'rcpt', { foreignIfAccepted: false, notCarried: 'not carried through DATA: 10 messages already were' })]).summary,
    ).toMatch(/could not be followed \(not carried through DATA: 10 messages already were\)$/);
  });

  it('fails a wrong password that was granted, with the AUTH fix, even before any relay is seen', () => {
    const verdict = run([refused(R, { context: 'failed-auth' })], {
      failedAuthReply: { code: 235, text: 'Granted for mailgoat/production' },
    });
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe(
      'AUTH with a wrong password was granted (235 Granted for mailgoat/production): anyone can relay through the server',
    );
    expect(verdict.remediation).toMatch(/refused AUTH must leave the session unauthenticated/);
    expect(run([refused(R)], { failedAuthReply: { code: 535, text: 'Invalid credential' } }).outcome).toBe('pass');
  });

  it.each([
    [421, 'rcpt', 'warn'],
    [450, 'rcpt', 'warn'],
    [499, 'rcpt', 'warn'],
    [451, 'data', 'warn'],
    [500, 'rcpt', 'pass'],
    [599, 'mail', 'pass'],
    [554, 'data', 'warn'],
    [199, 'rcpt', 'fail'],
    [600, 'rcpt', 'fail'],
    [0, 'rcpt', 'fail'],
  ] as const)('%i at %s: %s', (code, stage, outcome) => {
    expect(run([at(code, stage)]).outcome).toBe(outcome);
  });

  it('says what a 4xx and a refusal after DATA mean', () => {
    expect(run([at(451)]).summary).toMatch(/was only deferred at RCPT \(451 reply\); a retry might be relayed/);
    expect(run([at(554, 'data')]).summary).toMatch(/accepted at RCPT and refused only after DATA \(554 reply\)/);
    expect(run([at(600)]).summary).toMatch(/got a reply that is not SMTP \(600 reply\)/);
  });

  it('lists skipped contexts in the pass summary', () => {
    expect(
      run([refused(R)], { skippedContexts: [{ context: 'starttls', reason: 'the server offers no STARTTLS (SEC-03)' }] }).summary,
    ).toBe(
      '1 of 1 relay attempts (without AUTH) refused at MAIL/RCPT (530); after STARTTLS not tried: the server offers no STARTTLS (SEC-03)',
    );
  });

  it('fails when no attempt was made', () => {
    const verdict = run([]);
    expect(verdict.outcome).toBe('fail');
    expect(verdict.summary).toBe('no relay attempt was made');
  });
});

describe('smtpReply', () => {
  it('prints the code once, even when the reply text already carries it', () => {
    expect(smtpReply(250, '250 OK')).toBe('250 OK');
    expect(smtpReply(250, 'OK')).toBe('250 OK');
    expect(smtpReply(530, ' Authentication required \n')).toBe('530 Authentication required');
    expect(smtpReply(250, '250-first\n250 second')).toBe('250 first second');
    expect(smtpReply(250, '')).toBe('250');
    expect(smtpReply(250, '2500 things')).toBe('250 2500 things');
  });
});

describe('relayForms', () => {
  const forms = relayForms({
    recipient: R,
    domain: 'mailgoat.ai',
    mailHost: 'mail.mailgoat.ai',
    serverIp: '91.98.35.3',
    outsideSender: 'x@outside.invalid',
    localSender: 'team@mailgoat.ai',
  });
  it("has nmap's 16 forms and the relay-test lists' variants, each aimed at the outside mailbox, with distinct ids", () => {
    expect(forms).toHaveLength(23);
    expect(new Set(forms.map((f) => f.id)).size).toBe(23);
    const to = Object.fromEntries(forms.map((f) => [f.id, f.to]));
    expect(to).toMatchObject({
      plain: 'seed@gmail.test',
      'case-variant': 'seed@GMAIL.TEST',
      'trailing-dot': 'seed@gmail.test.',
      'percent-hack-domain': 'seed%gmail.test@mailgoat.ai',
      'percent-hack-ip': 'seed%gmail.test@[91.98.35.3]',
      'quoted-domain': '"seed@gmail.test"@mailgoat.ai',
      'double-at-domain': 'seed@gmail.test@mailgoat.ai',
      'source-route-domain': '@mailgoat.ai:seed@gmail.test',
      'bang-path-domain': 'gmail.test!seed@mailgoat.ai',
      'bang-path-bare': 'gmail.test!seed',
      'double-at-host': 'seed@gmail.test@mail.mailgoat.ai',
      'source-route-host': '@mail.mailgoat.ai:seed@gmail.test',
      'bang-path-host': 'gmail.test!seed@mail.mailgoat.ai',
    });
    expect(forms.find((f) => f.id === 'null-sender')!.from).toBe('');
    expect(forms.find((f) => f.id === 'ip-literal-sender')!.from).toBe('postmaster@[91.98.35.3]');
    expect(forms.find((f) => f.id === 'forged-local-sender')!.from).toBe('team@mailgoat.ai');
    expect(forms.filter((f) => !f.foreignIfAccepted).map((f) => f.id)).toEqual([
      'percent-hack-domain',
      'percent-hack-host',
      'percent-hack-ip',
      'quoted-domain',
      'quoted-ip',
      'double-at-domain',
      'double-at-host',
      'double-at-ip',
      'bang-path-domain',
      'bang-path-host',
      'bang-path-ip',
    ]);
  });
});
