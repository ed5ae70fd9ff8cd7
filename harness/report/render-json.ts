import { CATALOG } from '../controls/catalog.ts';
import { runVerdict, type ReportInput } from './report-input.ts';

/** The machine-readable evidence: every result as recorded, plus what did not run. */
export function renderJson(input: ReportInput): string {
  const { verdict, reason } = runVerdict(input);
  const results = input.registry.all();
  return `${JSON.stringify(
    {
      tool: 'postal-qa',
      versions: input.versions,
      command: input.command,
      startedAt: input.startedAt.toISOString(),
      finishedAt: input.finishedAt.toISOString(),
      verdict,
      reason,
      configError: input.configError ?? null,
      interrupted: input.interrupted ?? false,
      target: input.target ?? null,
      deployment: input.deployment
        ? { name: input.deployment.name, domain: input.deployment.domain, server: input.deployment.server }
        : null,
      counts: input.registry.counts(),
      controls: results,
      [input.registry.missingLabel() === 'not run' ? 'notRun' : 'notImplemented']: CATALOG.filter((c) => !input.registry.get(c.id)).map(
        (c) => c.id,
      ),
      notes: input.registry.notes,
    },
    null,
    2,
  )}\n`;
}
