import { existsSync } from 'node:fs';
import { z } from 'zod';
import { findControl } from '../controls/catalog.ts';
import { ConfigError } from '../../core/config-error.ts';
import { formatZodError } from '../../core/format-zod-error.ts';
import { parseUserJson, readUserFile } from '../../core/read-user-file.ts';

export const DEFAULT_WAIVERS_PATH = 'fixtures/waivers.json';

/** True for a real calendar day: 2028-02-29 is one, 2030-02-30 is not (Date.parse would roll it into March). */
export function isCalendarDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Waivers: a failing control may be accepted for a while, with a reason a reviewer can read.
 * Like InSpec's waivers — and an expired waiver is a failure again, so nothing is waived forever.
 */
const waiverSchema = z
  .object({
    control: z.string().min(1),
    justification: z.string().min(10, 'must say why (at least 10 characters)'),
    expires: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'must be a date like 2026-12-31', abort: true })
      .refine(isCalendarDate, 'must be a real calendar date (YYYY-MM-DD), e.g. 2026-12-31')
      .describe('a date like 2026-12-31'),
    approvedBy: z.string().optional(),
  })
  .strict();

export const waiversSchema = z.array(waiverSchema);
export type Waiver = z.infer<typeof waiverSchema>;

export function parseWaivers(text: string, source: string): Waiver[] {
  const raw = parseUserJson(text, source, 'waivers file');
  const parsed = waiversSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new ConfigError(formatZodError(source, parsed.error, waiversSchema));
  parsed.data.forEach((waiver, index) => {
    if (!findControl(waiver.control)) {
      throw new ConfigError(`${source}: [${index}].control: "${waiver.control}" is not a control of the catalog (e.g. DNS-03, FN-05)`);
    }
  });
  return parsed.data.map((w) => ({ ...w, control: w.control.toUpperCase() }));
}

/**
 * The default waivers file may be absent (no waivers); a file the user named with --waivers must be
 * there, a readable JSON file of at most 1 MB — else one line naming the flag and the path.
 */
export function loadWaivers(path: string, namedByUser = path !== DEFAULT_WAIVERS_PATH): Waiver[] {
  if (!namedByUser && !existsSync(path)) return [];
  return parseWaivers(
    readUserFile({
      path,
      namedBy: '--waivers',
      what: 'waivers file',
      whenMissing: 'pass the path of a JSON list of waivers, or leave --waivers out',
    }),
    namedByUser ? `--waivers=${path}` : path,
  );
}

export type WaiverStatus = { state: 'none' } | { state: 'active'; waiver: Waiver } | { state: 'expired'; waiver: Waiver };

/** A waiver is good through the end of its `expires` day (UTC). */
export function waiverStatus(waivers: Waiver[], controlId: string, now: Date): WaiverStatus {
  const waiver = waivers.find((w) => w.control === controlId);
  if (!waiver) return { state: 'none' };
  return now.getTime() <= Date.parse(`${waiver.expires}T23:59:59.999Z`) ? { state: 'active', waiver } : { state: 'expired', waiver };
}
