import { ConfigError } from '../../core/config-error.ts';

/**
 * Per-env deadlines can be stretched (a slow live provider) without touching code. Read before the
 * target opens, so a wrong value is exit 2 before a world starts; applied once the target says its defaults.
 */
export interface DeadlineOverrides {
  deliveryMs?: number;
  propagationMs?: number;
  connectMs?: number;
}

export const DEADLINE_SETTINGS = {
  deliveryMs: 'POSTAL_QA_DELIVERY_TIMEOUT_S',
  propagationMs: 'POSTAL_QA_PROPAGATION_TIMEOUT_S',
  connectMs: 'POSTAL_QA_CONNECT_TIMEOUT_S',
} as const;

export function readDeadlineOverrides(env: NodeJS.ProcessEnv): DeadlineOverrides {
  const overrides: DeadlineOverrides = {};
  for (const [field, key] of Object.entries(DEADLINE_SETTINGS) as Array<[keyof DeadlineOverrides, string]>) {
    const value = env[key];
    if (value === undefined || value === '') continue;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || n > 3600) throw new ConfigError(`${key}=${value}: must be a number of seconds from 1 to 3600`);
    overrides[field] = n * 1000;
  }
  return overrides;
}

export function applyDeadlineOverrides(timeouts: Required<DeadlineOverrides>, overrides: DeadlineOverrides): void {
  timeouts.deliveryMs = overrides.deliveryMs ?? timeouts.deliveryMs;
  timeouts.propagationMs = overrides.propagationMs ?? timeouts.propagationMs;
  timeouts.connectMs = overrides.connectMs ?? timeouts.connectMs;
}
