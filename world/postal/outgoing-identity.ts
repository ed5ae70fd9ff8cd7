/**
 * How Postal 3.3.2 signs and addresses outgoing mail, from the domain's stored DNS statuses
 * (app/lib/dkim_header.rb, app/senders/smtp_sender.rb#mail_from):
 *
 * - DKIM: while the domain's dkim_status is OK, sign `d=<domain>; s=<domain's selector>` with the
 *   domain key; otherwise `d=<dns.return_path_domain>; s=<dns.dkim_identifier>` with the install's
 *   signing.key — DKIM passes but DMARC alignment breaks, exactly Postal's behaviour.
 * - MAIL FROM: `<server token>@<prefix>.<domain>` while return_path_status is OK, else
 *   `<server token>@<dns.return_path_domain>`; bounces use an empty MAIL FROM.
 * - Resent-Sender: the MAIL FROM, added on top after signing (postal.use_resent_sender_header, on by default).
 */
import { postalDkimHeader } from './dkim-header.ts';
import type { PostalConfig } from './postal-config.ts';
import type { DomainDnsState } from './domain-dns-state.ts';

export interface DkimChoice {
  signingDomain: string;
  selector: string;
  privateKeyPem: string;
  /** true when the domain's own key signs (its DKIM status is OK) */
  aligned: boolean;
}

export class OutgoingIdentity {
  constructor(
    private readonly config: PostalConfig,
    private readonly domain: DomainDnsState,
    /** The domain's key as the domain holds it now (made when the domain is created, or imported). */
    private readonly domainKeyPem: () => string,
    private readonly installKeyPem: string,
  ) {}

  dkim(): DkimChoice {
    if (this.domain.dkimOk)
      return { signingDomain: this.config.domain, selector: this.domain.selector, privateKeyPem: this.domainKeyPem(), aligned: true };
    return this.fallbackDkim();
  }

  /** dkim_header.rb without a domain whose DKIM status is OK: the install key, d=<return path domain>. */
  fallbackDkim(): DkimChoice {
    return {
      signingDomain: this.config.returnPathDomain,
      selector: this.config.deployment.postal.dkimIdentifier,
      privateKeyPem: this.installKeyPem,
      aligned: false,
    };
  }

  mailFrom(bounce: boolean): string {
    if (bounce) return '';
    const token = this.config.manifest.server.token;
    return this.domain.returnPathOk ? `${token}@${this.domain.returnPathName}` : `${token}@${this.config.returnPathDomain}`;
  }

  /**
   * Returns the message with Postal's DKIM-Signature header on top (Message#add_outgoing_headers,
   * lib/postal/message_db/message.rb:413-420: the signature of the raw message, then X-Postal-MsgID).
   */
  sign(raw: Buffer, choice: DkimChoice, token: string): Buffer {
    const header = postalDkimHeader(raw, {
      domainName: choice.signingDomain,
      selector: choice.selector,
      privateKeyPem: choice.privateKeyPem,
      // The host's clock (skewed under the clock-skew fault), and a re-signing relay's body-length tag (a fault).
      time: Math.floor(this.config.now().getTime() / 1000),
      ...(this.config.faults.dkimBodyLength ? { bodyLength: true } : {}),
    });
    return Buffer.concat([Buffer.from(`${header}\r\nX-Postal-MsgID: ${token}\r\n`, 'latin1'), raw]);
  }
}
