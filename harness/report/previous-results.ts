/**
 * Reads the run to compare with: the previous results.json of the report folder (read before this
 * run overwrites it), or the file named by --compare-to. A bad --compare-to file is the user's
 * mistake (ConfigError, exit 2); a bad previous file in the folder only means "nothing to compare".
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../core/config-error.ts';
import type { PreviousRun } from './run-changes.ts';

const resultsSchema = z.object({
  tool: z.literal('postal-qa'),
  startedAt: z.string().optional(),
  verdict: z.string().optional(),
  controls: z.array(
    z.object({
      id: z.string(),
      outcome: z.enum(['pass', 'fail', 'warn', 'blocked', 'skipped', 'waived', 'error']),
      verdicts: z.array(z.object({ outcome: z.string(), summary: z.string(), expected: z.string().optional(), observed: z.string().optional() })).optional(),
    }),
  ),
});

export interface PreviousResults {
  run?: PreviousRun;
  /** One line for the report when there is nothing to compare with. */
  problem?: string;
}

function parse(path: string): PreviousRun {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(error as Error).message})`);
  }
  const parsed = resultsSchema.safeParse(json);
  if (!parsed.success) throw new Error(`not a postal-qa results.json (${parsed.error.issues[0]?.path.join('.') || 'top level'}: ${parsed.error.issues[0]?.message})`);
  return { source: path, ...parsed.data };
}

export function readPreviousResults(reportDir: string, compareTo: string | undefined): PreviousResults {
  if (compareTo !== undefined) {
    try {
      return { run: parse(compareTo) };
    } catch (error) {
      throw new ConfigError(`--compare-to=${compareTo}: ${(error as Error).message}`);
    }
  }
  const path = join(reportDir, 'test-results', 'results.json');
  if (!existsSync(path)) return {};
  try {
    return { run: parse(path) };
  } catch (error) {
    return { problem: `The previous ${path} could not be read (${(error as Error).message}); nothing to compare with.` };
  }
}
