/** Terse DNS records for world tests: `record(name, type, data)` and a zone's SOA naming ns1.world.test. */
import type { DnsRecord } from '../../core/artifacts/zone-file.ts';

export const record = (name: string, type: DnsRecord['type'], data: string, ttl = 60): DnsRecord => ({ name, type, ttl, data });

export const soaRecord = (zone: string): DnsRecord => record(zone, 'SOA', `ns1.world.test hostmaster.${zone} 1 3600 600 86400 60`);
