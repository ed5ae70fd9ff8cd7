/**
 * The zod mirror of AccountsManifest, used whenever a manifest is read back from disk: a file
 * someone edited by hand must fail with the field named, not half-boot a world.
 */
import { z } from 'zod';
import type { AccountsManifest } from './accounts-manifest.ts';

export const API_KEY_PATTERN = /^[A-Za-z0-9]{24}$/;
export const SERVER_TOKEN_PATTERN = /^[a-z0-9]{6}$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const endpointSchema = z
  .object({
    uuid: z.string().regex(UUID_PATTERN, 'must be a lower-case UUID'),
    name: z.string().min(1),
    url: z.url({ protocol: /^https?$/ }),
    encoding: z.literal('BodyAsJSON'),
    format: z.literal('Hash'),
    stripReplies: z.boolean(),
    includeAttachments: z.boolean(),
    timeout: z.number().int().min(5).max(60),
    agentId: z.string().min(1),
  })
  .strict();

const routeSchema = z
  .object({
    name: z.string().regex(/^(\*|__returnpath__|[a-z0-9._+-]+)$/i, 'must be a local part, "*" or "__returnpath__"'),
    domain: z.string().min(1),
    spamMode: z.enum(['Mark', 'Quarantine', 'Fail']),
    endpoint: z.string().regex(/^HTTPEndpoint#[0-9a-f-]{36}$/, 'must be "HTTPEndpoint#<uuid>"'),
    agentId: z.string().min(1),
  })
  .strict();

const credentialSchema = z
  .object({
    name: z.string().min(1),
    type: z.enum(['API', 'SMTP']),
    // The message never echoes the value: zod's regex issue carries only our text.
    key: z.string().regex(API_KEY_PATTERN, 'must be 24 letters and digits, as Postal generates'),
    agentId: z.string().min(1).optional(),
  })
  .strict();

export const accountsManifestSchema = z
  .object({
    version: z.literal(1),
    generatedAt: z.iso.datetime(),
    organization: z.object({ name: z.string().min(1), permalink: z.string().regex(/^[a-z0-9-]+$/) }).strict(),
    server: z
      .object({
        name: z.string().min(1),
        permalink: z.string().regex(/^[a-z0-9-]+$/),
        mode: z.enum(['Live', 'Development']),
        token: z.string().regex(SERVER_TOKEN_PATTERN, 'must be 6 lower-case letters and digits'),
      })
      .strict(),
    domain: z
      .object({
        name: z.string().min(1),
        verificationMethod: z.literal('DNS'),
        verified: z.literal(true),
        dkimSelector: z.string().regex(/^[A-Za-z0-9-]+$/),
        dkimPrivateKeyFile: z.string().min(1),
        returnPathDomain: z.string().min(1),
        /**
         * Whether Postal's DNS check ran for the domain (`check_dns`, which sets dns_checked_at). Postal
         * never checks a new domain by itself, and its hourly task re-checks only domains checked before:
         * unchecked, it signs with the install key forever (has_dns_checks.rb, check_all_dns_scheduled_task.rb).
         */
        dnsChecked: z.boolean().default(true),
      })
      .strict(),
    endpoints: z.array(endpointSchema),
    routes: z.array(routeSchema),
    credentials: z.array(credentialSchema),
  })
  .strict()
  .superRefine((m, ctx) => {
    const uuids = new Set(m.endpoints.map((e) => e.uuid));
    if (uuids.size !== m.endpoints.length) ctx.addIssue({ code: 'custom', path: ['endpoints'], message: 'endpoint uuids must be distinct' });
    m.routes.forEach((route, i) => {
      if (!uuids.has(route.endpoint.slice('HTTPEndpoint#'.length))) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'endpoint'], message: `route "${route.name}" points at no endpoint of this manifest` });
      }
    });
    const seen = new Set<string>();
    m.credentials.forEach((credential, i) => {
      if (seen.has(credential.key)) ctx.addIssue({ code: 'custom', path: ['credentials', i, 'key'], message: `credential "${credential.name}" repeats another credential's key` });
      seen.add(credential.key);
    });
  });

// Fails to compile when the schema and the interface drift apart (in either direction).
type Parsed = z.infer<typeof accountsManifestSchema>;
const _schemaMatchesInterface: [Parsed extends AccountsManifest ? true : false, AccountsManifest extends Parsed ? true : false] = [true, true];
void _schemaMatchesInterface;
