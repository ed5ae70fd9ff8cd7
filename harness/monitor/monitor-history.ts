/**
 * One monitor run as the history file keeps it (one JSON line per run, appended): every control's
 * outcome and summary, and what the DMARC reports said (pass rates, each source's class). Read back to
 * say what changed and to chart the pass rate over time.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../core/config-error.ts';

const sourceSchema = z.object({ ip: z.string(), class: z.string(), inDeployment: z.boolean(), messages: z.number() });

export const historyEntrySchema = z.object({
  at: z.string(),
  target: z.string(),
  verdict: z.string(),
  controls: z.array(z.object({ id: z.string(), outcome: z.string(), summary: z.string() })),
  dmarc: z
    .object({
      reports: z.number(),
      reporters: z.array(z.string()),
      messages: z.number(),
      passRate: z.number(),
      deploymentMessages: z.number(),
      deploymentPassRate: z.number(),
      sources: z.array(sourceSchema),
      refused: z.number(),
    })
    .optional(),
});

export type HistoryEntry = z.infer<typeof historyEntrySchema>;

/** A results.json control, as far as the history needs it. */
export interface ResultControl {
  id: string;
  outcome: string;
  summary: string;
  facts?: Record<string, unknown>;
}

interface FactsSummary {
  reports: number;
  reporters: Array<{ org: string }>;
  messages: number;
  passRate: number;
  deploymentMessages: number;
  deploymentPassRate: number;
  sources: Array<{ ip: string; class: string; inDeployment: boolean; messages: number }>;
  refused?: string[];
}

export function historyEntry(at: Date, target: string, verdict: string, controls: ResultControl[]): HistoryEntry {
  const facts = controls.find((c) => c.id === 'FN-08')?.facts?.dmarcReports as FactsSummary | undefined;
  return {
    at: at.toISOString(),
    target,
    verdict,
    controls: controls.map((c) => ({ id: c.id, outcome: c.outcome, summary: c.summary })),
    ...(facts
      ? {
          dmarc: {
            reports: facts.reports,
            reporters: facts.reporters.map((r) => r.org),
            messages: facts.messages,
            passRate: facts.passRate,
            deploymentMessages: facts.deploymentMessages,
            deploymentPassRate: facts.deploymentPassRate,
            sources: facts.sources.map((s) => ({ ip: s.ip, class: s.class, inDeployment: s.inDeployment, messages: s.messages })),
            refused: facts.refused?.length ?? 0,
          },
        }
      : {}),
  };
}

/** The history so far; a missing file is an empty history, a line that is not an entry is the user's file to fix. */
export function readHistory(path: string): HistoryEntry[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  const entries: HistoryEntry[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let parsed;
    try {
      parsed = historyEntrySchema.safeParse(JSON.parse(line));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success)
      throw new ConfigError(`--history=${path}: line ${i + 1} is not a monitor history entry; give another file or remove that line`);
    entries.push(parsed.data);
  });
  return entries;
}

export function appendHistory(path: string, entry: HistoryEntry): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(entry)}\n`);
}
