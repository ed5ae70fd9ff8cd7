/**
 * The probes a control may ask, bound to the target of this run (InSpec's resources, Goss's system/).
 * Every target — embedded, live, local — is described by the same data, and the same probes reach it
 * through protocols only: what runs against the world is the live code path, pointed at the world.
 */
import type { RunContext } from '../config/run-context.ts';
import type { TargetDescriptor } from '../targets/target.ts';
import { apiCredentialsProbe, type ApiCredentialsProbe } from './api-credentials-probe.ts';
import { apiLoadProbe, type ApiLoadProbe } from './api-load-probe.ts';
import { outboundSmtpProbe, type OutboundSmtpProbe } from './outbound-smtp-probe.ts';
import { blocklistProbe, type BlocklistProbe } from './blocklist-probe.ts';
import { dnsZoneProbe, type DnsZoneProbe } from './dns-zone-probe.ts';
import { dnssecProbe, type DnssecProbe } from './dnssec-probe.ts';
import { daneProbe, type DaneProbe } from './dane-probe.ts';
import { dmarcReportProbe, type DmarcReportProbe } from './dmarc-report-probe.ts';
import { mailFlowProbe, type MailFlowProbe } from './mail-flow-probe.ts';
import { mailgoatCliProbe, type MailgoatCliProbe } from './mailgoat-cli-probe.ts';
import { mailTesterProbe, type MailTesterProbe } from './mail-tester-probe.ts';
import { createProbeContext, type ProbeContext } from './probe-context.ts';
import { relayProbe, type RelayProbe } from './relay-probe.ts';
import { smtpAuthProbe, type SmtpAuthProbe } from './smtp-auth-probe.ts';
import { tlsVersionsProbe, type TlsVersionsProbe } from './tls-versions-probe.ts';
import { spoofProbe, type SpoofProbe } from './spoof-probe.ts';
import { transportPolicyProbe, type TransportPolicyProbe } from './transport-policy-probe.ts';
import { seedMailboxProbe, type SeedMailboxProbe } from './seed-mailbox-probe.ts';
import { serviceListProbe, type ServiceListProbe } from './service-list-probe.ts';
import { smtpServiceProbe, type SmtpServiceProbe } from './smtp-service-probe.ts';
import { webEndpointProbe, type WebEndpointProbe } from './web-endpoint-probe.ts';

export interface Probes {
  target: TargetDescriptor;
  dns: DnsZoneProbe;
  blocklists: BlocklistProbe;
  outbound: OutboundSmtpProbe;
  smtp: SmtpServiceProbe;
  relay: RelayProbe;
  auth: SmtpAuthProbe;
  tlsVersions: TlsVersionsProbe;
  spoof: SpoofProbe;
  transport: TransportPolicyProbe;
  dnssec: DnssecProbe;
  dane: DaneProbe;
  web: WebEndpointProbe;
  services: ServiceListProbe;
  credentials: ApiCredentialsProbe;
  mail: MailFlowProbe;
  seeds: SeedMailboxProbe;
  mailTester: MailTesterProbe;
  load: ApiLoadProbe;
  cli: MailgoatCliProbe;
  dmarc: DmarcReportProbe;
  /** Messages sent (or attempted) by this worker's probes so far. */
  sentCount(): number;
  /** What a probe is waiting for right now, for a control that runs out of time. */
  awaiting(): string | undefined;
  close(): Promise<void>;
}

export function probesFor(target: TargetDescriptor, run: RunContext): Probes {
  const context: ProbeContext = createProbeContext(target, run);
  const mail = mailFlowProbe(context);
  return {
    target,
    dns: dnsZoneProbe(context),
    blocklists: blocklistProbe(context),
    outbound: outboundSmtpProbe(context),
    smtp: smtpServiceProbe(context),
    relay: relayProbe(context),
    auth: smtpAuthProbe(context),
    tlsVersions: tlsVersionsProbe(context),
    spoof: spoofProbe(context),
    transport: transportPolicyProbe(context),
    dnssec: dnssecProbe(context),
    dane: daneProbe(context),
    web: webEndpointProbe(context),
    services: serviceListProbe(context),
    credentials: apiCredentialsProbe(context),
    mail,
    seeds: seedMailboxProbe(context),
    mailTester: mailTesterProbe(context),
    load: apiLoadProbe(context),
    cli: mailgoatCliProbe(context, mail),
    dmarc: dmarcReportProbe(context),
    sentCount: () => context.sentCount(),
    awaiting: () => context.awaiting.what,
    close: () => context.close(),
  };
}
