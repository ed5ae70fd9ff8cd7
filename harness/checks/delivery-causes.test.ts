import { describe, expect, it } from 'vitest';
import {
  describeLeg,
  describeTrail,
  sendErrorCause,
  stillInFlight,
  trailCause,
  type PostalLeg,
  type PostalTrail,
} from './delivery-causes.ts';

const out = (over: Partial<PostalLeg> = {}): PostalLeg => ({
  id: 12,
  direction: 'outgoing',
  rcptTo: 'qa@mailgoat.ai',
  status: 'Sent',
  attempts: 1,
  details: 'Message for qa@mailgoat.ai accepted by mail.mailgoat.ai (127.0.0.10)',
  output: '250 OK',
  ...over,
});
const inn = (over: Partial<PostalLeg> = {}): PostalLeg => ({
  id: 13,
  direction: 'incoming',
  rcptTo: 'qa@mailgoat.ai',
  status: 'HardFail',
  attempts: 5,
  details: 'Received a 503 from http://127.0.0.40:3007/webhooks/postal',
  output: '{"error":"failing"}',
  ...over,
});
const who = { to: 'qa@mailgoat.ai', agent: 'qa' };
const cause = (trail: PostalTrail) => trailCause(trail, who);

describe('describeLeg and describeTrail', () => {
  it('say a leg in one line, with the attempts and what the other side said', () => {
    expect(describeLeg(out())).toBe(
      'outgoing message 12 to qa@mailgoat.ai: Sent after 1 attempt: Message for qa@mailgoat.ai accepted by mail.mailgoat.ai (127.0.0.10) (250 OK)',
    );
    expect(describeLeg(inn())).toBe(
      'incoming message 13 to qa@mailgoat.ai: HardFail after 5 attempts: Received a 503 from http://127.0.0.40:3007/webhooks/postal ({"error":"failing"})',
    );
    expect(describeLeg({ id: 1, direction: 'outgoing', status: 'Pending', attempts: 0 })).toBe(
      'outgoing message 1: Pending no delivery attempt yet',
    );
    expect(describeTrail({ outgoing: out(), inbound: inn() })).toBe(`${describeLeg(out())}; ${describeLeg(inn())}`);
    expect(describeTrail({ error: 'timeout' })).toBe('Postal could not be asked: timeout');
    expect(describeTrail(undefined)).toBeUndefined();
    expect(describeTrail({})).toBeUndefined();
  });
});

describe('stillInFlight: late is told from lost by what Postal says', () => {
  it('is in flight while a leg is Pending, or while the hand-over to its own MX has no incoming message yet', () => {
    expect(stillInFlight({ outgoing: out({ status: 'Pending', attempts: 0 }) })).toBe(true);
    expect(stillInFlight({ outgoing: out(), inbound: inn({ status: 'Pending', attempts: 0 }) })).toBe(true);
    expect(stillInFlight({ outgoing: out(), inboundExpected: true })).toBe(true);
  });
  it('is not in flight once Postal settled it, or when it cannot be asked', () => {
    expect(stillInFlight({ outgoing: out() })).toBe(false);
    expect(stillInFlight({ outgoing: out(), inbound: inn() })).toBe(false);
    expect(stillInFlight({ outgoing: out({ status: 'Held' }), inboundExpected: true })).toBe(false);
    expect(stillInFlight({ error: 'x' })).toBe(false);
    expect(stillInFlight(undefined)).toBe(false);
    expect(stillInFlight({ inboundExpected: true })).toBe(false);
  });
});

describe('sendErrorCause: a failed STARTTLS names the TLS, not the request', () => {
  it('names the TLS version and ssl_version on a protocol-version alert', () => {
    const c = sendErrorCause('C0D6:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version', {
      agent: 'ceo',
      to: 'x@y',
      path: 'SMTP',
    });
    expect(c.cause).toBe(
      "the STARTTLS handshake with Postal's SMTP server failed on the TLS version (C0D6:error:0A00042E:SSL routines:ssl3_read_bytes:tlsv1 alert protocol version): the message was never submitted",
    );
    expect(c.remediation).toMatch(
      /^Postal's SMTP server offers no TLS version the agents accept \(TLS 1\.2 or 1\.3\): set smtp_server\.ssl_version/,
    );
    for (const e of ['unsupported protocol', 'no protocols available'])
      expect(sendErrorCause(e, { to: 'x@y', path: 'SMTP' }).remediation).toMatch(/ssl_version in postal\.yml to allow them/);
  });
  it('names the TLS files on another TLS failure', () => {
    for (const e of ['140:error:SSL routines:bad certificate', 'ETLS handshake']) {
      const c = sendErrorCause(e, { to: 'x@y', path: 'SMTP' });
      expect(c.cause).toMatch(/^the STARTTLS handshake with Postal's SMTP server failed \(/);
      expect(c.remediation).toBe(
        "Fix Postal's SMTP TLS (smtp_server.tls_certificate_path, tls_private_key_path, ssl_version), then send again (SEC-03)",
      );
    }
  });
});

describe('sendErrorCause: a refusal when sent names what refused it', () => {
  it('names a refused API key, and says the message never existed', () => {
    const c = sendErrorCause('error InvalidServerAPIKey', { agent: 'growth', to: 'x@y' });
    expect(c.cause).toBe("Postal refused growth's API key (InvalidServerAPIKey): the message was never created");
    expect(c.remediation).toMatch(/^The API key of growth is not a credential of this mail server/);
    expect(sendErrorCause('error InvalidServerAPIKey', { to: 'x@y' }).cause).toBe(
      "Postal refused the sender's API key (InvalidServerAPIKey): the message was never created",
    );
  });
  it.each([
    ['error AccessDenied', /without a key/],
    ['error ServerSuspended', /suspended/],
    ['error UnauthenticatedFromAddress', /From address/],
    ['535 Invalid credential', /SMTP credential/],
    ['530 From/Sender name is not valid', /From\/Sender name is not valid/],
    ['552 Message too large (maximum size 5MB)', /too large/],
    ['no answer from the API: POST https://x failed: HTTP 500, not a Postal JSON answer', /server error \(HTTP 500\)/],
    ['error internal-server-error', /server error \(internal-server-error\)/],
    ['no answer from the API: certificate has expired', /web certificate has expired/],
    ['no answer from the API: connect ECONNREFUSED', /API did not answer in time/],
    ['error SomethingElse', /refused the message \(error SomethingElse\)/],
  ])('%s', (error, words) => {
    expect(sendErrorCause(error, { to: 'qa@mailgoat.ai' }).cause).toMatch(words);
  });
  it('says SMTP, not the API, for the SMTP path', () => {
    expect(sendErrorCause('Greeting never received', { to: 'x', path: 'SMTP' }).cause).toBe(
      "Postal's SMTP server did not answer in time (Greeting never received)",
    );
    expect(sendErrorCause('socket closed', { to: 'x', path: 'send/message' }).cause).toBe(
      "Postal's API did not answer in time (socket closed)",
    );
    expect(sendErrorCause('error internal-server-error', { to: 'x' }).remediation).toMatch(/postal-mariadb/);
  });
});

describe("trailCause: a message Postal took is named by Postal's record", () => {
  it.each([
    ['Message held because send limit (100) has been reached.', /send limit \(messages per hour\)/],
    ['Credential is configured to hold all messages authenticated by it.', /set to Hold: turn Hold off/],
    ['Recipient (qa@mailgoat.ai) is on the suppression list (reason: x)', /suppression list/],
    ['Server is in development mode.', /Development mode/],
    ['Message placed into quarantine.', /spam mode is Quarantine/],
    ['Message has been accepted but not sent to any endpoints.', /route for qa@mailgoat\.ai is set to Hold/],
    ['something else', /reason is on its right-hand side/],
  ])('Held: %s', (details, words) => {
    const c = cause({ outgoing: out({ status: 'Held', details, output: undefined }) });
    expect(c.cause).toBe(`Held by Postal: ${details}`);
    expect(c.remediation).toMatch(words);
  });
  it('names a route set to Accept, Reject or Bounce, spam failing and an outbound spam threshold', () => {
    expect(
      cause({
        outgoing: out(),
        inbound: inn({ status: 'Processed', details: 'Message has been accepted but not sent to any endpoints.', output: undefined }),
      }).remediation,
    ).toMatch(/set to Accept/);
    expect(
      cause({
        outgoing: out({
          status: 'HardFail',
          details: 'Permanent SMTP delivery error when sending to mail.mailgoat.ai',
          output: '550 Route does not accept incoming messages',
        }),
      }),
    ).toEqual({
      cause: "refused by Postal's own MX: 550 Route does not accept incoming messages",
      remediation: "The route for qa@mailgoat.ai is set to Reject: point it at qa's inbox endpoint (Routes)",
    });
    expect(
      cause({
        outgoing: out(),
        inbound: inn({ details: 'Message has been bounced because the route asks for this. See message <msg:3>', output: undefined }),
      }).remediation,
    ).toMatch(/set to Bounce/);
    expect(
      cause({
        outgoing: out({
          status: 'HardFail',
          details: 'Message is likely spam. Threshold is -5 and the message scored 0.',
          output: undefined,
        }),
      }).remediation,
    ).toMatch(/outbound spam threshold/);
  });
  it("names the inbox endpoint's answer on the incoming leg: an error, no connection, a timeout, a refusal, a 2xx not kept", () => {
    const c503 = cause({ outgoing: out(), inbound: inn() });
    expect(c503.cause).toBe('the incoming message to qa@mailgoat.ai: http://127.0.0.40:3007/webhooks/postal answered HTTP 503 (HardFail)');
    expect(c503.remediation).toMatch(/^qa's inbox endpoint fails with HTTP 503/);
    expect(cause({ outgoing: out(), inbound: inn({ details: 'Received a -1 from http://h:1/x' }) }).cause).toMatch(
      /could not connect to http:\/\/h:1\/x/,
    );
    expect(cause({ outgoing: out(), inbound: inn({ details: 'Received a -2 from http://h:1/x' }) }).remediation).toMatch(
      /slower than the endpoint's timeout/,
    );
    expect(cause({ outgoing: out(), inbound: inn({ details: 'Received a 400 from http://h:1/x' }) }).remediation).toMatch(
      /check the endpoint's format \(Hash, sent as JSON\)/,
    );
    expect(cause({ outgoing: out(), inbound: inn({ status: 'Sent', details: 'Received a 200 from http://h:1/x' }) }).cause).toBe(
      "Postal delivered it to http://h:1/x (HTTP 200) but the agent's inbox does not list it",
    );
  });
  it('names a DMARC refusal, no MX, a DNS failure, a size refusal and a missing route', () => {
    expect(
      cause({
        outgoing: out({
          status: 'HardFail',
          details: 'Permanent SMTP delivery error',
          output: '550 5.7.26 Unauthenticated email is not accepted',
        }),
      }).cause,
    ).toMatch(/failing DMARC \(550 5\.7\.26/);
    expect(
      cause({ outgoing: out({ status: 'SoftFail', details: 'No SMTP servers were available for gmail.test.', output: undefined }) })
        .remediation,
    ).toMatch(/dns\.resolv_conf_path/);
    expect(
      cause({ outgoing: out({ status: 'SoftFail', details: 'DNS error looking up gmail.test: ETIMEOUT', output: undefined }) }).cause,
    ).toMatch(/DNS error looking up gmail\.test/);
    expect(
      cause({
        outgoing: out({ status: 'HardFail', details: 'Permanent SMTP delivery error', output: '552 Message too large (maximum size 5MB)' }),
      }).remediation,
    ).toMatch(/smtp_server\.max_message_size/);
    expect(
      cause({
        outgoing: out({ status: 'HardFail', details: 'Permanent SMTP delivery error', output: '530 Authentication required' }),
        inboundExpected: true,
      }).remediation,
    ).toMatch(/create a Route for qa@mailgoat\.ai/);
  });
  it('names a queued message, a hand-over with nothing after it, and a trail it cannot read', () => {
    expect(cause({ outgoing: out({ status: 'Pending', attempts: 0, details: undefined, output: undefined }) }).remediation).toMatch(
      /worker is running/,
    );
    expect(cause({ outgoing: out(), inboundExpected: true }).cause).toMatch(/^Postal handed it on/);
    expect(cause({ error: 'x' }).cause).toBe("Postal's record of the message could not be read");
    expect(trailCause(undefined, who).remediation).toMatch(/web UI/);
    expect(cause({ outgoing: out({ status: 'SoftFail', details: 'Temporary SMTP delivery error', output: '451 try later' }) }).cause).toBe(
      describeLeg(out({ status: 'SoftFail', details: 'Temporary SMTP delivery error', output: '451 try later' })),
    );
  });
  it('reads a message from outside by its incoming leg alone', () => {
    expect(cause({ inbound: inn(), inboundExpected: true }).cause).toMatch(/answered HTTP 503/);
  });
});
