/**
 * The domain's DNS statuses as Postal stores them (domains.dkim_status, return_path_status,
 * dns_checked_at) and the two ways they change: `checkDns()` (Domain#check_dns: the "Check my records"
 * button, or provisioning's script) and the scheduled task that re-checks only domains checked before
 * (check_all_dns_scheduled_task.rb, hourly in Postal; every `recheckMs` here). Signing reads the stored
 * status, never DNS at send time: a record fixed after the last check changes nothing until the next.
 */
import {
  checkPostalDkimRecord,
  checkPostalReturnPath,
  postalDkimRecord,
  type PostalDnsStatus,
} from '../../core/artifacts/postal-dns-checks.ts';
import type { PostalConfig } from './postal-config.ts';
import type { PostalResolver } from './postal-resolver.ts';

export interface DomainDnsStatuses {
  dkim?: { status: PostalDnsStatus; error?: string };
  returnPath?: { status: PostalDnsStatus; error?: string };
  checkedAt?: number;
}

export class DomainDnsState {
  readonly statuses: DomainDnsStatuses = {};
  private timer?: NodeJS.Timeout;
  private checking?: Promise<void>;

  constructor(
    private readonly config: PostalConfig,
    private readonly resolver: PostalResolver,
    /** Domain#dkim_record for the domain's key. */
    private record: string,
  ) {}

  static forKey(config: PostalConfig, resolver: PostalResolver, publicKeySpkiBase64: string): DomainDnsState {
    return new DomainDnsState(config, resolver, postalDkimRecord(publicKeySpkiBase64));
  }

  /** Domain#dkim_record (app/models/domain.rb:110-115) for the key the domain holds now. */
  get dkimRecord(): string {
    return this.record;
  }

  /** The domain got another key (made when it was created, or imported): its record follows; the statuses stay until the next check. */
  setKey(publicKeySpkiBase64: string): void {
    this.record = postalDkimRecord(publicKeySpkiBase64);
  }

  get selector(): string {
    return this.config.manifest.domain.dkimSelector;
  }

  get dkimOk(): boolean {
    return this.statuses.dkim?.status === 'OK';
  }

  get returnPathOk(): boolean {
    return this.statuses.returnPath?.status === 'OK';
  }

  /** The return-path CNAME's name: `<custom_return_path_prefix>.<domain>`. */
  get returnPathName(): string {
    return `${this.config.deployment.dns.returnPath.name}.${this.config.domain}`.toLowerCase();
  }

  /** Domain#check_dns: every check, then dns_checked_at. A DNS failure is a failed check, as in Postal. */
  checkDns(): Promise<void> {
    this.checking ??= (async () => {
      const dkimName = `${this.selector}._domainkey.${this.config.domain}`;
      const txt = await this.resolver.txt(dkimName).catch(() => [] as string[]);
      this.statuses.dkim = checkPostalDkimRecord(dkimName, txt, this.dkimRecord);
      const cnames = await this.resolver.cname(this.returnPathName).catch(() => [] as string[]);
      this.statuses.returnPath = checkPostalReturnPath(this.returnPathName, cnames, this.config.returnPathDomain);
      this.statuses.checkedAt = Date.now();
    })().finally(() => (this.checking = undefined));
    return this.checking;
  }

  /** The scheduled task: re-checks only a domain that was checked before. */
  startScheduledChecks(recheckMs: number): void {
    this.timer = setInterval(() => {
      if (this.statuses.checkedAt !== undefined) void this.checkDns();
    }, recheckMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
