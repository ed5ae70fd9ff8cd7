import { describe, expect, it } from 'vitest';
import { parseComposePs } from './service-list.ts';

describe('parseComposePs', () => {
  it('reads both shapes docker compose prints', () => {
    const row = { Name: 'postal-web-1', Service: 'web', State: 'running' };
    expect(parseComposePs(JSON.stringify([row]))).toEqual([row]);
    expect(parseComposePs(`${JSON.stringify(row)}\n${JSON.stringify({ ...row, Service: 'smtp' })}\n`)).toHaveLength(2);
    expect(parseComposePs('  ')).toEqual([]);
  });
});
