/**
 * Reads the run to compare with: the previous results.json of the report folder (read before this
 * run overwrites it), or the file named by --compare-to. A bad --compare-to file is the user's
 * mistake (ConfigError, exit 2); a bad previous file in the folder only means "nothing to compare".
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../../core/config-error.ts';
import { readUserFile } from '../../core/read-user-file.ts';
import type { PreviousRun } from './run-changes.ts';

const resultsSchema = z.object({
  tool: z.literal('postal-qa'),
  startedAt: z.string().optional(),
  verdict: z.string().optional(),
  controls: z.array(
    z.object({
      id: z.string(),
      outcome: z.enum(['pass', 'fail', 'warn', 'blocked', 'skipped', 'waived', 'error']),
      verdicts: z
        .array(z.object({ outcome: z.string(), summary: z.string(), expected: z.string().optional(), observed: z.string().optional() }))
        .optional(),
    }),
  ),
});

export interface PreviousResults {
  run?: PreviousRun;
  /** One line for the report when there is nothing to compare with. */
  problem?: string;
}

/** A results.json holds every control's evidence: larger than a config file, still bounded. */
const MAX_RESULTS_BYTES = 64 * 1024 * 1024;

function parse(path: string, namedBy?: string): PreviousRun {
  let json: unknown;
  // A file the user named: a directory, a device, a huge or non-UTF-8 file is one line naming the flag.
  if (namedBy && !existsSync(path)) throw new Error('no such file');
  const text = namedBy ? readUserFile({ path, namedBy, what: 'results.json', maxBytes: MAX_RESULTS_BYTES }) : undefined;
  try {
    json = JSON.parse(text ?? readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not JSON (${(error as Error).message})`, {
      cause: error,
    });
  }
  const parsed = resultsSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `not a postal-qa results.json (${parsed.error.issues[0]?.path.join('.') || 'top level'}: ${parsed.error.issues[0]?.message})`,
    );
  return { source: path, ...parsed.data };
}

export function readPreviousResults(reportDir: string, compareTo: string | undefined): PreviousResults {
  if (compareTo !== undefined) {
    try {
      return { run: parse(compareTo, '--compare-to') };
    } catch (error) {
      if (error instanceof ConfigError) throw error;
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
