/**
 * Step 5, the plan's "basic internal test": one agent's message reaches another through the
 * deployment — sent with the first agent's API key (send/message), then Postal's own delivery record
 * for the recipient polled until it says Sent (the route's HTTP endpoint took it) or a deadline passes.
 * Nothing is created by it, so it never counts as a change.
 */
import { Agent, request, type Dispatcher } from 'undici';
import { pollUntil } from '../../core/poll.ts';

interface PostalAnswer {
  status: string;
  data: Record<string, unknown> & { message?: string; code?: string };
}

async function call(
  apiUrl: string,
  path: string,
  key: string,
  body: unknown,
  timeoutMs: number,
  dispatcher?: Dispatcher,
): Promise<PostalAnswer> {
  const response = await request(`${apiUrl}/api/v1/${path}`, {
    method: 'POST',
    ...(dispatcher ? { dispatcher } : {}),
    headers: { 'content-type': 'application/json', 'x-server-api-key': key },
    body: JSON.stringify(body),
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`${path}: HTTP ${response.statusCode}`);
  return JSON.parse(text) as PostalAnswer;
}

export interface InternalTestResult {
  ok: boolean;
  detail: string;
}

export async function internalTest(options: {
  apiUrl: string;
  fromAddress: string;
  fromKey: string;
  toAddress: string;
  timeoutMs: number;
  caPem?: string;
}): Promise<InternalTestResult> {
  // A CA of its own (a test world's); otherwise the system store, plus NODE_EXTRA_CA_CERTS.
  const dispatcher = options.caPem ? new Agent({ connect: { ca: options.caPem } }) : undefined;
  try {
    return await sendAndWait(options, dispatcher);
  } finally {
    await dispatcher?.close();
  }
}

async function sendAndWait(
  options: { apiUrl: string; fromAddress: string; fromKey: string; toAddress: string; timeoutMs: number },
  dispatcher?: Dispatcher,
): Promise<InternalTestResult> {
  const subject = `postal-qa provisioning internal test ${Date.now()}`;
  const sent = await call(
    options.apiUrl,
    'send/message',
    options.fromKey,
    {
      from: options.fromAddress,
      to: [options.toAddress],
      subject,
      plain_body: 'Sent by npm run provision to check the deployment end to end.',
    },
    30_000,
    dispatcher,
  );
  if (sent.status !== 'success')
    return { ok: false, detail: `send/message answered ${sent.status} ${sent.data.code ?? ''}: ${sent.data.message ?? ''}`.trim() };
  const messages = sent.data.messages as Record<string, { id: number }> | undefined;
  const id = messages?.[options.toAddress.toLowerCase()]?.id ?? Object.values(messages ?? {})[0]?.id;
  if (typeof id !== 'number') return { ok: false, detail: 'send/message gave no message id for the recipient' };
  const polled = await pollUntil(
    async () => {
      const answer = await call(options.apiUrl, 'messages/deliveries', options.fromKey, { id }, 30_000, dispatcher);
      const deliveries = Array.isArray(answer.data) ? (answer.data as Array<{ status: string; details?: string }>) : [];
      return deliveries;
    },
    (deliveries) => deliveries.some((d) => d.status === 'Sent' || d.status === 'HardFail'),
    { timeoutMs: options.timeoutMs, intervalMs: 250, maxIntervalMs: 2_000 },
  );
  const sentDelivery = polled.value.find((d) => d.status === 'Sent');
  if (sentDelivery)
    return {
      ok: true,
      detail: `${options.fromAddress} → ${options.toAddress}: message ${id} delivered (${sentDelivery.details ?? 'Sent'}) in ${(polled.elapsedMs / 1000).toFixed(1)} s`,
    };
  const last = polled.value.at(-1);
  return {
    ok: false,
    detail: `${options.fromAddress} → ${options.toAddress}: message ${id} ${last ? `${last.status}: ${last.details ?? ''}` : 'has no delivery'} after ${(polled.elapsedMs / 1000).toFixed(0)} s`,
  };
}
