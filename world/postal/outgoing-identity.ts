/**
 * How Postal signs and addresses outgoing mail, decided from DNS as the stand-in sees it now
 * (real Postal decides from its last `check_dns` result; the stand-in looks at send time, through a
 * short cache, so a DNS fault shows up in the next message):
 *
 * - DKIM: when the TXT at `<selector>._domainkey.<domain>` is exactly one record carrying the domain
 *   key's public key, sign `d=<domain>; s=<selector>` with the domain key; otherwise sign
 *   `d=<return path domain>; s=postal` with the install's signing.key — DKIM passes but DMARC
 *   alignment breaks, exactly Postal's behaviour.
 * - MAIL FROM: `<server token>@<rp name>.<domain>` when that CNAME points at the return-path target,
 *   else `<server token>@<return path domain>`; bounces use an empty MAIL FROM.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { dkimSignatureFor } from '../dkim-sign.ts';
import type { PostalConfig } from './postal-config.ts';
import { POSTAL_DEFAULTS } from './postal-config.ts';
import type { PostalResolver } from './world-resolver.ts';

/** The headers Postal's DKIMHeader signs, when present. */
const SIGNED_HEADERS = [
  'From', 'Sender', 'Reply-To', 'Subject', 'Date', 'Message-ID', 'To', 'Cc', 'MIME-Version', 'Content-Type',
  'Content-Transfer-Encoding', 'Resent-To', 'Resent-Cc', 'Resent-From', 'Resent-Sender', 'Resent-Message-ID',
  'In-Reply-To', 'References', 'List-Id', 'List-Help', 'List-Owner', 'List-Unsubscribe', 'List-Subscribe', 'List-Post',
];

export interface DkimChoice {
  signingDomain: string;
  selector: string;
  privateKeyPem: string;
  /** true when the domain's own key signs (DNS record matched) */
  aligned: boolean;
}

export class OutgoingIdentity {
  private readonly domainPublicKey: string;

  constructor(
    private readonly config: PostalConfig,
    private readonly resolver: PostalResolver,
    private readonly domainKeyPem: string,
    private readonly installKeyPem: string,
  ) {
    this.domainPublicKey = createPublicKey(createPrivateKey(domainKeyPem)).export({ type: 'spki', format: 'der' }).toString('base64');
  }

  async dkim(): Promise<DkimChoice> {
    const selector = this.config.deployment.dns.dkim.selector;
    let records: string[] = [];
    try {
      records = await this.resolver.txt(`${selector}._domainkey.${this.config.domain}`);
    } catch {
      records = []; // a DNS failure is a failed check, as in Postal
    }
    const only = records.length === 1 ? records[0]! : undefined;
    const published = only === undefined ? undefined : /(?:^|;)\s*p=([^;]*)/.exec(only)?.[1]?.replace(/\s+/g, '');
    if (only !== undefined && /^v=DKIM1(;|\s|$)/i.test(only.trim()) && published === this.domainPublicKey) {
      return { signingDomain: this.config.domain, selector, privateKeyPem: this.domainKeyPem, aligned: true };
    }
    return { signingDomain: this.config.returnPathDomain, selector: POSTAL_DEFAULTS.dkimIdentifier, privateKeyPem: this.installKeyPem, aligned: false };
  }

  async mailFrom(bounce: boolean): Promise<string> {
    if (bounce) return '';
    const token = this.config.manifest.server.token;
    const { name, target } = this.config.deployment.dns.returnPath;
    const host = `${name}.${this.config.domain}`.toLowerCase();
    try {
      const cnames = await this.resolver.cname(host);
      if (cnames.length === 1 && normalize(cnames[0]!) === normalize(target)) return `${token}@${host}`;
    } catch {
      // fall through to the return path domain
    }
    return `${token}@${this.config.returnPathDomain}`;
  }

  /** Returns the message with a DKIM-Signature header on top (rsa-sha256, relaxed/relaxed). */
  async sign(raw: Buffer, choice: DkimChoice): Promise<Buffer> {
    const signature = await dkimSignatureFor(raw, { signingDomain: choice.signingDomain, selector: choice.selector, privateKeyPem: choice.privateKeyPem, headerList: SIGNED_HEADERS });
    return Buffer.concat([Buffer.from(signature, 'utf8'), raw]);
  }
}

function normalize(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}
