/**
 * What Postal's answer to `messages/message` with id 0 says about the key that asked. Postal answers
 * HTTP 200 either way; only the code tells: MessageNotFound means the key authenticated (and found no
 * message 0), an authentication code means it did not, anything else is not an answer about the key.
 */
export type KeyOutcome = 'authenticated' | 'invalid' | 'error';

/** Postal's codes for a key it refused (app/controllers/legacy_api/base_controller.rb). */
const REFUSED = new Set(['InvalidServerAPIKey', 'AccessDenied', 'ServerSuspended']);

export function classifyKeyAnswer(answer: { status?: string; code?: string; error?: string }): { outcome: KeyOutcome; reason: string } {
  if (answer.error !== undefined) return { outcome: 'error', reason: answer.error };
  if (answer.status === 'error' && answer.code === 'MessageNotFound')
    return { outcome: 'authenticated', reason: 'MessageNotFound: the key was accepted' };
  if (answer.code && REFUSED.has(answer.code)) return { outcome: 'invalid', reason: answer.code };
  return { outcome: 'error', reason: `unexpected answer: status ${answer.status ?? 'none'}${answer.code ? `, code ${answer.code}` : ''}` };
}
