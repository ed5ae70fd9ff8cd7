/**
 * The world's address plan: every simulated host gets its own loopback address, so checks that
 * depend on "who is talking" (SPF, PTR / forward-confirmed rDNS, relay rules) are real checks.
 *
 *   <net>.10  postal        the Postal stand-in (SMTP, HTTP API, web) = the deployment's server.ip
 *   <net>.20  gmail         mx.gmail.test: a mailbox provider that judges incoming mail
 *   <net>.21  outlook       mx.outlook.test: a second mailbox provider
 *   <net>.30  sender        mx.sender.test: an outside sender (mail from the Internet to the agents)
 *   <net>.40  inboxes       inboxes.world.test: the agents' inbox receivers (Postal's HTTP endpoints)
 *   <net>.41  agentHost     agents.world.test: where an agent runs its own `mailgoat inbox serve` (FN-06 starts the
 *                           CLI's there, on the agent's port); the receivers pass Postal's POSTs to it while it listens
 *   <net>.60  spamd         SpamAssassin's spamd, shared by the Postal stand-in and the providers
 *   <net>.61  rspamd        rspamd, Postal's inspection when the world is started with it (bench, capacity)
 *   <net>.70  mailTester    mx.mail-tester.test and www.mail-tester.test: the mail-tester stand-in (FN-05)
 *   <net>.53  dns           ns1.world.test: the authoritative DNS server for every world zone
 *   <net>.54  dnsSecondary  ns2.world.test: a second server with the same data, or a stale copy
 *
 * The default net is 127.0.0; tests use another (e.g. 127.0.99) so they never clash with a running world.
 * Any address in 127.0.0.0/8 can be bound on Linux without setup.
 */
export interface WorldAddresses {
  /** the first three octets, e.g. `127.0.0` */
  net: string;
  dns: string;
  dnsSecondary: string;
  postal: string;
  gmail: string;
  outlook: string;
  sender: string;
  inboxes: string;
  agentHost: string;
  spamd: string;
  rspamd: string;
  mailTester: string;
}

export const WORLD_HOST_OCTETS = {
  postal: 10,
  gmail: 20,
  outlook: 21,
  sender: 30,
  inboxes: 40,
  agentHost: 41,
  spamd: 60,
  rspamd: 61,
  mailTester: 70,
  dns: 53,
  dnsSecondary: 54,
} as const;

export function worldAddresses(net = '127.0.0'): WorldAddresses {
  const octets = net.split('.');
  if (octets.length !== 3 || octets.some((o) => !/^\d{1,3}$/.test(o) || Number(o) > 255) || octets[0] !== '127') {
    throw new Error(`world net "${net}" must be three octets inside 127.0.0.0/8, e.g. 127.0.0 or 127.0.99`);
  }
  const at = (host: number): string => `${net}.${host}`;
  return {
    net,
    dns: at(WORLD_HOST_OCTETS.dns),
    dnsSecondary: at(WORLD_HOST_OCTETS.dnsSecondary),
    postal: at(WORLD_HOST_OCTETS.postal),
    gmail: at(WORLD_HOST_OCTETS.gmail),
    outlook: at(WORLD_HOST_OCTETS.outlook),
    sender: at(WORLD_HOST_OCTETS.sender),
    inboxes: at(WORLD_HOST_OCTETS.inboxes),
    agentHost: at(WORLD_HOST_OCTETS.agentHost),
    spamd: at(WORLD_HOST_OCTETS.spamd),
    rspamd: at(WORLD_HOST_OCTETS.rspamd),
    mailTester: at(WORLD_HOST_OCTETS.mailTester),
  };
}
