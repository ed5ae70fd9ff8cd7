/**
 * npm run bench:smtp -- [--messages=5000] [--sessions=8] [--rounds=3] [--seed=7] [--net=127.0.83]
 *
 * Measures the project's SMTP load generator (harness/load/smtp-generator.ts) side by side with Postfix's
 * `smtp-source`, both sending the same message file to the same Postfix `smtp-sink` on loopback, in one
 * run: rounds alternate (smtp-source, ours, smtp-source, ours…) so both see the same machine, and the best
 * round of each is compared. Prints both rates and the ratio (goal: ours ≥ 0.5 × smtp-source).
 * A measurement, not a test: exits 0 whatever the ratio, 1 if it could not measure, 2 on a bad flag.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { pollUntil } from '../core/poll.ts';
import { createLoadCorpus } from '../harness/load/load-corpus.ts';
import { smtpGenerator } from '../harness/load/smtp-generator.ts';

const SINK_HOST_OCTET = 70;
const SINK_PORT = 2525;

function fail(message: string, code = 2): never {
  console.error(`bench:smtp: ${message}`);
  process.exit(code);
}

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '5000' },
    sessions: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    seed: { type: 'string', default: '7' },
    net: { type: 'string', default: process.env.POSTAL_QA_WORLD_NET || '127.0.83' },
  },
  strict: true,
});
const positive = (name: 'messages' | 'sessions' | 'rounds' | 'seed'): number => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1) fail(`--${name}: expected a positive integer, found "${values[name]}"`);
  return n;
};
const messages = positive('messages');
const sessions = positive('sessions');
const rounds = positive('rounds');
const seed = positive('seed');
if (!/^127\.\d{1,3}\.\d{1,3}$/.test(values.net))
  fail(`--net: expected the first three octets of a loopback /24 like 127.0.83, found "${values.net}"`);
const host = `${values.net}.${SINK_HOST_OCTET}`;

const children = new Set<ChildProcess>();
const killAll = (): void => {
  for (const child of children) {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
};
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 129);
  });
}

/** A program in its own process group, so a stop takes its children too. */
function start(command: string, args: string[]): { child: ChildProcess; exited: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.on('error', (error) => resolve({ code: -1, stderr: `${command}: ${error.message} (Debian package postfix)` }));
    child.on('close', (code) => {
      children.delete(child);
      resolve({ code, stderr });
    });
  });
  return { child, exited };
}

const accepts = (address: string, port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: 500 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'postal-qa-bench-smtp-'));
  try {
    // One agent-like message from the seeded corpus, the same bytes for both generators.
    const sample = createLoadCorpus({ seed, runToken: 'bench-smtp', from: ['ceo@mailgoat.ai'], to: ['qa@mailgoat.ai'] }).message(0);
    const raw = await new MailComposer({ from: sample.from, to: sample.to, subject: sample.subject, text: sample.text }).compile().build();
    const crlf = raw.toString('utf8').replace(/\r?\n/g, '\r\n');
    // smtp-source -F appends CRLF to each line it reads: give it LF lines; ours sends the CRLF text itself.
    const file = join(dir, 'message.eml');
    writeFileSync(file, crlf.replace(/\r\n/g, '\n'));
    const ours = Buffer.from(crlf.endsWith('\r\n') ? crlf : `${crlf}\r\n`);

    // smtp-sink refuses to run as root without -u; nobody is every Debian system's unprivileged user.
    const asUser = process.getuid?.() === 0 ? ['-u', 'nobody'] : [];
    const sink = start('smtp-sink', [...asUser, `${host}:${SINK_PORT}`, '1024']);
    const up = await pollUntil(
      () => accepts(host, SINK_PORT),
      (ok) => ok,
      { timeoutMs: 10_000, intervalMs: 50, maxIntervalMs: 200 },
    );
    if (!up.value) {
      const exit = await Promise.race([sink.exited, Promise.resolve({ code: null, stderr: '' })]);
      throw new Error(`smtp-sink did not listen on ${host}:${SINK_PORT} within 10 s ${exit.stderr.trim()}`);
    }

    console.log(
      `bench:smtp — ${cpus().length} cores (${availableParallelism()} available); ${messages} messages of ${ours.length} bytes per round, ${sessions} parallel sessions, ${rounds} rounds each, into smtp-sink at ${host}:${SINK_PORT}`,
    );
    const sourceRates: number[] = [];
    const ourRates: number[] = [];
    for (let round = 1; round <= rounds; round++) {
      const t0 = performance.now();
      const source = start('smtp-source', [
        '-d',
        '-s',
        String(sessions),
        '-m',
        String(messages),
        '-F',
        file,
        '-f',
        sample.from,
        '-t',
        sample.to,
        `${host}:${SINK_PORT}`,
      ]);
      const result = await source.exited;
      if (result.code !== 0) throw new Error(`smtp-source exited ${result.code}: ${result.stderr.trim()}`);
      sourceRates.push(messages / ((performance.now() - t0) / 1000));

      const generator = smtpGenerator({ host, port: SINK_PORT, sessions, timeoutMs: 10_000 });
      const t1 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: sessions }, async () => {
          while (next < messages) {
            next++;
            await generator.send({ from: sample.from, to: [sample.to] }, ours);
          }
        }),
      );
      ourRates.push(messages / ((performance.now() - t1) / 1000));
      await generator.close();
      console.log(`  round ${round}: smtp-source ${sourceRates.at(-1)!.toFixed(0)} msg/s, ours ${ourRates.at(-1)!.toFixed(0)} msg/s`);
    }
    const bestSource = Math.max(...sourceRates);
    const bestOurs = Math.max(...ourRates);
    const ratio = bestOurs / bestSource;
    console.log(
      `smtp-source (Postfix ${'3.7'}): ${bestSource.toFixed(0)} msg/s; ours (harness/load/smtp-generator.ts): ${bestOurs.toFixed(0)} msg/s`,
    );
    console.log(`ratio ours / smtp-source = ${ratio.toFixed(2)} — ${ratio >= 0.5 ? 'MET' : 'MISSED'} (goal ≥ 0.50)`);
    return 0;
  } catch (error) {
    console.error(`bench:smtp: ${(error as Error).message}`);
    return 1;
  } finally {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
