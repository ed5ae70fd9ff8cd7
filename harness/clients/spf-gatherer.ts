/**
 * Gathers, over the network, every DNS answer an SPF judgement needs, into a snapshot that
 * checkSpf (pure) can replay. Two passes:
 *   1. mailauth's own SPF evaluation through a recording resolver — every lookup it makes for `ip`;
 *   2. a walk of the whole include/redirect tree — mailauth stops at the first match, but the
 *      10-lookup count must cover every branch.
 * The apex TXT is always queried, so the snapshot always has it.
 */
import { spf } from 'mailauth/lib/spf/index.js';
import type { SPFOptions } from 'mailauth';
import type { DnsSnapshot } from '../checks/dns-observation.ts';
import { findObservation, normaliseName } from '../checks/dns-observation.ts';
import { walkSpf } from '../checks/spf-record.ts';
import { type DnsClient, recordingResolver } from './dns-client.ts';

export interface GatherSpfInput {
  domain: string;
  ip: string;
  client: DnsClient;
  helo?: string;
  /** MAIL FROM; defaults to postmaster@<domain>. */
  sender?: string;
}

export async function gatherSpf(input: GatherSpfInput): Promise<DnsSnapshot> {
  const domain = normaliseName(input.domain);
  const snapshot: DnsSnapshot = [];
  const resolve = recordingResolver(input.client, snapshot);
  const record = async (name: string): Promise<void> => {
    await resolve(name, 'TXT').catch(() => undefined); // the observation is recorded either way
  };

  await record(domain);

  const options: SPFOptions = {
    ip: input.ip,
    sender: input.sender ?? `postmaster@${domain}`,
    mta: 'postal-qa',
    ...(input.helo ? { helo: input.helo } : {}),
    resolver: resolve as unknown as NonNullable<SPFOptions['resolver']>,
  };
  await spf(options);

  await walkSpf(domain, async (name) => {
    if (!findObservation(snapshot, name, 'TXT')) await record(name);
    return findObservation(snapshot, name, 'TXT');
  });

  return snapshot;
}
