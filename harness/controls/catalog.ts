/**
 * The control catalog: every success criterion of MailGoat's deployment plan, with a stable id.
 * A control no spec has registered yet is reported as "not implemented" — never as passed.
 */
export type Area = 'infrastructure' | 'dns' | 'security' | 'functionality' | 'performance';
export const AREAS: readonly Area[] = ['infrastructure', 'dns', 'security', 'functionality', 'performance'];
export type Severity = 'critical' | 'high' | 'medium' | 'low';

export interface ControlDefinition {
  id: string;
  title: string;
  area: Area;
  severity: Severity;
  /** Controls that must pass first; if one fails this control is "blocked", not failed again. */
  prerequisites: string[];
  /** Which line of the plan's checklist this control proves (see CHECKLIST). */
  checklist: ChecklistItemId;
  description: string;
}

export type ChecklistItemId =
  | 'containers'
  | 'accounts'
  | 'dns'
  | 'security'
  | 'internal-mail'
  | 'external-mail'
  | 'authentication'
  | 'spam-score'
  | 'cli'
  | 'performance';

/** The deployment plan's success criteria, in its own words, in its order. */
export const CHECKLIST: ReadonlyArray<{ id: ChecklistItemId; text: string }> = [
  { id: 'containers', text: 'Postal running in Docker, all containers healthy' },
  { id: 'accounts', text: '13 agent email accounts created, each with an API key' },
  { id: 'dns', text: 'DNS configured and verified: MX, A, SPF, DKIM, DMARC, PTR' },
  { id: 'security', text: 'Server secured: no open relay, API keys enforced, TLS offered' },
  { id: 'internal-mail', text: 'Internal email delivery working (agent to agent)' },
  {
    id: 'external-mail',
    text: 'External email delivery working: Gmail and Outlook, delivered to inbox (not spam), and mail from outside received',
  },
  { id: 'authentication', text: 'SPF, DKIM and DMARC passing' },
  { id: 'spam-score', text: 'Spam score of at least 8/10 (mail-tester)' },
  { id: 'cli', text: 'MailGoat CLI fully functional (send, inbox, read)' },
  { id: 'performance', text: 'Delivery fast enough for the agents: throughput and latency within target' },
];

const control = (
  id: string,
  area: Area,
  checklist: ChecklistItemId,
  severity: Severity,
  title: string,
  description: string,
  prerequisites: string[] = [],
): ControlDefinition => ({ id, area, checklist, severity, title, description, prerequisites });

export const CATALOG: ReadonlyArray<ControlDefinition> = [
  control(
    'INF-01',
    'infrastructure',
    'containers',
    'critical',
    'Server reachable on ports 25 and 443',
    'TCP connections to the mail host on 25 (SMTP) and the web host on 443 (HTTPS) succeed.',
  ),
  control(
    'INF-02',
    'infrastructure',
    'containers',
    'critical',
    'Postal is running',
    'The SMTP banner says Postal, the web UI answers /login with 200, and the version is reported when the target can tell.',
    ['INF-01'],
  ),
  control(
    'INF-03',
    'infrastructure',
    'containers',
    'critical',
    'All containers running and healthy',
    'Every service of the deployment is running and healthy, and the worker and smtp /health endpoints answer OK.',
    ['INF-01'],
  ),
  control(
    'INF-04',
    'infrastructure',
    'containers',
    'high',
    'Web UI accessible over valid TLS',
    'The web host presents a certificate with a valid chain, a matching name and more than 14 days to expiry.',
    ['INF-01'],
  ),
  control(
    'INF-05',
    'infrastructure',
    'accounts',
    'critical',
    'All 13 agent accounts routed',
    "Each agent address reaches its own agent's inbox; an unknown address lands with the catch-all.",
    ['INF-02'],
  ),
  control(
    'INF-06',
    'infrastructure',
    'accounts',
    'critical',
    'All 13 API keys valid and distinct',
    "Every agent API key authenticates and may send as its own agent (both side-effect free), no two agents share a key, and none sends From a foreign domain; that Postal keys are server-wide (one agent's key sends as any other) is reported.",
    ['INF-02'],
  ),
  control(
    'INF-07',
    'infrastructure',
    'external-mail',
    'high',
    'Outbound port 25 open to the big providers',
    "A connection from the server to Gmail's, Outlook's and Yahoo's preferred MX on port 25 is greeted with 220 (the plan's first risk: providers block outgoing 25 on new accounts).",
  ),
  control('DNS-01', 'dns', 'dns', 'critical', 'MX record points to the mail host', 'The domain publishes MX 10 <mail host>.'),
  control('DNS-02', 'dns', 'dns', 'critical', 'A record of the mail host', 'The mail host resolves to the server IP.'),
  control(
    'DNS-03',
    'dns',
    'dns',
    'critical',
    'SPF authorises the server',
    'Exactly one valid SPF record, at most 10 DNS lookups, evaluating to pass for the sending IP.',
  ),
  control(
    'DNS-04',
    'dns',
    'dns',
    'critical',
    'DKIM record published',
    'The DKIM record at the selector parses, has a key of at least 1024 bits (2048 recommended), and matches the signing key.',
  ),
  control(
    'DNS-05',
    'dns',
    'dns',
    'high',
    'DMARC record published',
    'Exactly one valid DMARC record with the planned policy and aggregate-report address.',
  ),
  control(
    'DNS-06',
    'dns',
    'dns',
    'high',
    'PTR (reverse DNS) matches the mail host',
    'The server IP has a PTR to the mail host and that name resolves back to the IP (forward-confirmed reverse DNS).',
  ),
  control(
    'DNS-07',
    'dns',
    'dns',
    'medium',
    'DNS propagated to every resolver',
    'Every configured resolver gives the same answers for the deployment records.',
    ['DNS-01'],
  ),
  control(
    'DNS-08',
    'dns',
    'external-mail',
    'high',
    'Server IP and domain on no DNS blocklist',
    'The server IP on none of Spamhaus ZEN, SpamCop, Barracuda and other IP lists, the domain on neither Spamhaus DBL nor SURBL; each list asked for its RFC 5782 test point too, so "not listed" means it was asked.',
  ),
  control(
    'DNS-09',
    'dns',
    'dns',
    'high',
    'DMARC report address accepts mail',
    "Every rua=mailto: address of the DMARC record is accepted at its domain's MX (RCPT TO, nothing sent), so the receivers' aggregate reports can arrive.",
  ),
  control(
    'DNS-10',
    'dns',
    'security',
    'low',
    'MTA-STS policy (advisory)',
    'As internet.nl and checkdmarc test it: TXT _mta-sts with an id, and the policy at https://mta-sts.<domain>/.well-known/mta-sts.txt listing every MX. Not published warns; published but broken fails.',
  ),
  control(
    'DNS-11',
    'dns',
    'security',
    'low',
    'TLS-RPT record (advisory)',
    'TXT _smtp._tls "v=TLSRPTv1; rua=mailto:…" so senders report TLS failures. Not published warns; published but unreadable fails.',
  ),
  control(
    'DNS-12',
    'dns',
    'security',
    'low',
    'CAA for the web host (advisory)',
    'CAA records found climbing from the web host to the domain name the CA that issues its certificate; none warns, records that let no CA issue fail (the next renewal would be refused).',
  ),
  control(
    'DNS-13',
    'dns',
    'security',
    'low',
    'DNSSEC signed and validating (advisory)',
    "As internet.nl and checkdmarc test it: a DS at the parent matching the zone key, and MX, SPF, DMARC, DKIM and the mail host validating from the root anchor. Unsigned warns; signed but broken (expired signatures, DS mismatch) fails: validating resolvers refuse the domain's mail records.",
  ),
  control(
    'DNS-14',
    'dns',
    'security',
    'low',
    'DANE TLSA for the MX (advisory)',
    'As internet.nl tests it: TLSA at _25._tcp.<mx host> (usage 2 or 3) matching the certificate the MX presents on STARTTLS, in a DNSSEC-signed zone. Absent warns; published but matching no presented certificate fails (DANE senders refuse to deliver).',
  ),
  control(
    'SEC-01',
    'security',
    'security',
    'critical',
    'Not an open relay',
    "Every relay form nmap's smtp-open-relay and the relay-test lists try (percent hack, quoted local part, source route, bang path, IP literal, null sender, double @, case and trailing-dot variants), without AUTH, after STARTTLS and after a refused AUTH, is refused at RCPT or kept on the server; an accepted one is followed through DATA to where it arrived.",
    ['INF-01'],
  ),
  control(
    'SEC-02',
    'security',
    'security',
    'critical',
    'Wrong API key refused',
    'The API refuses an unknown key (and the harness never prints it).',
    ['INF-02'],
  ),
  control(
    'SEC-03',
    'security',
    'security',
    'high',
    'STARTTLS offered on the MX',
    'The mail host offers STARTTLS and the handshake succeeds.',
    ['INF-01'],
  ),
  control(
    'SEC-04',
    'security',
    'security',
    'critical',
    'SMTP AUTH refuses wrong passwords and foreign senders',
    'A wrong password gets 535 (in clear and after STARTTLS, PLAIN and LOGIN); AUTH offered before STARTTLS is reported; the SMTP credential cannot send From a domain the server does not own.',
    ['INF-01'],
  ),
  control(
    'SEC-05',
    'security',
    'security',
    'high',
    'TLS 1.2+ only on the web host and the MX',
    'TLS 1.0 and 1.1 are attempted explicitly on 443 and on 25 after STARTTLS: offered is a fail, as is no TLS 1.2/1.3; the best version, weak suites and client-initiated renegotiation are reported as testssl.sh grades them (advisory).',
    ['INF-01'],
  ),
  control(
    'SEC-06',
    'security',
    'security',
    'high',
    'SMTP certificate valid, for the mail host, not about to expire',
    "The certificate STARTTLS presents on the MX is judged like the web one: trusted chain, the mail host's name, more than 14 days left (under 30 warns); Postal reads it from its own file, which nothing renews by itself.",
    ['SEC-03'],
  ),
  control(
    'SEC-07',
    'security',
    'security',
    'critical',
    'Spoofed mail to the agents is refused or marked',
    "A stranger's unauthenticated message From an agent of the domain, and one From a domain publishing DMARC p=reject, never reach an agent's inbox without a mark the agent can act on (Postal checks neither SPF nor DMARC on incoming mail).",
    ['INF-01'],
  ),
  control(
    'FN-01',
    'functionality',
    'internal-mail',
    'critical',
    'Internal mail agent to agent',
    'Every agent sends to the next (a ring of 13) and every message arrives intact.',
    ['INF-05', 'INF-06'],
  ),
  control(
    'FN-02',
    'functionality',
    'external-mail',
    'critical',
    'External mail accepted by Gmail and Outlook',
    'Mail from an agent to each provider seed is accepted.',
    ['INF-06'],
  ),
  control(
    'FN-03',
    'functionality',
    'external-mail',
    'critical',
    'External mail lands in the inbox, not spam',
    'At each provider the message is in the Inbox, not Junk.',
    ['FN-02'],
  ),
  control(
    'FN-04',
    'functionality',
    'authentication',
    'critical',
    'SPF, DKIM and DMARC pass, DKIM aligned',
    'As the provider recorded them and as re-verified from the raw message, with DKIM d= aligned to the From domain.',
    ['FN-02'],
  ),
  control(
    'FN-05',
    'functionality',
    'spam-score',
    'high',
    'Spam score at least 8/10',
    "mail-tester's own score from its JSON API when MAIL_TESTER_USER or MAIL_TESTER_ADDRESS is set, otherwise a mail-tester-style score (10 minus SpamAssassin points and fixed deductions); every deduction listed.",
    ['FN-02'],
  ),
  control(
    'FN-06',
    'functionality',
    'cli',
    'high',
    'MailGoat CLI works end to end',
    'send → the message arrives → inbox list shows it → read opens it; a bad key makes send exit non-zero.',
    ['INF-06'],
  ),
  control(
    'FN-07',
    'functionality',
    'external-mail',
    'critical',
    'Mail from outside reaches an agent',
    'A message from an outside sender reaches the addressed agent inbox.',
    ['INF-05', 'DNS-01'],
  ),
  control(
    'FN-08',
    'functionality',
    'authentication',
    'high',
    'DMARC aggregate reports: the server aligned and passing',
    "The receivers' aggregate reports that reached the rua address (read, deduplicated, hostile ones refused): the server's IP SPF- and DKIM-aligned at every reporter, no source outside the deployment delivered as the domain, every report readable.",
  ),
  control(
    'PERF-01',
    'performance',
    'performance',
    'medium',
    'Sustained throughput at target',
    'Sending through the API at the target rate for the target duration with zero errors.',
    ['FN-01'],
  ),
  control(
    'PERF-02',
    'performance',
    'performance',
    'medium',
    'Delivery latency p95 within target',
    'p50/p95/p99 of send-to-inbox latency, p95 at most the target.',
    ['FN-01'],
  ),
];

const AREA_ALIASES: Record<string, Area> = {
  infrastructure: 'infrastructure',
  inf: 'infrastructure',
  dns: 'dns',
  security: 'security',
  sec: 'security',
  functionality: 'functionality',
  fn: 'functionality',
  performance: 'performance',
  perf: 'performance',
};

export function findControl(id: string): ControlDefinition | undefined {
  return CATALOG.find((c) => c.id === id.toUpperCase());
}

/** Turns `--only=dns,SEC-01` into control ids; returns the unknown words so the CLI can name them. */
export function resolveSelection(words: string[]): { ids: string[]; unknown: string[] } {
  const ids = new Set<string>();
  const unknown: string[] = [];
  for (const word of words.map((w) => w.trim()).filter(Boolean)) {
    const area = AREA_ALIASES[word.toLowerCase()];
    const single = findControl(word);
    if (area) CATALOG.filter((c) => c.area === area).forEach((c) => ids.add(c.id));
    else if (single) ids.add(single.id);
    else unknown.push(word);
  }
  return { ids: [...ids], unknown };
}

export const AREA_NAMES = Object.keys(AREA_ALIASES);
