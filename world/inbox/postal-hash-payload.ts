/**
 * The JSON body Postal POSTs to an HTTP endpoint in `Hash` format (reference §6). Only what a
 * receiver cannot do without is required; every other field is kept as sent, unknown ones too,
 * so `GET /messages/<id>` returns exactly what Postal delivered.
 */
import { z } from 'zod';

const text = z.string().nullable().optional();

export const postalHashPayloadSchema = z.looseObject({
  id: z.number().int().nonnegative(),
  rcpt_to: z.string().min(1),
  mail_from: text,
  token: text,
  subject: text,
  message_id: text,
  /** seconds since the epoch, a float in Postal */
  timestamp: z.union([z.number(), z.string()]).nullable().optional(),
  size: z.union([z.number(), z.string()]).nullable().optional(),
  spam_status: text,
  /** not in Postal's payload: the stand-in may add it so the inbox can show the score it gave */
  spam_score: z.number().nullable().optional(),
  bounce: z.boolean().nullable().optional(),
  received_with_ssl: z.boolean().nullable().optional(),
  to: text,
  cc: text,
  from: text,
  date: text,
  in_reply_to: text,
  references: text,
  html_body: text,
  plain_body: text,
  attachment_quantity: z.number().nullable().optional(),
  auto_submitted: text,
  reply_to: text,
  attachments: z
    .array(z.looseObject({ filename: text, content_type: text, size: z.number().nullable().optional(), data: text }))
    .optional(),
});

export type PostalHashPayload = z.infer<typeof postalHashPayloadSchema>;
