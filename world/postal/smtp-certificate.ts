/**
 * The certificate Postal's smtp process presents after STARTTLS. Postal reads it from
 * `smtp_server.tls_certificate_path` / `tls_private_key_path` (config/postal.yml): a file of its own, apart
 * from the web proxy's certificate that Caddy renews, so it is issued apart here too — and it is where the
 * SMTP certificate faults live (expired, about to expire, issued for another name).
 */
import type { IssuedCertificate, WorldCertificateAuthority } from '../tls/certificate-authority.ts';

export type SmtpCertificateFault = 'expired' | 'expiring' | 'wrong-name';

const DAY_MS = 86_400_000;

export function issueSmtpCertificate(
  ca: WorldCertificateAuthority,
  hosts: { mailHost: string; webHost: string },
  fault?: SmtpCertificateFault,
  now = Date.now(),
): Promise<IssuedCertificate> {
  switch (fault) {
    // a 90-day certificate nobody renewed: it ran out 10 days ago
    case 'expired':
      return ca.issue([hosts.mailHost], { notBefore: new Date(now - 100 * DAY_MS), validDays: 90 });
    // 3½ days left: the web certificate was renewed, this file was not
    case 'expiring':
      return ca.issue([hosts.mailHost], { notBefore: new Date(now - 86.5 * DAY_MS), validDays: 90 });
    // the web host's certificate copied into smtp_server.tls_certificate_path
    case 'wrong-name':
      return ca.issue([hosts.webHost]);
    default:
      return ca.issue([hosts.mailHost]);
  }
}
