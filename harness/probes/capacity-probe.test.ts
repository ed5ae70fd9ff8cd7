import { describe, expect, it } from 'vitest';
import type { LookupFunction } from '../../core/dns/host-lookup.ts';
import { rememberingLookup } from './capacity-probe.ts';

describe('rememberingLookup', () => {
  const ask = (lookup: LookupFunction, host: string) =>
    new Promise<unknown>((resolve, reject) =>
      (lookup as unknown as (h: string, o: object, cb: (e: Error | null, a?: unknown) => void) => void)(host, {}, (e, a) =>
        e ? reject(e) : resolve(a),
      ),
    );

  it('asks once per name and reuses the answer', async () => {
    let asked = 0;
    const inner = ((host: string, _o: unknown, cb: (e: Error | null, a?: string, f?: number) => void) => {
      asked++;
      cb(null, `10.0.0.${host.length}`, 4);
    }) as unknown as LookupFunction;
    const lookup = rememberingLookup(inner);
    expect(await ask(lookup, 'abc')).toBe('10.0.0.3');
    expect(await ask(lookup, 'abc')).toBe('10.0.0.3');
    expect(asked).toBe(1);
  });

  it('never remembers a failure', async () => {
    let asked = 0;
    const inner = ((_h: string, _o: unknown, cb: (e: Error | null, a?: string, f?: number) => void) => {
      asked++;
      if (asked === 1) cb(new Error('timeout'));
      else cb(null, '10.0.0.1', 4);
    }) as unknown as LookupFunction;
    const lookup = rememberingLookup(inner);
    await expect(ask(lookup, 'x')).rejects.toThrow('timeout');
    expect(await ask(lookup, 'x')).toBe('10.0.0.1');
  });
});
