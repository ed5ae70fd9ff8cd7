/**
 * npm run capacity -- [--env=embedded|live] [--allow-load] [--max-messages=N] [--transports=api,smtp]
 *                     [--start-rate=5] [--factor=1.6] [--step-seconds=10] [--max-steps=8] [--p95-target-ms=N]
 *                     [--seed=42] [--report-dir=reports] [--inspection=rspamd|spamd|off] [--deployment=…]
 *
 * Finds the knee of a server: ramps the send rate step by step, over Postal's HTTP API and over its SMTP
 * service, and per step measures the accepted rate, delivery latency p50/p95/p99 (send → the agent's
 * inbox, by the receiver's stamp) and errors. It stops a transport at its knee (p95 over the target,
 * refused or lost mail, or senders queued) and prints a table; the table, an SVG chart and the raw figures
 * go to <report-dir>/capacity/. The load is agent-like mail from a seeded faker corpus (stated in the report).
 *
 * Live: only with --allow-load, never more than --max-messages per transport (default 500); the SMTP ramp
 * needs POSTAL_SMTP_KEY (an SMTP credential of the server). Embedded: the world runs Postal's inspection
 * with rspamd by default, so the world is not the ceiling (see bench:world).
 * Exit 0 measured, 1 could not measure, 2 bad input (one line naming the flag or setting).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../core/config-error.ts';
import { loadDeployment } from '../core/deployment/load-deployment.ts';
import { loadLiveSettings } from '../harness/config/live-settings.ts';
import type { RunContext } from '../harness/config/run-context.ts';
import {
  describeKnee,
  renderCapacityChart,
  renderCapacityTable,
  type CapacityStepRow,
  type CapacityTransportResult,
} from '../harness/load/capacity-report.ts';
import { findKnee, judgeStep } from '../harness/load/knee.ts';
import { createLoadCorpus, describeClasses, describeSent, type LoadMessage } from '../harness/load/load-corpus.ts';
import { planRamp } from '../harness/load/ramp-plan.ts';
import { runStep } from '../harness/load/step-runner.ts';
import { capacityProbe, composeLoadMessage } from '../harness/probes/capacity-probe.ts';
import { createProbeContext } from '../harness/probes/probe-context.ts';
import { createRedactor } from '../harness/report/redact.ts';
import { describeEmbeddedTarget, startEmbeddedWorld } from '../harness/targets/embedded.ts';
import { openLiveTarget } from '../harness/targets/live.ts';
import type { TargetDescriptor } from '../harness/targets/target.ts';

const TRANSPORTS = ['api', 'smtp'] as const;
const WARM_UP_MESSAGES = 10;
type Transport = (typeof TRANSPORTS)[number];

interface Options {
  env: 'embedded' | 'live';
  allowLoad: boolean;
  maxMessages: number;
  transports: Transport[];
  startRate: number;
  factor: number;
  stepSeconds: number;
  maxSteps: number;
  p95TargetMs?: number;
  seed: number;
  reportDir: string;
  inspection: 'rspamd' | 'spamd' | 'off';
  deployment: string;
}

function parseOptions(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        env: { type: 'string', default: 'embedded' },
        'allow-load': { type: 'boolean', default: false },
        'max-messages': { type: 'string' },
        transports: { type: 'string', default: 'api,smtp' },
        'start-rate': { type: 'string', default: '5' },
        factor: { type: 'string', default: '1.6' },
        'step-seconds': { type: 'string', default: '10' },
        'max-steps': { type: 'string', default: '8' },
        'p95-target-ms': { type: 'string' },
        seed: { type: 'string', default: '42' },
        'report-dir': { type: 'string', default: 'reports' },
        inspection: { type: 'string', default: 'rspamd' },
        deployment: { type: 'string', default: 'fixtures/deployment.json' },
      },
      strict: true,
    }).values;
  } catch (error) {
    throw new ConfigError((error as Error).message.split('\n')[0]);
  }
  const number = (flag: string, value: string | undefined, integer: boolean, min: number): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)))
      throw new ConfigError(`--${flag}: expected ${integer ? 'an integer' : 'a number'} ≥ ${min}, found "${value}"`);
    return n;
  };
  const env = parsed.env;
  if (env === 'local') throw new ConfigError('--env=local: the Testcontainers replica is not built yet; use --env=embedded or --env=live');
  if (env !== 'embedded' && env !== 'live') throw new ConfigError(`--env: expected embedded or live, found "${env}"`);
  const transports = parsed.transports.split(',').filter(Boolean);
  const unknown = transports.find((t) => !(TRANSPORTS as readonly string[]).includes(t));
  if (unknown || transports.length === 0)
    throw new ConfigError(`--transports: expected a comma-separated list of ${TRANSPORTS.join(', ')}, found "${parsed.transports}"`);
  if (!['rspamd', 'spamd', 'off'].includes(parsed.inspection))
    throw new ConfigError(`--inspection: expected rspamd, spamd or off, found "${parsed.inspection}"`);
  const factor = number('factor', parsed.factor, false, 0)!;
  if (!(factor > 1)) throw new ConfigError(`--factor: expected a number above 1, found "${parsed.factor}"`);
  return {
    env,
    allowLoad: parsed['allow-load'],
    maxMessages: number('max-messages', parsed['max-messages'], true, 1) ?? (env === 'live' ? 500 : 4000),
    transports: transports as Transport[],
    startRate: number('start-rate', parsed['start-rate'], false, 0.1)!,
    factor,
    stepSeconds: number('step-seconds', parsed['step-seconds'], false, 1)!,
    maxSteps: number('max-steps', parsed['max-steps'], true, 1)!,
    p95TargetMs: number('p95-target-ms', parsed['p95-target-ms'], true, 1),
    seed: number('seed', parsed.seed, true, 0)!,
    reportDir: parsed['report-dir'],
    inspection: parsed.inspection as Options['inspection'],
    deployment: parsed.deployment,
  };
}

interface Opened {
  target: TargetDescriptor;
  secrets: string[];
  smtpKey?: string;
  note: string;
  close(): Promise<void>;
}

async function open(
  options: Options,
  deployment: ReturnType<typeof loadDeployment>,
  onClose: (close: () => Promise<void>) => void,
): Promise<Opened> {
  if (options.env === 'live') {
    const settings = loadLiveSettings(new Set(['performance']));
    const opened = await openLiveTarget(deployment, settings);
    onClose(() => opened.close());
    const smtpKey = process.env.POSTAL_SMTP_KEY || undefined;
    return {
      target: opened.descriptor,
      secrets: [...opened.secrets, ...(smtpKey ? [smtpKey] : [])],
      smtpKey,
      note: `live server ${opened.descriptor.postal?.webUrl ?? ''}`,
      close: () => opened.close(),
    };
  }
  const artifactsDir = mkdtempSync(join(tmpdir(), 'postal-qa-capacity-'));
  const world = await startEmbeddedWorld({
    deploymentPath: options.deployment,
    artifactsDir,
    postalSpamd: options.inspection !== 'off',
    postalRspamd: options.inspection === 'rspamd',
  });
  const close = async (): Promise<void> => {
    await world.stop();
    rmSync(artifactsDir, { recursive: true, force: true });
  };
  onClose(close);
  const d = world.description;
  // The same path as npm test: the live target opened with the world's settings.
  const described = await describeEmbeddedTarget(d, deployment, {});
  return {
    target: described.descriptor,
    secrets: described.secrets,
    smtpKey: d.smtpCredentialKey,
    note: `embedded world on ${d.net}.0/24; Postal inspects incoming mail with ${d.postalInspection}`,
    close,
  };
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options.env === 'live' && !options.allowLoad)
    throw new ConfigError(
      `--env=live: a capacity run loads the production server; add --allow-load (it sends at most --max-messages=${options.maxMessages} per transport)`,
    );
  const deployment = loadDeployment(options.deployment);
  const reportDir = resolve(options.reportDir, 'capacity');
  mkdirSync(reportDir, { recursive: true });
  const p95TargetMs = options.p95TargetMs ?? deployment.thresholds.latency.p95Ms;
  const plan = planRamp({
    startRate: options.startRate,
    factor: options.factor,
    maxSteps: options.maxSteps,
    stepSeconds: options.stepSeconds,
    maxMessages: options.maxMessages,
  });

  let closeTarget: (() => Promise<void>) | undefined;
  const stopOnSignal = (signal: NodeJS.Signals) => () =>
    void (closeTarget?.() ?? Promise.resolve()).finally(() => process.exit(signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 129));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, stopOnSignal(signal));

  const started = Date.now();
  const opened = await open(options, deployment, (close) => (closeTarget = close));
  const redact = createRedactor(opened.secrets);
  const say = (line: string): void => console.log(redact(line));
  try {
    const runToken = `cap${Date.now().toString(36)}`;
    const run: RunContext = {
      deployment,
      only: [],
      waivers: [],
      runDir: reportDir,
      evidenceDir: reportDir,
      runToken,
      load: { allowed: true, maxMessages: options.maxMessages },
      readOnly: false,
    };
    const context = createProbeContext(opened.target, run);
    const probe = capacityProbe(context, { connections: 64 });
    const senders = opened.target.accounts.filter((a) => a.agentId !== deployment.catchAll).map((a) => a.address);
    const recipients = senders.slice(1, 6);
    const deliveryDeadlineMs = Math.max(opened.target.timeouts.deliveryMs, 2 * p95TargetMs);
    say(`capacity — ${cpus().length} cores (${availableParallelism()} available); ${opened.note}`);
    say(
      `ramp: ${plan.map((s) => s.rate).join(' → ')} msg/s, ${options.stepSeconds} s a step, at most ${options.maxMessages} messages per transport; knee: p95 > ${p95TargetMs} ms, any refused or lost message, or accepted < 90 % of offered`,
    );
    say(
      `load: faker seed ${options.seed}, from ${senders.length} agents to ${recipients.length} inboxes; mix: ${describeClasses().join('; ')}`,
    );

    const results: CapacityTransportResult[] = [];
    const sent: LoadMessage[] = [];
    for (const transport of options.transports) {
      const result: CapacityTransportResult = { transport, steps: [], knee: {} };
      results.push(result);
      let smtp: Awaited<ReturnType<typeof probe.smtp>> | undefined;
      if (transport === 'smtp') {
        smtp = await probe.smtp(opened.smtpKey, 16);
        if ('unavailable' in smtp) {
          result.skipped = smtp.unavailable;
          say(`${transport}: skipped — ${smtp.unavailable}`);
          continue;
        }
      }
      const sender = smtp && !('unavailable' in smtp) ? smtp : undefined;
      const sendVia = (m: LoadMessage, raw?: Buffer): Promise<void> => (transport === 'api' ? probe.sendApi(m) : sender!.send(m, raw));
      // A few messages first, not recorded: the first ones pay for connections, TLS and cold caches on
      // both sides, and would put a false high latency on the first step. They count against the cap.
      const warmUp = Math.min(WARM_UP_MESSAGES, Math.max(0, options.maxMessages - plan.reduce((n, st) => n + st.count, 0)));
      if (warmUp > 0) {
        const token = `${runToken}-${transport}w`;
        const corpus = createLoadCorpus({ seed: options.seed, runToken: token, from: senders, to: recipients });
        await runStep({
          rate: options.startRate,
          messages: Array.from({ length: warmUp }, (_, i) => corpus.message(-1 - i)),
          send: (m) => sendVia(m),
          arrivals: (to) => probe.arrivals(token, to),
          deliveryDeadlineMs,
        });
      }
      let offset = 0;
      for (const step of plan) {
        const token = `${runToken}-${transport}${step.index}`;
        const corpus = createLoadCorpus({ seed: options.seed, runToken: token, from: senders, to: recipients });
        const messages = Array.from({ length: step.count }, (_, i) => corpus.message(offset + i));
        offset += step.count;
        sent.push(...messages);
        // SMTP messages are composed before the step, so composition never slows the sending.
        const raws = transport === 'smtp' ? await Promise.all(messages.map((m) => composeLoadMessage(m))) : [];
        const rawOf = new Map(messages.map((m, i) => [m, raws[i]]));
        const measured = await runStep({
          rate: step.rate,
          messages,
          send: (m) => sendVia(m, rawOf.get(m)),
          arrivals: (to) => probe.arrivals(token, to),
          deliveryDeadlineMs,
        });
        const judgement = judgeStep(measured, { p95TargetMs });
        const row: CapacityStepRow = {
          transport,
          offeredRate: step.rate,
          sent: measured.sent,
          acceptedRate: measured.acceptedRate,
          errors: measured.errors,
          delivered: measured.delivered,
          lost: measured.lost,
          ...(measured.p50Ms !== undefined ? { p50Ms: measured.p50Ms, p95Ms: measured.p95Ms, p99Ms: measured.p99Ms } : {}),
          verdict: judgement.ok ? `ok${step.capped ? ' (capped)' : ''}` : judgement.reason,
        };
        result.steps.push(row);
        say(
          `${transport} step ${step.index + 1}: offered ${step.rate} msg/s × ${step.count} → accepted ${measured.acceptedRate} msg/s, ${measured.errors} errors, ${measured.delivered} delivered, ${measured.lost} lost, p50/p95/p99 ${[measured.p50Ms, measured.p95Ms, measured.p99Ms].map((v) => (v === undefined ? '—' : Math.round(v))).join('/')} ms — ${row.verdict}${measured.errorSamples.length ? ` (e.g. ${measured.errorSamples[0]})` : ''}`,
        );
        if (!judgement.ok) break;
      }
      if (sender) await sender.close();
      result.knee = findKnee(
        result.steps.map((s) => ({ ...s })),
        { p95TargetMs },
      );
    }
    await probe.close();
    await context.close();

    const distribution = describeSent(sent);
    const table = renderCapacityTable(results);
    const knees = results.map(describeKnee);
    const title = `Capacity of ${opened.target.label}`;
    const md = [
      `# Capacity — ${new Date(started).toISOString()}`,
      '',
      `Target: ${opened.note}. Machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}).`,
      `Ramp: ${plan.map((s) => s.rate).join(' → ')} msg/s, ${options.stepSeconds} s a step, at most ${options.maxMessages} messages per transport. Knee: p95 over ${p95TargetMs} ms, any refused or lost message, or less than 90 % of the offered rate accepted.`,
      '',
      ...knees.map((k) => `- ${k}`),
      '',
      table,
      '',
      '![capacity](capacity.svg)',
      '',
      `## Load (faker seed ${options.seed})`,
      '',
      `Drawn from: ${describeClasses().join('; ')}.`,
      `Sent: ${distribution.messages} messages — ${distribution.byClass.map((c) => `${c.name} ${c.count} (${Math.round(c.share * 100)} %)`).join(', ')}; ${distribution.withAttachments} with an attachment; size p50 ${distribution.bytes.p50} B, p95 ${distribution.bytes.p95} B, max ${distribution.bytes.max} B, ${Math.round(distribution.bytes.total / 1024)} KB in all.`,
      '',
    ].join('\n');
    writeFileSync(join(reportDir, 'capacity.md'), redact(md));
    writeFileSync(join(reportDir, 'capacity.svg'), redact(renderCapacityChart(results, { title, p95TargetMs })));
    writeFileSync(
      join(reportDir, 'capacity.json'),
      redact(
        JSON.stringify(
          {
            startedAt: new Date(started).toISOString(),
            target: opened.note,
            options: { ...options },
            p95TargetMs,
            plan,
            results,
            distribution,
          },
          null,
          2,
        ),
      ),
    );
    say('');
    say(table);
    for (const knee of knees) say(knee);
    say(
      `load sent: ${distribution.messages} messages, ${distribution.withAttachments} with an attachment, size p50 ${distribution.bytes.p50} B / p95 ${distribution.bytes.p95} B`,
    );
    say(`wrote ${join(reportDir, 'capacity.md')}, capacity.svg and capacity.json`);
    return 0;
  } finally {
    await opened.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(`capacity: ${error.message}`);
      process.exit(2);
    }
    console.error(`capacity: ${(error as Error).message}`);
    process.exit(1);
  },
);
