import type { PostalApi } from './postal-api-client.ts';

/**
 * One line from Postal's own records about a message that did not arrive: its status and the last
 * delivery attempt (what the receiving side answered). Safe for evidence: no key, no message content.
 */
export async function postalDeliveryStatus(postal: PostalApi, apiKey: string, messageId: number | undefined): Promise<string | undefined> {
  if (messageId === undefined) return undefined;
  try {
    const message = await postal.call<{ status?: { status?: string; held?: boolean } }>('messages/message', apiKey, { id: messageId, _expansions: ['status'] });
    const deliveries = await postal.call<Array<{ status?: string; details?: string; output?: string | null }>>('messages/deliveries', apiKey, { id: messageId });
    const attempts = Array.isArray(deliveries.data) ? deliveries.data : [];
    const last = attempts.at(-1);
    const status = message.data.status?.status ?? message.status;
    if (!last) return `${status}, no delivery attempt yet (message ${messageId})`;
    // After the last retry Postal's final record only says the attempts ran out; the cause is in the last SoftFail.
    const cause = [...attempts].reverse().find((a) => a.status === 'SoftFail') ?? last;
    const said = `${cause.details ?? cause.status ?? ''}${cause.output ? ` (${String(cause.output).trim().slice(0, 160)})` : ''}`;
    return `${status} after ${attempts.length} attempt${attempts.length > 1 ? 's' : ''}: ${said} (message ${messageId})`;
  } catch (error) {
    return `could not ask Postal about message ${messageId}: ${(error as Error).message}`;
  }
}

/** The numeric message id Postal's send/message answer gives for one recipient. */
export function messageIdFor(answer: { data: Record<string, unknown> }, recipient: string): number | undefined {
  const messages = answer.data.messages as Record<string, { id?: number }> | undefined;
  const id = messages?.[recipient.toLowerCase()]?.id ?? messages?.[recipient]?.id;
  return typeof id === 'number' ? id : undefined;
}
