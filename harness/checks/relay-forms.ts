/**
 * SEC-01's relay attempts: every envelope form nmap's smtp-open-relay tries (its 16 MAIL FROM / RCPT TO
 * pairs, with the server's own names and IP literal) and the classic relay-test lists add — percent hack,
 * quoted local part, source route, bang path, IP literal, null sender, double @, case and trailing-dot
 * variants of the foreign domain — all aimed at one outside mailbox the run can read, so an attempt the
 * server accepts can be followed to where it arrived.
 */
export interface RelayForm {
  /** stable id, e.g. "percent-hack-domain" */
  id: string;
  /** what a reader sees, e.g. "percent hack on the domain" */
  label: string;
  from: string;
  to: string;
  /**
   * The address's last domain is foreign: a server that accepts it can only relay it (no local route can
   * match). When false, an acceptance may be local (a catch-all) and only the message's arrival tells.
   */
  foreignIfAccepted: boolean;
}

export interface RelayFormsInput {
  /** the outside mailbox every form aims at, e.g. seed@gmail.test */
  recipient: string;
  /** the deployment's domain, mail host and public IP (IP literals) */
  domain: string;
  mailHost: string;
  serverIp: string;
  /** an outside sender address for MAIL FROM */
  outsideSender: string;
  /** a local address to forge as MAIL FROM (the catch-all) */
  localSender: string;
}

export function relayForms(input: RelayFormsInput): RelayForm[] {
  const at = input.recipient.lastIndexOf('@');
  const user = input.recipient.slice(0, at);
  const host = input.recipient.slice(at + 1);
  const ip = `[${input.serverIp}]`;
  const out = input.outsideSender;
  const form = (id: string, label: string, to: string, foreignIfAccepted: boolean, from = out): RelayForm => ({
    id,
    label,
    from,
    to,
    foreignIfAccepted,
  });
  return [
    form('plain', 'outside sender to an outside mailbox', `${user}@${host}`, true),
    form('null-sender', 'null sender (bounce) to an outside mailbox', `${user}@${host}`, true, ''),
    form('forged-local-sender', 'forged local sender to an outside mailbox', `${user}@${host}`, true, input.localSender),
    form('ip-literal-sender', 'IP-literal sender to an outside mailbox', `${user}@${host}`, true, `postmaster@${ip}`),
    form('case-variant', 'upper-case foreign domain', `${user}@${host.toUpperCase()}`, true),
    form('trailing-dot', 'foreign domain with a trailing dot', `${user}@${host}.`, true),
    form('percent-hack-domain', 'percent hack on the domain', `${user}%${host}@${input.domain}`, false),
    form('percent-hack-host', 'percent hack on the mail host', `${user}%${host}@${input.mailHost}`, false),
    form('percent-hack-ip', 'percent hack on the IP literal', `${user}%${host}@${ip}`, false),
    form('quoted-domain', 'quoted local part on the domain', `"${user}@${host}"@${input.domain}`, false),
    form('quoted-ip', 'quoted local part on the IP literal', `"${user}@${host}"@${ip}`, false),
    form('quoted-bare', 'quoted address alone', `"${user}@${host}"`, true),
    form('quoted-percent-bare', 'quoted percent hack alone', `"${user}%${host}"`, true),
    form('double-at-domain', 'double @ on the domain', `${user}@${host}@${input.domain}`, false),
    form('double-at-host', 'double @ on the mail host', `${user}@${host}@${input.mailHost}`, false),
    form('double-at-ip', 'double @ on the IP literal', `${user}@${host}@${ip}`, false),
    form('source-route-domain', 'source route through the domain', `@${input.domain}:${user}@${host}`, true),
    form('source-route-host', 'source route through the mail host', `@${input.mailHost}:${user}@${host}`, true),
    form('source-route-ip', 'source route through the IP literal', `@${ip}:${user}@${host}`, true),
    form('bang-path-domain', 'bang path on the domain', `${host}!${user}@${input.domain}`, false),
    form('bang-path-host', 'bang path on the mail host', `${host}!${user}@${input.mailHost}`, false),
    form('bang-path-ip', 'bang path on the IP literal', `${host}!${user}@${ip}`, false),
    form('bang-path-bare', 'bang path alone', `${host}!${user}`, true),
  ];
}
