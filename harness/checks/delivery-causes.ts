/**
 * Why a message did not reach its recipient, in Postal's own words, and what to do about it: a refusal
 * when it was sent (the API's error code, an SMTP reply), or Postal's record of the message afterwards
 * (its status and the last delivery attempt, on the outgoing leg and — for mail between the agents, which
 * Postal hands to its own MX — on the incoming leg to the agent's inbox endpoint). The words follow
 * Postal 3.3.2 (legacy_api/base_controller.rb, send_controller.rb, outgoing_message_processor.rb,
 * incoming_message_processor.rb, http_sender.rb, smtp_server/client.rb).
 */

/** One of Postal's messages as its API shows it: messages/message (status, details) and messages/deliveries. */
export interface PostalLeg {
  id: number;
  direction: 'outgoing' | 'incoming';
  rcptTo?: string;
  status: string;
  attempts: number;
  /** The last attempt's (or decision's) details, e.g. "Received a 503 from http://…". */
  details?: string;
  output?: string;
}

/** What Postal recorded of one sent message: the leg the API created and, when it found it, the leg that followed. */
export interface PostalTrail {
  outgoing?: PostalLeg;
  /** Mail between agents: the incoming message Postal's own MX made of it (found by its Message-ID). */
  inbound?: PostalLeg;
  /** The recipient is on the deployment's own domain: Postal's MX makes an incoming message of it. */
  inboundExpected?: boolean;
  /** Postal could not be asked. */
  error?: string;
}

export interface Cause {
  /** The real cause in a few words, for the summary. */
  cause: string;
  remediation: string;
}

/** One line of a leg for evidence and summaries: "incoming message 14: SoftFail after 3 attempts: Received a 503 from … (…)". */
export function describeLeg(leg: PostalLeg): string {
  const said = `${leg.details ?? ''}${leg.output ? ` (${leg.output.trim().slice(0, 160)})` : ''}`.trim();
  const attempts = leg.attempts === 0 ? 'no delivery attempt yet' : `after ${leg.attempts} attempt${leg.attempts > 1 ? 's' : ''}`;
  return `${leg.direction} message ${leg.id}${leg.rcptTo ? ` to ${leg.rcptTo}` : ''}: ${leg.status} ${attempts}${said ? `: ${said}` : ''}`;
}

export function describeTrail(trail: PostalTrail | undefined): string | undefined {
  if (!trail) return undefined;
  if (trail.error) return `Postal could not be asked: ${trail.error}`;
  return (
    [trail.outgoing, trail.inbound]
      .filter((l): l is PostalLeg => Boolean(l))
      .map(describeLeg)
      .join('; ') || undefined
  );
}

/** The message is still on its way in Postal (queued, or being handed over): late, not lost, if it arrives. */
export function stillInFlight(trail: PostalTrail | undefined): boolean {
  if (!trail || trail.error) return false;
  const last = trail.inbound ?? trail.outgoing;
  if (!last) return false;
  if (last.status === 'Pending') return true;
  // Handed to Postal's own MX, and the incoming message it makes of it not found yet.
  return trail.inboundExpected === true && !trail.inbound && last.status === 'Sent';
}

type Sender = { agent?: string; to: string; path?: string };

/** Rule: the API refused the key, the request or the From address. */
function apiRefusalCause(error: string, who: Sender): Cause | undefined {
  const agent = who.agent ? `${who.agent}'s` : "the sender's";
  if (/InvalidServerAPIKey/.test(error)) {
    return {
      cause: `Postal refused ${agent} API key (InvalidServerAPIKey): the message was never created`,
      remediation: `The API key ${who.agent ? `of ${who.agent} ` : ''}is not a credential of this mail server (revoked, or made on another server): create an API credential in Postal (the mail server → Credentials → API), and give the new key to the agent (postal-api-keys.txt, its MailGoat config); INF-06 checks every key`,
    };
  }
  if (/AccessDenied/.test(error))
    return {
      cause: 'Postal refused the request without a key (AccessDenied)',
      remediation: "Send the X-Server-API-Key header with the agent's API key",
    };
  if (/ServerSuspended/.test(error))
    return {
      cause: 'the mail server is suspended in Postal (ServerSuspended)',
      remediation: 'Unsuspend the mail server (Postal admin → the organization → the mail server), then send again',
    };
  if (/UnauthenticatedFromAddress/.test(error)) {
    return {
      cause: `Postal refused the From address (UnauthenticatedFromAddress)`,
      remediation: 'The From domain must be a verified domain of this mail server (Domains): verify it, or send from an address on it',
    };
  }
  return undefined;
}

/** Rule: Postal's SMTP server refused the credential, the From address or the size. */
function smtpRefusalCause(error: string): Cause | undefined {
  if (/^535\b|Invalid credential|Denied/.test(error)) {
    return {
      cause: `Postal's SMTP server refused the SMTP credential (${error.slice(0, 80)})`,
      remediation:
        "The SMTP credential is not one of this mail server's (revoked or from another server): create an SMTP credential (the mail server → Credentials → SMTP) and give it to the agents' SMTP clients (POSTAL_SMTP_CREDENTIAL for this test)",
    };
  }
  if (/^530 From\/Sender name is not valid/.test(error)) {
    return {
      cause: "Postal's SMTP server refused the From address for this SMTP credential (530 From/Sender name is not valid)",
      remediation: 'The From domain must be a verified domain of the mail server that owns the SMTP credential',
    };
  }
  if (/^552\b|Message too large/.test(error)) {
    return {
      cause: `the message was refused as too large (${error.slice(0, 80)})`,
      remediation:
        "Raise smtp_server.max_message_size in postal.yml to the size the agents send (Postal's default is 14 MB), then restart smtp",
    };
  }
  return undefined;
}

/** Rule: the web process failed, or its certificate expired. */
function webFailureCause(error: string): Cause | undefined {
  if (/HTTP 5\d\d|internal-server-error/i.test(error)) {
    return {
      cause: `Postal's API answered with a server error (${error.match(/HTTP 5\d\d/)?.[0] ?? 'internal-server-error'}): it could not take the message`,
      remediation:
        "Postal's web process failed on the request: check its log (docker compose -p postal logs web) and that its database (postal-mariadb) is running and reachable (INF-03)",
    };
  }
  if (/certificate has expired|CERT_HAS_EXPIRED/i.test(error)) {
    return {
      cause: "Postal's web certificate has expired: every API client refuses the connection",
      remediation:
        "Renew the certificate of the web host (Caddy renews it when it can reach Let's Encrypt on port 80/443: check its log), see INF-04",
    };
  }
  return undefined;
}

/** Rule: the STARTTLS handshake failed. */
function tlsCause(error: string): Cause | undefined {
  if (/protocol version|unsupported protocol|no protocols available|SSL routines|ETLS/i.test(error)) {
    const versions = /protocol version|unsupported protocol|no protocols available/i.test(error);
    return {
      cause: `the STARTTLS handshake with Postal's SMTP server failed${versions ? ' on the TLS version' : ''} (${error.slice(0, 120)}): the message was never submitted`,
      remediation: versions
        ? 'Postal\'s SMTP server offers no TLS version the agents accept (TLS 1.2 or 1.3): set smtp_server.ssl_version in postal.yml to allow them (the default "SSLv23" negotiates the best both sides have), then restart smtp (SEC-03)'
        : "Fix Postal's SMTP TLS (smtp_server.tls_certificate_path, tls_private_key_path, ssl_version), then send again (SEC-03)",
    };
  }
  return undefined;
}

/** Rule: no answer in time, from the SMTP server or the API. */
function noAnswerCause(error: string, who: Sender): Cause | undefined {
  const smtp = who.path === 'SMTP';
  if (/no answer|never received|ECONNREFUSED|ETIMEDOUT|timed out|timeout|socket|connect/i.test(error)) {
    return smtp
      ? {
          cause: `Postal's SMTP server did not answer in time (${error.slice(0, 120)})`,
          remediation:
            "Make Postal's smtp process answer on port 25 promptly, its STARTTLS included (INF-01, INF-03, SEC-03), then send again",
        }
      : {
          cause: `Postal's API did not answer in time (${error.slice(0, 120)})`,
          remediation: 'Make the web process and its proxy answer on 443 promptly (INF-01, INF-03), then send again',
        };
  }
  return undefined;
}

/** Any other refusal: Postal's own words. */
function otherRefusalCause(error: string): Cause {
  return {
    cause: `Postal refused the message (${error.slice(0, 120)})`,
    remediation: "Look up the error code in Postal's API documentation and fix the request or the server setting it names",
  };
}

/** A refusal at sending time: the API's status and code, an SMTP reply, or no answer at all. */
export function sendErrorCause(error: string, who: Sender): Cause {
  return (
    apiRefusalCause(error, who) ??
    smtpRefusalCause(error) ??
    webFailureCause(error) ??
    tlsCause(error) ??
    noAnswerCause(error, who) ??
    otherRefusalCause(error)
  );
}

/** What trailCause's rules read: the leg that stopped, its words, who it was for. */
interface TrailFacts {
  trail: PostalTrail;
  leg: PostalLeg;
  /** The leg's details and output, for matching. */
  details: string;
  who: { to: string; agent?: string };
  inbox: string;
}

/** Rule: Postal holds the message, and why. */
function heldCause({ leg, details, who, inbox }: TrailFacts): Cause | undefined {
  if (leg.status !== 'Held') return undefined;
  if (/send limit/i.test(details))
    return {
      cause: `Held by Postal: ${leg.details}`,
      remediation:
        "The mail server's send limit (messages per hour) is below what the agents send: raise or clear it (the mail server → Settings → Send limit), then release the held messages",
    };
  if (/Credential is configured to hold/i.test(details))
    return {
      cause: `Held by Postal: ${leg.details}`,
      remediation: `The credential the message was sent with is set to Hold: turn Hold off for it (the mail server → Credentials), then release the held messages`,
    };
  if (/suppression list/i.test(details))
    return {
      cause: `Held by Postal: ${leg.details}`,
      remediation: `Remove ${leg.rcptTo ?? who.to} from the mail server's suppression list (Messages → Suppressions) after fixing why it bounced, then release the message`,
    };
  if (/development mode/i.test(details))
    return {
      cause: `Held by Postal: ${leg.details}`,
      remediation:
        'The mail server is in Development mode, which holds every message: switch it to Live (the mail server → Settings → Mode)',
    };
  if (/quarantine/i.test(details))
    return {
      cause: `Held by Postal: ${leg.details}`,
      remediation: `Postal scored the message as spam and the route's spam mode is Quarantine: check the server's spam threshold (Settings → Spam) and the route's spam mode for ${who.to}`,
    };
  if (/not sent to any endpoints/i.test(details))
    return {
      cause: `Held by Postal: ${leg.details}`,
      remediation: `The route for ${who.to} is set to Hold instead of its inbox endpoint: point the route at ${inbox} (Routes)`,
    };
  return {
    cause: `Held by Postal: ${leg.details ?? 'no reason given'}`,
    remediation: 'Open the held message in Postal: the reason is on its right-hand side; release it once the cause is fixed',
  };
}

/** Rule: the route or the spam threshold dropped, refused or bounced it. */
function routeCause({ leg, details, who, inbox }: TrailFacts): Cause | undefined {
  if (leg.status === 'Processed' && /not sent to any endpoints/i.test(details)) {
    return {
      cause: `accepted and dropped by Postal: ${leg.details}`,
      remediation: `The route for ${who.to} is set to Accept (accept and discard) instead of its inbox endpoint: point the route at ${inbox} (Routes)`,
    };
  }
  if (/likely spam/i.test(details)) {
    return {
      cause: `failed by Postal as spam: ${leg.details}`,
      remediation:
        "The mail server's outbound spam threshold is below the score of ordinary mail: raise it (Settings → Outbound spam threshold) or leave it empty",
    };
  }
  if (/Route does not accept incoming messages/i.test(details)) {
    return {
      cause: `refused by Postal's own MX: ${(leg.output ?? '').trim() || 'the route does not accept incoming messages'}`,
      remediation: `The route for ${who.to} is set to Reject: point it at ${inbox} (Routes)`,
    };
  }
  if (/bounced because the route asks/i.test(details))
    return {
      cause: `bounced by Postal: ${leg.details}`,
      remediation: `The route for ${who.to} is set to Bounce: point it at ${inbox} (Routes)`,
    };
  return undefined;
}

/** Rule: the HTTP endpoint's answer to Postal. */
function endpointCause({ leg, details, who, inbox }: TrailFacts): Cause | undefined {
  if (!/Received a (-?\d+) from/.test(details)) return undefined;
  const code = Number(/Received a (-?\d+) from/.exec(details)![1]);
  const url = /from (\S+)/.exec(leg.details ?? '')?.[1] ?? 'the endpoint';
  const answer =
    code === -1 ? `could not connect to ${url}` : code === -2 ? `timed out waiting for ${url}` : `${url} answered HTTP ${code}`;
  if (code >= 200 && code < 300) {
    return {
      cause: `Postal delivered it to ${url} (HTTP ${code}) but the agent's inbox does not list it`,
      remediation: `${inbox} took the message and answered ${code} without keeping it where the agent reads it: check the receiver stores what it acknowledges (its database, its listing)`,
    };
  }
  const fix =
    code === -2
      ? `${inbox} answers slower than the endpoint's timeout: make it answer 2xx at once (store, then work), or raise the HTTP endpoint's timeout (5 s by default, at most 60)`
      : code < 0
        ? `Postal cannot reach ${inbox} at ${url}: check the endpoint URL (host, port, http/https) in Postal (the mail server → Routing → HTTP endpoints) and that the receiver is running`
        : code >= 500
          ? `${inbox} fails with HTTP ${code}: Postal retries, then gives up; fix the receiver (its log says why) so it answers 2xx`
          : `${inbox} refuses Postal's request with HTTP ${code}: check the endpoint's format (Hash, sent as JSON) and path, and the receiver's signature check`;
  return { cause: `the incoming message to ${leg.rcptTo ?? who.to}: ${answer} (${leg.status})`, remediation: fix };
}

/** Rule: the receiving side refused it (DMARC, DNS, size, no route at Postal's own MX). */
function receiverCause({ trail, leg, details, who }: TrailFacts): Cause | undefined {
  if (/\b5\.7\.26\b|DMARC/i.test(leg.output ?? '')) {
    return {
      cause: `refused by the receiving provider for failing DMARC (${(leg.output ?? '').trim().slice(0, 120)})`,
      remediation: `${who.to.split('@')[1]} enforces the domain's DMARC policy: make SPF or DKIM pass aligned with the From domain (FN-04), or relax the DMARC policy until they do`,
    };
  }
  if (/No SMTP servers were available|DNS error/i.test(details)) {
    return {
      cause: `Postal could not deliver: ${leg.details}`,
      remediation: `Postal finds the recipient's mail server through DNS from the server itself: check the MX of ${who.to.split('@')[1]} and the resolver Postal uses (dns.resolv_conf_path), and that outgoing port 25 is open`,
    };
  }
  if (/\b552\b|too large/i.test(details))
    return {
      cause: `refused as too large: ${details.trim()}`,
      remediation:
        "Raise smtp_server.max_message_size in postal.yml to the size the agents send (Postal's default is 14 MB), then restart smtp",
    };
  if (/\b530\b|Authentication required/.test(details) && !trail.inbound) {
    return {
      cause: `Postal's own MX refused the recipient (${(leg.output ?? leg.details ?? '').trim()})`,
      remediation: `Postal refuses RCPT for an address with no route: create a Route for ${who.to} (or the catch-all "*")`,
    };
  }
  return undefined;
}

/** Rule: still queued, handed on, or whatever the deliveries say. */
function lastLegCause({ trail, leg, who }: TrailFacts): Cause {
  if (leg.status === 'Pending') {
    return {
      cause: `still queued in Postal (${describeLeg(leg)})`,
      remediation:
        'Postal has not processed the message: check the worker is running (INF-03) and its queue (postal_message_queue_latency on the worker /metrics)',
    };
  }
  if (trail.outgoing?.status === 'Sent' && !trail.inbound) {
    return {
      cause: `Postal handed it on (${describeLeg(trail.outgoing)}) but it is not in the recipient's copy`,
      remediation: `Find the message in Postal (Messages → Incoming for ${who.to}, or at the receiving side): its deliveries show where it went after Postal's hand-over`,
    };
  }
  return {
    cause: describeLeg(leg),
    remediation: `Open the message in Postal (the mail server → Messages): its deliveries show the receiving side's answer for ${who.to}`,
  };
}

/** Why a message Postal accepted never reached the recipient, from Postal's record of it. */
export function trailCause(trail: PostalTrail | undefined, who: { to: string; agent?: string }): Cause {
  const fallback: Cause = {
    cause: "Postal's record of the message could not be read",
    remediation: `Look the message up in Postal's web UI (the mail server → Messages): its status and deliveries say where it stopped on the way to ${who.to}`,
  };
  const leg = trail?.inbound ?? trail?.outgoing;
  if (!trail || trail.error || !leg) return fallback;
  const facts: TrailFacts = {
    trail,
    leg,
    details: `${leg.details ?? ''} ${leg.output ?? ''}`,
    who,
    inbox: who.agent ? `${who.agent}'s inbox endpoint` : 'the inbox endpoint',
  };
  return heldCause(facts) ?? routeCause(facts) ?? endpointCause(facts) ?? receiverCause(facts) ?? lastLegCause(facts);
}
