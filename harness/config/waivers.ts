import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { findControl } from '../controls/catalog.ts';
import { ConfigError } from '../../core/config-error.ts';
import { formatZodError } from '../../core/format-zod-error.ts';

/**
 * Waivers: a failing control may be accepted for a while, with a reason a reviewer can read.
 * Like InSpec's waivers — and an expired waiver is a failure again, so nothing is waived forever.
 */
const waiverSchema = z
  .object({
    control: z.string().min(1),
    justification: z.string().min(10, 'must say why (at least 10 characters)'),
    expires: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 2026-12-31'),
    approvedBy: z.string().optional(),
  })
  .strict();

export const waiversSchema = z.array(waiverSchema);
export type Waiver = z.infer<typeof waiverSchema>;

export function parseWaivers(text: string, source: string): Waiver[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${source}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = waiversSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(formatZodError(source, parsed.error, waiversSchema));
  parsed.data.forEach((waiver, index) => {
    if (!findControl(waiver.control)) {
      throw new ConfigError(`${source}: [${index}].control: "${waiver.control}" is not a control of the catalog (e.g. DNS-03, FN-05)`);
    }
    if (Number.isNaN(Date.parse(`${waiver.expires}T23:59:59Z`))) {
      throw new ConfigError(`${source}: [${index}].expires: "${waiver.expires}" is not a real date`);
    }
  });
  return parsed.data.map((w) => ({ ...w, control: w.control.toUpperCase() }));
}

export function loadWaivers(path: string): Waiver[] {
  if (!existsSync(path)) return [];
  return parseWaivers(readFileSync(path, 'utf8'), path);
}

export type WaiverStatus = { state: 'none' } | { state: 'active'; waiver: Waiver } | { state: 'expired'; waiver: Waiver };

/** A waiver is good through the end of its `expires` day (UTC). */
export function waiverStatus(waivers: Waiver[], controlId: string, now: Date): WaiverStatus {
  const waiver = waivers.find((w) => w.control === controlId);
  if (!waiver) return { state: 'none' };
  return now.getTime() <= Date.parse(`${waiver.expires}T23:59:59.999Z`) ? { state: 'active', waiver } : { state: 'expired', waiver };
}
