import { ConfigError } from '../../core/config-error.ts';

/**
 * Per-env deadlines can be stretched (a slow live provider) without touching code. Read before the
 * target opens, so a wrong value is exit 2 before a world starts; applied once the target says its defaults.
 */
export interface DeadlineOverrides {
  deliveryMs?: number;
  propagationMs?: number;
  connectMs?: number;
  dnsMs?: number;
}

export const DEADLINE_SETTINGS = {
  deliveryMs: 'POSTAL_QA_DELIVERY_TIMEOUT_S',
  propagationMs: 'POSTAL_QA_PROPAGATION_TIMEOUT_S',
  connectMs: 'POSTAL_QA_CONNECT_TIMEOUT_S',
  dnsMs: 'POSTAL_QA_DNS_TIMEOUT_S',
} as const;

export const DEADLINE_DESCRIPTIONS: Record<keyof typeof DEADLINE_SETTINGS, string> = {
  deliveryMs: 'how long a message may take to arrive before it counts as lost (live default 180)',
  propagationMs: 'how long DNS-07 keeps asking before it calls the resolvers out of step (live default 30)',
  connectMs: 'one network step: connect, an SMTP reply, an HTTP answer (live default 10)',
  dnsMs: 'one DNS question (live default 5)',
};

export function readDeadlineOverrides(env: Record<string, string | undefined>): DeadlineOverrides {
  const overrides: DeadlineOverrides = {};
  for (const [field, key] of Object.entries(DEADLINE_SETTINGS) as Array<[keyof DeadlineOverrides, string]>) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    // At least a second: below that no poll (250 ms apart at first) gets a second look, and every wait "times out" at once.
    const n = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
    if (!Number.isFinite(n) || n < 1 || n > 3600) throw new ConfigError(`${key}=${value}: must be a number of seconds from 1 to 3600`);
    overrides[field] = n * 1000;
  }
  return overrides;
}

export function applyDeadlineOverrides(timeouts: Required<DeadlineOverrides>, overrides: DeadlineOverrides): void {
  timeouts.deliveryMs = overrides.deliveryMs ?? timeouts.deliveryMs;
  timeouts.propagationMs = overrides.propagationMs ?? timeouts.propagationMs;
  timeouts.connectMs = overrides.connectMs ?? timeouts.connectMs;
  timeouts.dnsMs = overrides.dnsMs ?? timeouts.dnsMs;
}
