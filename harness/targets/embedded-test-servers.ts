/**
 * The world's parts for the harness's own tests that need a real server in-process: the DNSSEC probe against
 * the world's signing DNS server, the local target's provisioning against an empty world with its server host.
 * The harness reaches the world only through harness/targets/embedded*; its tests do too, through this file.
 */
export { DnsServer } from '../../world/dns-server.ts';
export { WorldDnssec } from '../../world/dnssec/world-dnssec.ts';
export { formatEnvFile, liveEnvFor } from '../../world/live-env.ts';
export { describeWorld } from '../../world/world-description.ts';
export { startWorld, type World } from '../../world/world.ts';
