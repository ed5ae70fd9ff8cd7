/**
 * Named faults of the security controls (SEC-01…SEC-07, INF-06's key scope, DNS-10…): each a real way a
 * mail host is left open, with the public source it comes from — the checker that tests for it (nmap's
 * smtp scripts, testssl.sh, internet.nl, checkdmarc) or Postal's own source at 3.3.2. The controls each
 * must turn red, and the words of the cause, are the fault oracle's (scripts/fault-oracle.ts).
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import type { WorldFault } from './world-fault.ts';

/** SHA-256 of the public key the certificate had before its renewal: a key the server no longer holds. */
function oldKeyDigest(): string {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

const NMAP_RELAY = 'https://nmap.org/nsedoc/scripts/smtp-open-relay.html';

const relayHole = (
  name: string,
  form: 'percent-hack' | 'source-route' | 'bang-path' | 'quoted-local-part' | 'double-at',
  description: string,
): WorldFault => ({
  name,
  description,
  source: NMAP_RELAY,
  postal: { relay: { forms: [form] } },
});

export const SECURITY_FAULTS: WorldFault[] = [
  relayHole(
    'relay-percent-hack',
    'percent-hack',
    'a front MTA decodes user%outside@mailgoat.ai to user@outside and relays it (Postfix allow_percent_hack with the domain in relay_domains)',
  ),
  relayHole(
    'relay-source-route',
    'source-route',
    'a front MTA honours source routes: @mailgoat.ai:user@outside is relayed to user@outside',
  ),
  relayHole('relay-bang-path', 'bang-path', 'a front MTA decodes UUCP bang paths: outside!user@mailgoat.ai is relayed to user@outside'),
  relayHole(
    'relay-quoted-local-part',
    'quoted-local-part',
    'a front MTA unquotes "user@outside"@mailgoat.ai and relays it to user@outside',
  ),
  relayHole('relay-double-at', 'double-at', 'a front MTA reads user@outside@mailgoat.ai as user@outside and relays it'),
  {
    name: 'relay-after-starttls',
    description:
      'the mail host relays for any client that did STARTTLS, as if TLS were authentication (Postfix permit_tls_all_clientcerts)',
    source: 'https://www.postfix.org/postconf.5.html#permit_tls_all_clientcerts',
    postal: { relay: { afterStarttls: true } },
  },
  {
    name: 'smtp-auth-any-password',
    description: 'SMTP AUTH PLAIN/LOGIN grants any password (an authentication backend answering yes): anyone can send and relay',
    source: 'https://nmap.org/nsedoc/scripts/smtp-brute.html',
    postal: { authAnyPassword: true },
  },
  {
    name: 'domain-use-for-any',
    description: 'the domain is marked "use for any" in Postal: its credentials send From any domain at all',
    source: 'https://github.com/postalserver/postal/blob/3.3.2/app/models/server.rb',
    postal: { domainUseForAny: true },
  },
  {
    name: 'smtp-cert-expired',
    description:
      "the certificate at smtp_server.tls_certificate_path expired 10 days ago: Caddy renewed the web copy, nobody renewed (or restarted smtp for) Postal's own file",
    source: 'https://github.com/postalserver/postal/issues/98',
    postal: { smtpCertificate: 'expired' },
  },
  {
    name: 'smtp-cert-expiring',
    description: "the SMTP certificate expires in 3 days: its renewal is not wired to the web certificate's",
    source: 'https://github.com/postalserver/postal/issues/98',
    postal: { smtpCertificate: 'expiring' },
  },
  {
    name: 'smtp-cert-wrong-name',
    description:
      "the web host's certificate (postal.mailgoat.ai) was copied into smtp_server.tls_certificate_path: STARTTLS on mail.mailgoat.ai shows another name",
    source: 'https://github.com/postalserver/postal/issues/98',
    postal: { smtpCertificate: 'wrong-name' },
  },
  {
    name: 'smtp-tls-legacy-versions',
    description:
      'postal.yml sets smtp_server.ssl_version / tls_ciphers to old values (TLSv1_1, as in an old guide): STARTTLS on 25 offers TLS 1.0 and 1.1',
    source: 'https://github.com/postalserver/postal/issues/799',
    postal: { smtpLegacyTls: true },
  },
  {
    name: 'spoof-own-domain-delivered',
    description:
      "Postal's inspection has no check against spoofed senders (Postal 3.3.2 as shipped: no SPF, no DMARC on incoming mail): mail from outside From ceo@mailgoat.ai reaches the agents unmarked",
    source: 'https://github.com/postalserver/postal/blob/3.3.2/app/lib/message_dequeuer/incoming_message_processor.rb',
    postal: { inboundSpoofChecks: 'off' },
  },
  {
    name: 'spoof-reject-domain-delivered',
    description:
      "Postal's inspection guards only the own domain: mail From a domain publishing DMARC p=reject (sender.test), sent by a stranger, reaches the agents unmarked",
    source: 'https://checkdmarc.readthedocs.io/en/latest/',
    postal: { inboundSpoofChecks: 'own-domain-only' },
  },
  {
    name: 'mta-sts-broken',
    description:
      'MTA-STS is published in enforce mode, but the policy still lists the old MX (mx.old-provider.example): senders that honour it refuse to deliver to mail.mailgoat.ai',
    source: 'https://internet.nl/faq/mta-sts/',
    zone: (records, ctx) => [
      ...records,
      { name: `_mta-sts.${ctx.deployment.domain}`, type: 'TXT', ttl: ctx.deployment.dns.ttl, data: 'v=STSv1; id=20261206a' },
      { name: `mta-sts.${ctx.deployment.domain}`, type: 'A', ttl: ctx.deployment.dns.ttl, data: ctx.deployment.server.ip },
    ],
    postal: { mtaStsPolicy: 'version: STSv1\nmode: enforce\nmx: mx.old-provider.example\nmax_age: 604800\n' },
  },
  {
    name: 'tls-rpt-malformed',
    description: 'the TLS-RPT record names its report address without mailto: (rua=tls-reports@mailgoat.ai): no sender can report',
    source: 'https://checkdmarc.readthedocs.io/en/latest/',
    zone: (records, ctx) => [
      ...records,
      {
        name: `_smtp._tls.${ctx.deployment.domain}`,
        type: 'TXT',
        ttl: ctx.deployment.dns.ttl,
        data: `v=TLSRPTv1; rua=tls-reports@${ctx.deployment.domain}`,
      },
    ],
  },
  {
    name: 'caa-forbids-issuance',
    description: 'a CAA record 0 issue ";" at the domain lets no CA issue: the web certificate can no longer be renewed',
    source: 'https://www.rfc-editor.org/rfc/rfc8659#section-4.2',
    zone: (records, ctx) => [...records, { name: ctx.deployment.domain, type: 'CAA', ttl: ctx.deployment.dns.ttl, data: '0 issue ";"' }],
  },
  {
    name: 'dnssec-expired-signatures',
    description:
      'mailgoat.ai\'s zone is signed, but its signer stopped re-signing: every RRSIG expired 10 days ago, and validating resolvers (internet.nl\'s "DNSSEC validity" test, 1.1.1.1, 8.8.8.8) answer SERVFAIL for its MX, SPF and DKIM',
    source: 'https://www.rfc-editor.org/rfc/rfc4035#section-5.3.1',
    dnssec: 'expired-signatures',
  },
  {
    name: 'dnssec-ds-mismatch',
    description:
      'the zone was re-keyed (or moved to a DNS host that signs with its own key) but the DS at the registrar still names the old key: the chain of trust breaks at the delegation and validating resolvers refuse the whole domain',
    source: 'https://www.rfc-editor.org/rfc/rfc4035#section-5.2',
    dnssec: 'ds-mismatch',
  },
  {
    name: 'dane-tlsa-stale-after-renewal',
    description:
      'the zone is signed and publishes TLSA 3 1 1 for the MX, but the SMTP certificate was renewed with a new key and the TLSA still names the old one: DANE senders (Postfix dane, Exchange Online) refuse to deliver to mail.mailgoat.ai',
    source: 'https://dane.sys4.de/common_mistakes',
    dnssec: 'signed',
    zone: (records, ctx) => [
      ...records,
      { name: `_25._tcp.${ctx.deployment.server.mailHost}`, type: 'TLSA', ttl: ctx.deployment.dns.ttl, data: `3 1 1 ${oldKeyDigest()}` },
    ],
  },
];
