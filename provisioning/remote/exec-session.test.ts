import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/config-error.ts';
import { openExecSession, splitCommand } from './exec-session.ts';

describe('splitCommand', () => {
  it.each([
    ['docker exec -i postal /bin/bash -c', ['docker', 'exec', '-i', 'postal', '/bin/bash', '-c']],
    ['  a\tb \n c  ', ['a', 'b', 'c']],
    [`a 'b c' "d e"`, ['a', 'b c', 'd e']],
    [`a '' ""`, ['a', '', '']],
    [`x'y'"z"w`, ['xyzw']],
    [`"a \\" \\\\ \\n" 'b \\ "c"'`, ['a " \\ \\n', 'b \\ "c"']],
    ['a\\ b c\\"d', ['a b', 'c"d']],
    ['$HOME `x` *', ['$HOME', '`x`', '*']],
  ])('splits %j as sh would, expanding nothing', (text, words) => {
    expect(splitCommand(text, 'PROVISION_EXEC')).toEqual(words);
  });

  it('refuses an unclosed quote and an empty command, naming the setting', () => {
    expect(() => splitCommand('a "b', 'PROVISION_EXEC (env)')).toThrow(new ConfigError('PROVISION_EXEC (env): an unclosed " in "a "b"'));
    expect(() => splitCommand(' ', 'PROVISION_EXEC')).toThrow(/^PROVISION_EXEC: empty; /);
  });
});

describe('openExecSession', () => {
  const shell = openExecSession({ argv: ['/bin/sh', '-c'], timeoutMs: 5_000 });

  it('runs each command as the last argument of the prefix, stdin given, exit code and output returned', async () => {
    expect(shell.describe).toBe('/bin/sh -c');
    expect(await shell.run('read line; echo "got $line"; echo err >&2; exit 3', { stdin: 'secret\n' })).toEqual({
      code: 3,
      stdout: 'got secret\n',
      stderr: 'err\n',
    });
    expect(await shell.run('echo "$0|$1"')).toEqual({ code: 0, stdout: '/bin/sh|\n', stderr: '' });
    shell.close();
    shell.close();
  });

  it('passes its environment and folder to the command', async () => {
    const session = openExecSession({
      argv: ['/bin/sh', '-c'],
      env: { PATH: process.env.PATH, MARK: 'm1' },
      cwd: '/',
      describe: 'the server',
    });
    expect(session.describe).toBe('the server');
    expect((await session.run('echo "$MARK $(pwd)"')).stdout).toBe('m1 /\n');
  });

  it('says a command that did not answer in time, or a prefix that cannot start', async () => {
    await expect(shell.run('sleep 5', { timeoutMs: 200 })).rejects.toThrow('/bin/sh -c: no answer within 0 s');
    await expect(openExecSession({ argv: ['/nonexistent/docker', 'exec'] }).run('true')).rejects.toThrow(
      '/nonexistent/docker could not be started (ENOENT): check the exec command (PROVISION_EXEC)',
    );
    const killed = await openExecSession({ argv: ['/bin/sh', '-c'] }).run('kill -9 $$');
    expect(killed.code).toBe(128);
    expect(() => openExecSession({ argv: [] })).toThrow('exec transport: no command given');
  });
});
