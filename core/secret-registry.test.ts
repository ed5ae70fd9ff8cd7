import { beforeEach, describe, expect, it } from 'vitest';
import {
  clearRegisteredSecrets,
  registerCommandSecrets,
  registeredSecrets,
  registerSecret,
  registerUrlSecrets,
} from './secret-registry.ts';

describe('the secret registry', () => {
  beforeEach(() => clearRegisteredSecrets());

  it('keeps values of four characters or more, and their trimmed form', () => {
    registerSecret('abc');
    registerSecret(' hunter2 ');
    expect(registeredSecrets().sort()).toEqual([' hunter2 ', 'hunter2']);
  });

  it('takes the userinfo of a URL, even one that does not parse, and query values', () => {
    registerUrlSecrets('htps://ad%20min:pass%2Fword@host/x?token=tok-123&b=2');
    expect(registeredSecrets()).toEqual(expect.arrayContaining(['ad%20min:pass%2Fword', 'pass%2Fword', 'pass/word', 'ad min', 'tok-123']));
    clearRegisteredSecrets();
    registerUrlSecrets('https://postal.example/api');
    expect(registeredSecrets()).toEqual([]);
  });

  it('takes a command whole and each piece between its placeholders', () => {
    registerCommandSecrets('sshpass -p hunter2 ssh root@h nc {ip} 25');
    expect(registeredSecrets()).toEqual(
      expect.arrayContaining(['sshpass -p hunter2 ssh root@h nc {ip} 25', 'sshpass -p hunter2 ssh root@h nc ']),
    );
  });
});
