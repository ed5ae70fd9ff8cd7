import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config-error.ts';
import { loadDeployment, parseDeployment } from './load-deployment.ts';

const fixture = JSON.parse(readFileSync('fixtures/deployment.json', 'utf8'));
const withChange = (change: (d: any) => void): string => {
  const copy = structuredClone(fixture);
  change(copy);
  return JSON.stringify(copy);
};
const errorOf = (text: string): string => {
  try {
    parseDeployment(text, 'deployment.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('loadDeployment', () => {
  it('accepts the MailGoat deployment with its 13 agents and catch-all', () => {
    const deployment = loadDeployment('fixtures/deployment.json');
    expect(deployment.agents).toHaveLength(13);
    expect(deployment.catchAll).toBe('team');
    expect(deployment.server.ip).toBe('91.98.35.3');
  });

  it('names a misspelt field and suggests the right one, in one line', () => {
    const message = errorOf(withChange((d) => { d.agents[3].adress = d.agents[3].address; delete d.agents[3].address; }));
    expect(message).toContain('agents[3].adress: unknown field (did you mean "address"?)');
    expect(message).not.toContain('\n');
  });

  it('names a misspelt nested field', () => {
    expect(errorOf(withChange((d) => { d.dns.dmarc.polcy = 'none'; }))).toContain('dns.dmarc.polcy: unknown field (did you mean "policy"?)');
  });

  it('names a missing field', () => {
    expect(errorOf(withChange((d) => { delete d.server.ip; }))).toBe('deployment.json: server.ip: required field is missing');
  });

  it('explains a wrong value', () => {
    expect(errorOf(withChange((d) => { d.server.ip = '91.98.35'; }))).toContain('server.ip: must be an IPv4 address');
  });

  it('refuses a catch-all that names no agent and an address outside the domain', () => {
    expect(errorOf(withChange((d) => { d.catchAll = 'everyone'; }))).toContain('catchAll: names no agent');
    expect(errorOf(withChange((d) => { d.agents[0].address = 'ceo@example.com'; }))).toContain('agents[0].address: must be an address at mailgoat.ai');
  });

  it('says when the JSON itself is broken or the file is missing', () => {
    expect(errorOf('{ "domain": ')).toMatch(/^deployment.json: not valid JSON/);
    expect(() => loadDeployment('fixtures/nope.json')).toThrow(/deployment file not found; pass --deployment=/);
  });
});
