/**
 * The agents' API keys as Postal answers them, asked side-effect free (`messages/message` for id 0)
 * and handed on as Postal's own answer — status and code — for the check to judge. A key never leaves
 * this probe: only its fingerprint does.
 */
import { randomBytes } from 'node:crypto';
import { keyFingerprint } from '../clients/postal-api-client.ts';
import type { ProbeContext } from './probe-context.ts';

export interface KeyAnswer {
  agentId: string;
  keyFingerprint: string;
  /** Postal's `status` ("success", "error", "parameter-error"), absent when no answer came. */
  status?: string;
  /** Postal's error code (e.g. MessageNotFound, InvalidServerAPIKey). */
  code?: string;
  message?: string;
  httpStatus?: number;
  /** Why there was no answer (connection, timeout, not JSON). */
  error?: string;
}

export interface ApiCredentialsProbe {
  /** Each of the target's agent keys, asked once. */
  everyAgentKey(): Promise<KeyAnswer[]>;
  /** A random key that cannot exist, asked the same way. */
  wrongKey(): Promise<KeyAnswer>;
}

export function apiCredentialsProbe(context: ProbeContext): ApiCredentialsProbe {
  const ask = async (agentId: string, key: string): Promise<KeyAnswer> => {
    const base = { agentId, keyFingerprint: keyFingerprint(key) };
    try {
      const answer = await context.postal().call('messages/message', key, { id: 0 });
      return { ...base, status: answer.status, code: String(answer.data.code ?? ''), message: String(answer.data.message ?? ''), httpStatus: answer.httpStatus };
    } catch (error) {
      if ((error as Error).name === 'ProbeUnavailable') throw error;
      return { ...base, error: (error as Error).message };
    }
  };
  return {
    async everyAgentKey() {
      const answers: KeyAnswer[] = [];
      for (const account of context.target.accounts) answers.push(await ask(account.agentId, account.apiKey));
      return answers;
    },
    wrongKey: () => ask('wrong-key', randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 24)),
  };
}
