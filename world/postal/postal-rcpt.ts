/**
 * How Postal 3.3.2 reads a RCPT TO line (app/lib/smtp_server/client.rb, `rcpt_to`), before any route
 * is looked up: no address syntax is checked. Everything up to the last `<` and from the first `>` is
 * dropped, the address is split at its FIRST `@` (so `a@b@c` has the domain `b@c`), and a `+tag` is cut
 * from the local part — where Ruby's `"".split("+", 2)` gives no local part at all (a source route
 * `@host:user@domain` then matches no route and asks for authentication).
 */
export type PostalRcpt =
  { kind: 'reply'; code: number; message: string } | { kind: 'address'; rcptTo: string; uname: string | undefined; domain: string };

/** `data.gsub(/RCPT TO\s*:\s*\/i, "").gsub(/.*</, "").gsub(/>.*\/, "").strip` */
export function postalAddressArgument(line: string, verb: 'RCPT TO' | 'MAIL FROM'): string {
  return line
    .replace(new RegExp(`${verb}\\s*:\\s*`, 'gi'), '')
    .replace(/.*</g, '')
    .replace(/>.*/g, '')
    .trim();
}

export function readPostalRcpt(line: string): PostalRcpt {
  const rcptTo = postalAddressArgument(line, 'RCPT TO');
  if (rcptTo === '') return { kind: 'reply', code: 501, message: 'RCPT TO should not be empty' };
  const at = rcptTo.indexOf('@');
  const local = at < 0 ? rcptTo : rcptTo.slice(0, at);
  const domain = at < 0 ? '' : rcptTo.slice(at + 1);
  if (domain.trim() === '') return { kind: 'reply', code: 501, message: 'Invalid RCPT TO' };
  // Ruby: "".split("+", 2) is [] (uname nil); "+x".split("+", 2) is ["", "x"] (uname "").
  const uname = local === '' ? undefined : local.split('+', 1)[0]!;
  return { kind: 'address', rcptTo, uname, domain };
}
