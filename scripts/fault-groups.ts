/**
 * Which named faults may share one world in the fault matrix, and how each is judged there.
 *
 * A world with several faults is one suite run instead of several. It is only sound when the faults cannot
 * see each other: their expected red sets are disjoint (so no control is red for two faults, and no fault
 * blocks a control another needs — blocked controls are in the red sets), and they change disjoint parts of
 * the world (zone records, what Postal holds, Postal's settings, the handles afterStart uses). Each member is
 * then judged on its own controls and on every control no member expects red; its right-reason words are
 * checked as alone.
 *
 * The risk, stated: a member's unexpected effect on a control another member expects red is hidden (that
 * control is red anyway, for the other's words). An effect outside the group's red sets still shows as an
 * unrelated red, for every member. `npm run faults -- --solo` runs every fault alone for the full guarantee,
 * and a member that fails in a group is re-run alone before the matrix calls it a failure.
 */
export interface GroupableFault {
  name: string;
  /** The controls the oracle expects red (failed or blocked). */
  red: readonly string[];
  /** The parts of the world the fault changes, e.g. "zone:_dmarc.mailgoat.ai", "postal:routeModes", "manifest:routes". */
  surfaces: readonly string[];
}

export interface GroupPlan {
  /** One world per group; a group of one is a fault run alone. */
  groups: string[][];
}

const overlaps = (a: Iterable<string>, b: ReadonlySet<string>): boolean => [...a].some((x) => b.has(x));

/**
 * What a control's verdict travels through beyond what it probes directly, so a fault judged on that control's
 * words keeps out of worlds where another fault breaks it: a surface (`zone:<name>`) or another control that must
 * be healthy (`red:<id>`: no fault in the world may expect it red). FN-08 reads the DMARC reports the providers mail
 * to the domain — through its MX, into Postal (web and SMTP up, a worker, the route to the agent receiving them,
 * the API key that reads them); DNS-14 compares the TLSA records with the certificate the MX shows on STARTTLS;
 * SEC-01 follows each relay attempt Postal accepted to a provider's mailbox or an agent's inbox; SEC-07 reads the
 * spoofed mail that reached an agent; DNS-10 fetches the MTA-STS policy from the web host.
 * Without this, a fault judged on FN-08 grouped with web-down saw "no report has arrived" (skipped), not its words.
 */
export type ControlReads = Readonly<Record<string, readonly string[]>>;

export const controlReads = (domain: string): ControlReads => ({
  // The providers report the mail they received (FN-02's path) and mail the reports in (FN-07's path).
  'FN-08': [`zone:${domain.toLowerCase()}`, 'red:INF-01', 'red:INF-02', 'red:INF-03', 'red:INF-05', 'red:INF-06', 'red:FN-02', 'red:FN-07'],
  'DNS-14': ['red:INF-01', 'red:SEC-03'],
  // The MTA-STS policy is fetched over HTTPS from mta-sts.<domain>, which the world serves on the web host (and its certificate).
  'DNS-10': ['red:INF-01', 'red:INF-02', 'red:INF-04'],
  // SEC-07 sends spoofed mail from outside and reads what reached the agent: Postal taking mail in.
  'SEC-07': ['red:INF-01', 'red:INF-03', 'red:INF-05'],
  // SEC-01 carries each relay attempt to where it would land: out through Postal to a provider, or into an agent's inbox.
  'SEC-01': ['red:INF-01', 'red:INF-03', 'red:INF-05', 'red:FN-02'],
});

interface Planned extends GroupableFault {
  /** Controls that must stay healthy for this fault's words to show (from ControlReads' `red:` entries). */
  needs: readonly string[];
}

/** A fault with what its expected-red controls read added: surfaces, and the controls they need healthy. */
const withReads = (fault: GroupableFault, reads: ControlReads): Planned => {
  const read = fault.red.flatMap((id) => reads[id] ?? []);
  return {
    ...fault,
    surfaces: [...new Set([...fault.surfaces, ...read.filter((r) => !r.startsWith('red:'))])],
    needs: [...new Set(read.filter((r) => r.startsWith('red:')).map((r) => r.slice('red:'.length)))],
  };
};

/**
 * Greedy packing, largest red sets first (they fit fewest places), each fault into the first group it is
 * compatible with. Deterministic: ties break by name.
 */
export function planGroups(
  faults: readonly GroupableFault[],
  options: { maxPerGroup: number; solo?: boolean; reads?: ControlReads },
): GroupPlan {
  const sorted = [...faults]
    .map((f) => withReads(f, options.reads ?? {}))
    .sort((a, b) => b.red.length - a.red.length || a.name.localeCompare(b.name));
  if (options.solo || options.maxPerGroup <= 1) return { groups: sorted.map((f) => [f.name]) };
  const groups: Array<{ names: string[]; red: Set<string>; surfaces: Set<string>; needs: Set<string> }> = [];
  for (const fault of sorted) {
    const home = groups.find(
      (g) =>
        g.names.length < options.maxPerGroup &&
        !overlaps(fault.red, g.red) &&
        !overlaps(fault.surfaces, g.surfaces) &&
        !overlaps(fault.red, g.needs) &&
        !overlaps(fault.needs, g.red),
    );
    if (home) {
      home.names.push(fault.name);
      fault.red.forEach((id) => home.red.add(id));
      fault.surfaces.forEach((s) => home.surfaces.add(s));
      fault.needs.forEach((id) => home.needs.add(id));
    } else {
      groups.push({ names: [fault.name], red: new Set(fault.red), surfaces: new Set(fault.surfaces), needs: new Set(fault.needs) });
    }
  }
  return { groups: groups.map((g) => g.names) };
}

/**
 * The outcomes one member of a group is judged on: its own expected controls and every control no member
 * expects red (where an unrelated red shows for all of them). Controls the other members expect red are
 * theirs to judge.
 */
export function outcomesFor(member: string, group: readonly GroupableFault[], outcomes: Record<string, string>): Record<string, string> {
  const others = new Set(group.filter((f) => f.name !== member).flatMap((f) => f.red));
  const own = new Set(group.find((f) => f.name === member)?.red ?? []);
  return Object.fromEntries(Object.entries(outcomes).filter(([id]) => own.has(id) || !others.has(id)));
}
