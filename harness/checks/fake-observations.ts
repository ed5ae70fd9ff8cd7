/** Builders of DnsObservations for the checks' unit tests (and anyone replaying a hand-made snapshot). */
import type { DnsObservation, DnsRecordType } from './dns-observation.ts';

export const TEST_RESOLVER = '127.0.0.53:53';

export function okObs(type: DnsRecordType, name: string, answers: string[], resolver = TEST_RESOLVER): DnsObservation {
  return { name, type, resolver, status: 'ok', answers };
}

export function nxObs(type: DnsRecordType, name: string, resolver = TEST_RESOLVER): DnsObservation {
  return { name, type, resolver, status: 'nxdomain', answers: [] };
}

export function nodataObs(type: DnsRecordType, name: string, resolver = TEST_RESOLVER): DnsObservation {
  return { name, type, resolver, status: 'nodata', answers: [] };
}

export function errorObs(type: DnsRecordType, name: string, code = 'ETIMEOUT', resolver = TEST_RESOLVER): DnsObservation {
  return {
    name,
    type,
    resolver,
    status: 'error',
    answers: [],
    error: `${code}: no answer for ${type} ${name} from DNS server ${resolver}`,
  };
}
