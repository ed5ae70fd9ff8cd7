/**
 * The agents' API keys as Postal answers them, asked side-effect free (`messages/message` for id 0)
 * and handed on as Postal's own answer — status and code — for the check to judge. A key never leaves
 * this probe: only its fingerprint does.
 */
import { randomBytes } from 'node:crypto';
import { keyFingerprint } from '../clients/postal-api-client.ts';
import type { KeyScopeInput, SendAnswer } from '../checks/key-scope-check.ts';
import type { ProbeContext } from './probe-context.ts';
import { textOf } from '../../core/text-of.ts';

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
  /**
   * What the keys may send, side-effect free: `send/raw` with an empty rcpt_to runs Postal's From check and
   * creates nothing. Each authenticated key From its own agent; the first From another agent and From a foreign domain.
   */
  sendScope(authenticated: string[]): Promise<KeyScopeInput>;
}

export function apiCredentialsProbe(context: ProbeContext): ApiCredentialsProbe {
  const ask = async (agentId: string, key: string): Promise<KeyAnswer> => {
    const base = { agentId, keyFingerprint: keyFingerprint(key) };
    try {
      const answer = await context.postal().call('messages/message', key, { id: 0 });
      return {
        ...base,
        status: answer.status,
        code: textOf(answer.data.code),
        message: textOf(answer.data.message),
        httpStatus: answer.httpStatus,
      };
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
    async sendScope(authenticated) {
      const accounts = context.target.accounts.filter((a) => authenticated.includes(a.agentId));
      const from = async (key: string, address: string): Promise<SendAnswer> => {
        const data = Buffer.from(
          `From: <${address}>\r\nTo: <${address}>\r\nSubject: postal-qa key scope\r\n\r\nnot sent: no recipient\r\n`,
        ).toString('base64');
        try {
          const answer = await context.postal().call('send/raw', key, { mail_from: address, rcpt_to: [], data });
          const messages = answer.data.messages;
          return {
            status: answer.status,
            code: textOf(answer.data.code),
            created: messages && typeof messages === 'object' ? Object.keys(messages).length : 0,
          };
        } catch (error) {
          if ((error as Error).name === 'ProbeUnavailable') throw error;
          return { error: (error as Error).message };
        }
      };
      const own = [];
      for (const a of accounts) own.push({ agentId: a.agentId, address: a.address, answer: await from(a.apiKey, a.address) });
      const [first, ...others] = accounts;
      const other = others.at(-1);
      return {
        own,
        agentCount: context.target.accounts.length,
        ...(first && other
          ? { crossAgent: { keyOf: first.agentId, from: other.address, answer: await from(first.apiKey, other.address) } }
          : {}),
        ...(first
          ? {
              foreign: {
                keyOf: first.agentId,
                from: `postal-qa-key-scope@foreign-domain.invalid`,
                answer: await from(first.apiKey, 'postal-qa-key-scope@foreign-domain.invalid'),
              },
            }
          : {}),
      };
    },
    wrongKey: () =>
      ask(
        'wrong-key',
        randomBytes(18)
          .toString('base64')
          .replace(/[^A-Za-z0-9]/g, 'x')
          .slice(0, 24),
      ),
  };
}
