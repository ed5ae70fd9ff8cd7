/**
 * Relay holes of the kind the classic relay tests probe (nmap's smtp-open-relay, the relay-test lists):
 * a mail host that decodes an old routing syntax in a recipient on its own domain, or that relays for
 * anyone who did STARTTLS, hands the message on to the foreign address inside. Postal 3.3.2 does none
 * of this; a front MTA or an old relay configuration does (see world/faults.ts for each source). The
 * stand-in asks this before Postal's own RCPT logic, as a front MTA would.
 */
export type RelayForm = 'percent-hack' | 'source-route' | 'bang-path' | 'quoted-local-part' | 'double-at';

export interface RelayHoles {
  /** Routing syntaxes decoded and relayed. */
  forms?: RelayForm[];
  /** Anything a client asks for after STARTTLS is relayed (TLS taken for authentication). */
  afterStarttls?: boolean;
}

/** The foreign address a hole would relay `rcptTo` to, or undefined when none of `forms` applies. */
export function relayedAddress(rcptTo: string, forms: readonly RelayForm[], isOwn: (domain: string) => boolean): string | undefined {
  const has = (form: RelayForm): boolean => forms.includes(form);
  const lastAt = rcptTo.lastIndexOf('@');
  const local = lastAt < 0 ? rcptTo : rcptTo.slice(0, lastAt);
  const ownDomain = lastAt >= 0 && isOwn(rcptTo.slice(lastAt + 1));
  const bare = lastAt < 0;
  const foreign = (address: string): string | undefined => {
    const at = address.lastIndexOf('@');
    return at > 0 && !isOwn(address.slice(at + 1)) ? address : undefined;
  };
  // @relay:user@domain (RFC 5321 appendix C): the route is dropped and the mail goes to user@domain.
  const route = /^@[^:]+:(.+)$/.exec(rcptTo);
  if (route && has('source-route')) return foreign(route[1]!);
  // "user@domain"@own or "user@domain" alone
  const quotedAlone = /^"([^"]+)"$/.exec(rcptTo);
  const quoted = quotedAlone ?? (ownDomain ? /^"([^"]+)"$/.exec(local) : null);
  if (quoted && has('quoted-local-part')) return foreign(quoted[1]!);
  if (!ownDomain && !bare) return undefined;
  // user%domain@own: the last % becomes the @ (sendmail, Postfix allow_percent_hack)
  if (has('percent-hack') && local.includes('%') && !local.startsWith('"')) {
    const i = local.lastIndexOf('%');
    return foreign(`${local.slice(0, i)}@${local.slice(i + 1)}`);
  }
  // domain!user@own (UUCP bang path)
  const bang = /^([^!@"]+)!([^!@"]+)$/.exec(local);
  if (bang && has('bang-path')) return foreign(`${bang[2]}@${bang[1]}`);
  // user@domain@own: everything before the last @ is the address
  if (has('double-at') && local.includes('@') && !local.startsWith('"')) return foreign(local);
  return undefined;
}
