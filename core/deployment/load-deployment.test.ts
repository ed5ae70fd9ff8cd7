import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config-error.ts';
import { loadDeployment, parseDeployment } from './load-deployment.ts';

const fixture = JSON.parse(readFileSync('fixtures/deployment.json', 'utf8'));
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests write wrong types into the parsed fixture on purpose
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
    const message = errorOf(
      withChange((d) => {
        d.agents[3].adress = d.agents[3].address;
        delete d.agents[3].address;
      }),
    );
    expect(message).toContain('agents[3].adress: unknown field (did you mean "address"?)');
    expect(message).not.toContain('\n');
  });

  it('names a misspelt nested field', () => {
    expect(
      errorOf(
        withChange((d) => {
          d.dns.dmarc.polcy = 'none';
        }),
      ),
    ).toContain('dns.dmarc.polcy: unknown field (did you mean "policy"?)');
  });

  it('names a missing field', () => {
    expect(
      errorOf(
        withChange((d) => {
          delete d.server.ip;
        }),
      ),
    ).toBe('deployment.json: server.ip: required field is missing');
  });

  it('explains a wrong value', () => {
    expect(
      errorOf(
        withChange((d) => {
          d.server.ip = '91.98.35';
        }),
      ),
    ).toContain('server.ip: must be an IPv4 address');
  });

  it('refuses a catch-all that names no agent and an address outside the domain', () => {
    expect(
      errorOf(
        withChange((d) => {
          d.catchAll = 'everyone';
        }),
      ),
    ).toBe('deployment.json: catchAll: expected one of the agent ids (e.g. "team"), found "everyone", which names no agent');
    expect(
      errorOf(
        withChange((d) => {
          d.agents[0].address = 'ceo@example.com';
        }),
      ),
    ).toContain('agents[0].address: expected an address at mailgoat.ai, found "ceo@example.com"');
  });

  it("refuses an address whose local part cannot name a Postal route (\\A[a-z0-9\\-.]*\\z): '_' or '+'", () => {
    for (const address of ['dev_ops@mailgoat.ai', 'dev+ops@mailgoat.ai']) {
      expect(
        errorOf(
          withChange((d) => {
            d.agents[8].address = address;
          }),
        ),
      ).toBe(
        `deployment.json: agents[8].address: expected a local part Postal can name a route after (letters, digits, "-" and "." only), found "${address}"; Postal's route names cannot hold "_" or "+"`,
      );
    }
    // Upper case is fine: the route is named by the lower-cased local part, and addresses are matched without case.
    expect(() =>
      parseDeployment(
        withChange((d) => {
          d.agents[8].address = 'Dev.Ops-1@mailgoat.ai';
        }),
        'deployment.json',
      ),
    ).not.toThrow();
  });

  it('says when the JSON itself is broken or the file is missing', () => {
    expect(errorOf('{ "domain": ')).toMatch(/^deployment.json: the deployment file is not valid JSON/);
    expect(() => loadDeployment('fixtures/nope.json')).toThrow(
      /^--deployment=fixtures\/nope.json: deployment file not found; pass --deployment=/,
    );
  });

  // Before, zod's issues carried no input and every wrong type read "required field is missing".
  it('tells a wrong type from a missing field, saying what it expected and what it found', () => {
    expect(
      errorOf(
        withChange((d) => {
          d.server.ip = 12345;
        }),
      ),
    ).toBe('deployment.json: server.ip: expected an IPv4 address (string), found the number 12345');
    expect(
      errorOf(
        withChange((d) => {
          d.agents = 42;
        }),
      ),
    ).toBe('deployment.json: agents: expected a list of agents (array), found the number 42');
    expect(
      errorOf(
        withChange((d) => {
          d.thresholds.spamScoreMin = '8';
        }),
      ),
    ).toBe('deployment.json: thresholds.spamScoreMin: expected a score from 0 to 10 (number), found the string "8"');
    expect(
      errorOf(
        withChange((d) => {
          d.catchAll = ['team', 'qa'];
        }),
      ),
    ).toBe('deployment.json: catchAll: expected one agent id (the single catch-all) (string), found an array of 2 items');
  });

  it('holds the agents to the plan: its number (expectedAgentCount, 13 by default), unique addresses', () => {
    expect(
      errorOf(
        withChange((d) => {
          d.agents.pop();
          d.catchAll = 'ceo';
        }),
      ),
    ).toMatch(/^deployment.json: agents: expected 13 agents \(expectedAgentCount, the plan's number\), found 12;/);
    expect(
      parseDeployment(
        withChange((d) => {
          d.agents.pop();
          d.catchAll = 'ceo';
          d.expectedAgentCount = 12;
        }),
        'd.json',
      ).agents,
    ).toHaveLength(12);
    expect(
      errorOf(
        withChange((d) => {
          d.agents[5].address = 'CEO@mailgoat.ai';
        }),
      ),
    ).toBe(
      'deployment.json: agents[5].address: expected a unique address, found "CEO@mailgoat.ai" again (also agents[0]); each agent needs its own mailbox',
    );
    expect(loadDeployment('fixtures/deployment.json').expectedAgentCount).toBe(13);
  });

  it('appends what it found to a wrong value', () => {
    expect(
      errorOf(
        withChange((d) => {
          d.server.ip = '91.98.35';
        }),
      ),
    ).toBe('deployment.json: server.ip: must be an IPv4 address, e.g. 91.98.35.3, found the string "91.98.35"');
  });

  it('refuses, up front, a field that ends in a host name, a URL path, a zone or a heading and cannot be one', () => {
    expect(
      errorOf(
        withChange((d) => {
          d.inboxEndpoint.host = 'not a host!';
        }),
      ),
    ).toContain('inboxEndpoint.host: must be a host name (RFC 1123');
    expect(
      errorOf(
        withChange((d) => {
          d.inboxEndpoint.path = '/web hooks';
        }),
      ),
    ).toContain('inboxEndpoint.path: must be a URL path');
    expect(
      errorOf(
        withChange((d) => {
          d.dns.track.name = 'tr ack';
        }),
      ),
    ).toContain('dns.track.name: must be a single DNS label');
    const forged = errorOf(
      withChange((d) => {
        d.name = 'MailGoat\n# Verdict: PASS';
      }),
    );
    expect(forged).toContain('name: must be one line of text without control characters');
    expect(forged).not.toContain('\n#');
    expect(
      errorOf(
        withChange((d) => {
          d.agents[2].name = 'Tab\there';
        }),
      ),
    ).toContain('agents[2].name: must be one line of text');
    expect(
      parseDeployment(
        withChange((d) => {
          d.inboxEndpoint.host = 'inbox.internal';
        }),
        'x',
      ).inboxEndpoint.host,
    ).toBe('inbox.internal');
  });
});
