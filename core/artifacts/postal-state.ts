/**
 * `postal-state.json`: what Postal generated for the deployment and only Postal knows — the domain's DKIM
 * selector (`<dkim_identifier>-<6 random characters>`, app/models/domain.rb:58,117-120) and record, the
 * install key's record (`postal default-dkim-record`), the server token, and Postal's last DNS check of the
 * domain — read back by provisioning (deliverables step and phase 2) and read by the harness
 * (POSTAL_STATE_FILE, or the file beside POSTAL_API_KEYS_FILE), so the suite expects what Postal made,
 * never what the deployment file assumed. It holds no secret (mode 644).
 */
import { z } from 'zod';
import { ConfigError } from '../config-error.ts';
import { formatZodError } from '../format-zod-error.ts';
import { readUserFile } from '../read-user-file.ts';

export const POSTAL_STATE_FILE_NAME = 'postal-state.json';

const record = z.string().regex(/^v=DKIM1; t=s; h=sha256; p=[A-Za-z0-9+/=]+;$/, 'expected a record as Postal makes it: v=DKIM1; t=s; h=sha256; p=<key>;');
const status = z.enum(['OK', 'Missing', 'Invalid']).nullable();

export const postalStateSchema = z
  .object({
    version: z.literal(1),
    domain: z.string().min(1),
    dkim: z.object({ selector: z.string().regex(/^[a-z0-9-]+-[A-Za-z][A-Za-z0-9]{4}[A-Za-z]$/, 'expected a selector as Postal makes it, e.g. postal-YsUd4X'), record }).strict(),
    installDkimRecord: record.optional(),
    serverToken: z.string().optional(),
    /** Postal's statuses after its last DNS check (Domain#check_dns); null where it has none. */
    dnsCheck: z.object({ spf: status, dkim: status, mx: status, returnPath: status, dkimError: z.string().nullable().optional() }).strict().nullable(),
  })
  .strict();

export type PostalState = z.infer<typeof postalStateSchema>;

/** The file's text, stable for the same state (a second provisioning run rewrites nothing). */
export function renderPostalState(state: PostalState): string {
  return `${JSON.stringify(postalStateSchema.parse(state), null, 2)}\n`;
}

export function parsePostalState(text: string, source: string): PostalState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError(`${source}: not JSON; expected the postal-state.json npm run provision writes`);
  }
  const parsed = postalStateSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) throw new ConfigError(formatZodError(source, parsed.error, postalStateSchema));
  return parsed.data;
}

export function readPostalState(path: string, namedBy?: string): PostalState {
  const text = readUserFile({ path, what: 'Postal state file', whenMissing: 'run npm run provision, which writes it beside postal-api-keys.txt', ...(namedBy ? { namedBy } : {}) });
  return parsePostalState(text, namedBy ? `${namedBy}=${path}` : path);
}
