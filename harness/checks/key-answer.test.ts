import { describe, expect, it } from 'vitest';
import { classifyKeyAnswer } from './key-answer.ts';

describe('classifyKeyAnswer', () => {
  it('reads MessageNotFound as an accepted key, and only that', () => {
    expect(classifyKeyAnswer({ status: 'error', code: 'MessageNotFound' }).outcome).toBe('authenticated');
    // A success for id 0 is not Postal: no message 0 exists, so something else answered.
    expect(classifyKeyAnswer({ status: 'success' })).toEqual({ outcome: 'error', reason: 'unexpected answer: status success' });
    expect(classifyKeyAnswer({ status: 'parameter-error', code: 'MessageNotFound' }).outcome).toBe('error');
  });

  it.each(['InvalidServerAPIKey', 'AccessDenied', 'ServerSuspended'])('reads %s as a refused key', (code) => {
    expect(classifyKeyAnswer({ status: 'error', code })).toEqual({ outcome: 'invalid', reason: code });
  });

  it('keeps a transport failure as an error with its reason', () => {
    expect(classifyKeyAnswer({ error: 'connect ECONNREFUSED 127.0.0.10:443' })).toEqual({
      outcome: 'error',
      reason: 'connect ECONNREFUSED 127.0.0.10:443',
    });
    expect(classifyKeyAnswer({ status: 'error', code: 'InternalServerError' }).outcome).toBe('error');
  });
});
