/**
 * The entry behind `npm test`: takes the project's own flags, opens the target, runs the specs with
 * vitest, and always writes the report — also after a configuration error, Ctrl-C, SIGTERM or SIGHUP,
 * or when the process that launched it disappears. The report folder is claimed (locked) before
 * anything runs, the report staged beside the previous one and published all at once (report-folder.ts).
 * Exit codes: 0 all controls passed (warn/waived included), 1 a control failed or was blocked, 2
 * usage/configuration error (or a report that could not be written), 128 + the signal's number when a
 * signal stopped the run (130 SIGINT, 143 SIGTERM, 129 SIGHUP, 131 SIGQUIT).
 */
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Vitest } from 'vitest/node';
import { ConfigError, EXIT_CONFIG, EXIT_FAIL, EXIT_PASS } from '../core/config-error.ts';
import type { Deployment } from '../core/deployment/deployment-schema.ts';
import { loadLiveSettings, type LiveSettings } from './config/live-settings.ts';
import { loadDeployment } from '../core/deployment/load-deployment.ts';
import { parseRunOptions, USAGE, type RunOptions } from './config/run-options.ts';
import { loadWaivers, type Waiver } from './config/waivers.ts';
import { applyDeadlineOverrides, readDeadlineOverrides } from './config/deadline-overrides.ts';
import { CATALOG, type Area } from './controls/catalog.ts';
import { elapsedWords, untilPassIntervalMs } from './config/until-pass.ts';
import type { RunContext } from './config/run-context.ts';
import { INTERRUPTED_MARKER } from './controls/run-markers.ts';
import { ControlReporter } from './report/control-reporter.ts';
import type { ReportInput } from './report/report-input.ts';
import { ResultRegistry } from './report/result-registry.ts';
import { claimReportFolder, type ReportFolder } from './report/report-folder.ts';
import { readPreviousResults, type PreviousResults } from './report/previous-results.ts';
import { collectArtifacts, startScreenshots, type ReportArtifacts } from './report/report-artifacts.ts';
import { logsWanted, writeContainerLogs } from './report/container-logs.ts';
import { maskKnown, maskProcessOutput } from './report/redact.ts';
import { publishReport, reportWriteProblem, stageReport } from './report/publish-report.ts';
import { checkEmbeddedOptions } from './targets/embedded.ts';
import { openTarget } from './targets/open-target.ts';
import { WorldInterrupted } from './targets/embedded-world.ts';
import { areaOfSpec } from './controls/spec-areas.ts';
import { EXIT_FOR_SIGNAL, signalsDelivered, STOP_SIGNALS, watchStops, type RunStop } from './run-stop.ts';
import type { OpenTarget } from './targets/target.ts';

const SIGNALS = STOP_SIGNALS;

function versions(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const version = (name: string): string => {
    try {
      return (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  return {
    'postal-qa': (require('../package.json') as { version: string }).version,
    node: process.versions.node,
    vitest: version('vitest'),
    mailauth: version('mailauth'),
  };
}

function selectedAreas(options: RunOptions): Set<Area> {
  const ids = options.only.length ? options.only : CATALOG.map((c) => c.id);
  return new Set(CATALOG.filter((c) => ids.includes(c.id)).map((c) => c.area));
}

async function runSpecs(
  options: RunOptions,
  target: OpenTarget,
  run: RunContext,
  allureResults: string,
  registry: ResultRegistry,
  onVitest: (v: Vitest) => void,
): Promise<void> {
  // Loaded only when the specs run (seconds on a busy machine): a configuration error answers without it.
  const { createVitest, parseCLI } = await import('vitest/node');
  const { filter, options: vitestCli } = parseCLI(['vitest', ...options.vitestArgs]);
  // vitest installs SIGINT/SIGTERM handlers that exit the process at once; ours must run instead,
  // so the target is closed and the report written on Ctrl-C.
  const ownListeners = new Map(SIGNALS.map((signal) => [signal, new Set(process.listeners(signal))]));
  const vitest = await createVitest('test', {
    ...vitestCli,
    // The project's own folder, wherever the run was started: the specs, the config and the reporters live there.
    root: fileURLToPath(new URL('..', import.meta.url)),
    config: fileURLToPath(new URL('../vitest.config.ts', import.meta.url)),
    run: true,
    watch: false,
    reporters: ['default', ['allure-vitest/reporter', { resultsDir: allureResults }], new ControlReporter(registry)],
  });
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal))
      if (!ownListeners.get(signal)!.has(listener)) process.removeListener(signal, listener);
  }
  onVitest(vitest);
  // The controls of the spec files this run holds: a control waits only for prerequisites among them.
  const areas = new Set((await vitest.globTestSpecifications(filter)).map((spec) => areaOfSpec(spec.moduleId)));
  const selected = run.only.length ? run.only : CATALOG.map((c) => c.id);
  const controlsInRun = CATALOG.filter((c) => areas.has(c.area) && selected.includes(c.id)).map((c) => c.id);
  vitest.provide('target', target.descriptor);
  vitest.provide('run', { ...run, controlsInRun });
  try {
    await vitest.start(filter);
  } finally {
    await vitest.close();
  }
}

/** The --report-dir the user asked for, read without trusting the rest of the flags ('' when given empty). */
function reportDirFlag(argv: string[]): string | undefined {
  const index = argv.findIndex((a) => a === '--report-dir' || a.startsWith('--report-dir='));
  if (index < 0) return undefined;
  const arg = argv[index]!;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : (argv[index + 1] ?? '');
}

/** Waits `ms`, checking every second whether a signal asked the run to stop. */
async function untilStoppedOr(ms: number, stopped: () => boolean): Promise<void> {
  const { pollUntil } = await import('../core/poll.ts');
  await pollUntil(() => Promise.resolve(stopped()), Boolean, { timeoutMs: ms, intervalMs: 1_000, maxIntervalMs: 1_000 });
}

async function main(argv: string[]): Promise<number> {
  const startedAt = new Date();
  const registry = new ResultRegistry();
  let options: RunOptions | undefined;
  let deployment: Deployment | undefined;
  let target: OpenTarget | undefined;
  let vitest: Vitest | undefined;
  let configError: string | undefined;
  let secrets: string[] = [];
  let runDir: string | undefined;
  let folder: ReportFolder | undefined;
  let previous: PreviousResults | undefined;
  let artifacts: ReportArtifacts | undefined;
  let containerLogs: Array<{ name: string; href: string }> | undefined;
  let publishing = false;
  let hardStopBy: string | undefined;
  // Assigned once the signal handlers are in place (a signal replayed while they are installed reads it unset).
  // eslint-disable-next-line prefer-const -- read by stoppedByNow before watchStops returns: a const would be in its dead zone
  let stops: RunStop | undefined;
  // What stopped the run: the first signal (a hard stop's own reason only when it was the first).
  const stoppedByNow = (): string | undefined => stops?.why ?? hardStopBy;
  let unexpected: unknown;
  maskProcessOutput(() => secrets);

  const input = (): ReportInput => ({
    registry,
    startedAt,
    finishedAt: new Date(),
    command: ['npm test --', ...(argv[0] === '--' ? argv.slice(1) : argv)].join(' '),
    versions: versions(),
    options,
    deployment,
    target: target?.descriptor,
    configError,
    interrupted: Boolean(stoppedByNow()),
    stoppedBy: stoppedByNow(),
    previous,
    artifacts,
    containerLogs,
  });

  /**
   * A second signal, or SIGQUIT: no more waiting for the target or the specs. What was gathered is
   * written now, synchronously, as an INTERRUPTED report, and the process exits.
   */
  const hardStop = (why: string, exitCode: number): never => {
    hardStopBy = why;
    registry.stoppedEarly = true;
    if (!folder && !publishing) {
      // Stopped before the report folder was claimed: claim it now, so the stop is on record.
      try {
        options ??= parseRunOptions(argv);
        if (!options.help && !options.listFaults) folder = claimReportFolder(options.reportDir);
      } catch {
        folder = undefined;
      }
    }
    if (folder && !publishing) {
      try {
        folder.discard();
        const staging = folder.staging();
        stageReport(input(), staging, runDir, secrets);
        folder.publish();
        process.stderr.write(
          `postal-qa: ${why}: stopped at once; the INTERRUPTED report is in ${folder.dir} (the target was not closed by this run; it stops on its own)\n`,
        );
      } catch (error) {
        process.stderr.write(`postal-qa: ${why}: stopped at once; ${reportWriteProblem(folder.dir, error)}\n`);
      }
      folder.release();
    }
    if (runDir) rmSync(runDir, { recursive: true, force: true });
    process.exit(exitCode);
  };
  stops = watchStops({
    onStop(why) {
      // Controls that have not started yet see this and stop at once (cancelCurrentRun misses files not yet started).
      if (runDir) writeFileSync(join(runDir, INTERRUPTED_MARKER), why);
      process.stderr.write(
        `\npostal-qa: ${why} — stopping the run, closing the target and writing the report (a second signal stops at once)\n`,
      );
      void vitest?.cancelCurrentRun('keyboard-input');
    },
    onHardStop: hardStop,
  });
  const stop = stops.stop;
  const exitCode = (): number => stops?.exitCode ?? EXIT_FOR_SIGNAL.SIGINT!;

  try {
    options = parseRunOptions(argv);
    if (options.help) {
      console.log(USAGE);
      return EXIT_PASS;
    }
    if (options.listFaults) {
      const { describeFaults } = await import('./targets/embedded.ts');
      console.log(describeFaults());
      return EXIT_PASS;
    }
    // Refused before anything runs: a run whose report cannot be written has nothing to show, and a
    // folder another run is writing is not ours.
    folder = claimReportFolder(options.reportDir);
    // Before this run replaces it; a bad --compare-to file is a ConfigError (exit 2).
    previous = readPreviousResults(options.reportDir, options.compareTo);
    deployment = loadDeployment(options.deploymentPath);
    let liveSettings: LiveSettings | undefined;
    if (options.env === 'live') {
      liveSettings = loadLiveSettings(
        selectedAreas(options),
        process.env,
        options.envFile ? { path: options.envFile, explicit: true } : '.env.live',
        { allowPlainHttp: options.allowPlainHttp },
      );
      secrets = liveSettings.secrets;
    }
    const waivers: Waiver[] = loadWaivers(options.waiversPath);
    // Every input is checked before the target opens: a mistake is exit 2 before any world starts.
    const deadlines = readDeadlineOverrides(process.env);
    if (options.env === 'embedded') checkEmbeddedOptions(options, process.env, deployment);
    runDir = mkdtempSync(join(tmpdir(), 'postal-qa-run-'));
    if (stoppedByNow()) writeFileSync(join(runDir, INTERRUPTED_MARKER), stoppedByNow()!);
    if (!stoppedByNow()) {
      // vitest loads (about a second of one core) while the target opens; runSpecs finds it loaded.
      void import('vitest/node').catch(() => undefined);
      try {
        target = await openTarget(options, deployment, liveSettings);
      } catch (error) {
        // A signal during start-up stops the world too: that is the interruption, not a configuration error
        // (whichever of the two this process learns first). A signal that arrived while a synchronous step
        // blocked (dpkg-query, killed with the job) is delivered on the loop's next turn: wait for it first.
        await signalsDelivered();
        if (error instanceof WorldInterrupted && !stoppedByNow())
          stop(error.signal, `${error.signal} received`, EXIT_FOR_SIGNAL[error.signal] ?? EXIT_FOR_SIGNAL.SIGTERM!);
        if (!stoppedByNow()) {
          if (error instanceof ConfigError) throw error;
          // e.g. the world's port 53 is taken by another world: one line that says what, not a stack trace.
          throw new ConfigError(`could not open the ${options.env} target: ${(error as Error).message}`);
        }
      }
    }
    if (target) {
      applyDeadlineOverrides(target.descriptor.timeouts, deadlines);
      secrets = [...secrets, ...target.secrets];
    }
    const run: RunContext = {
      deployment,
      only: options.only,
      waivers,
      runDir,
      evidenceDir: join(runDir, 'report', 'test-results', 'messages'),
      runToken: `pqa${randomBytes(5).toString('hex')}`,
      load: { allowed: !options.readOnly && (options.env !== 'live' || options.allowLoad), maxMessages: options.maxMessages },
      readOnly: options.readOnly,
      startedAt: startedAt.toISOString(),
    };
    const allureResults = join(runDir, 'allure-results');
    if (target && !stoppedByNow()) await runSpecs(options, target, run, allureResults, registry, (v) => (vitest = v));
    if (target && options.untilPassMs !== undefined) {
      const selected = options.only.length ? options.only : CATALOG.map((c) => c.id);
      const deadline = startedAt.getTime() + options.untilPassMs;
      // A skipped control (no setting for it) or a waived one will not change by waiting: only the rest are awaited.
      let asked = 0;
      const [runOptions, openedTarget, outcomesDir] = [options, target, join(runDir, 'outcomes')];
      const missingNow = () => selected.filter((id) => !['pass', 'skipped', 'waived'].includes(registry.get(id)?.outcome ?? 'not run'));
      // The first attempt is the run above; each later one runs the specs again. A stop ends the wait at once.
      const { pollUntil } = await import('../core/poll.ts');
      const polled = await pollUntil(
        async () => {
          if (asked++ > 0 && !stoppedByNow()) {
            rmSync(outcomesDir, { recursive: true, force: true });
            await runSpecs(runOptions, openedTarget, run, allureResults, registry, (v) => (vitest = v));
          }
          return missingNow();
        },
        (missing) => missing.length === 0 || Boolean(stoppedByNow()),
        {
          timeoutMs: deadline - Date.now(),
          intervalMs: untilPassIntervalMs(2),
          maxIntervalMs: untilPassIntervalMs(Infinity),
          clock: { now: () => Date.now(), sleep: (ms) => untilStoppedOr(ms, () => Boolean(stoppedByNow())) },
          onWait: ({ attempts }) => {
            const waitMs = Math.min(untilPassIntervalMs(attempts + 1), deadline - Date.now());
            const missing = missingNow();
            process.stderr.write(
              `postal-qa: --until-pass, attempt ${attempts}: still missing ${missing.map((id) => `${id} (${registry.get(id)?.summary ?? 'no result'})`).join('; ')} — asking again in ${elapsedWords(waitMs)}, until ${new Date(deadline).toISOString().slice(0, 16)} UTC\n`,
            );
          },
        },
      );
      if (!stoppedByNow()) {
        if (polled.value.length === 0)
          registry.note(
            `--until-pass: every selected control passed (or was skipped) at attempt ${polled.attempts}, ${elapsedWords(Date.now() - startedAt.getTime())} after the start.`,
          );
        else registry.note(`--until-pass: time is up after ${polled.attempts} attempt(s); still not passing: ${polled.value.join(', ')}.`);
      }
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      configError = maskKnown(error.message, secrets);
      console.error(`postal-qa: ${configError}`);
    } else {
      // A defect of ours: the target is still closed and the report still written (saying so); then the stack.
      unexpected = error;
      registry.note(`postal-qa stopped on an internal error: ${maskKnown(String((error as Error)?.message ?? error), secrets)}`);
    }
    // Flags that could not be read may still name a report folder: use it when it can be claimed —
    // never ./reports behind the user's back, never a folder named empty, never one another run holds.
    const named = options?.reportDir ?? reportDirFlag(argv) ?? 'reports';
    if (configError && !folder && named.trim() !== '' && !configError.includes('another postal-qa run')) {
      try {
        folder = claimReportFolder(named);
      } catch {
        folder = undefined;
      }
    }
  }

  // The end of every run that got a report folder: stage the whole report, then publish it at once.
  const interrupted = Boolean(stoppedByNow());
  registry.stoppedEarly = Boolean(configError) || interrupted || unexpected !== undefined;
  let writeFailure: string | undefined;
  if (folder && !options?.help && !options?.listFaults) {
    try {
      const staging = folder.staging();
      // The evidence and Allure results were gathered in the run's own folder: this run's only, never mixed with another's.
      if (runDir && existsSync(join(runDir, 'report'))) cpSync(join(runDir, 'report'), staging, { recursive: true });
      if (runDir && existsSync(join(runDir, 'allure-results')))
        cpSync(join(runDir, 'allure-results'), join(staging, 'allure-results'), { recursive: true });
      // Screenshots need the target still open; the HTML needs vitest's allure-results complete. Both at once.
      // POSTAL_QA_ARTIFACTS=off (the fault matrix, stability runs): results only, no HTML or screenshots to make.
      if (options && target && runDir && !interrupted && process.env.POSTAL_QA_ARTIFACTS !== 'off') {
        // Not while the specs run: Chromium's start-up took a core from the spec workers' (1–1.5 s later first control).
        const screenshots = startScreenshots(target.descriptor, join(runDir, 'screenshots'));
        artifacts = await collectArtifacts(screenshots, staging, secrets, vitest !== undefined);
      }
      // Before close: the containers (and their logs) go with it.
      if (options && target?.containerLogs && logsWanted(registry.all())) {
        const logs = await target
          .containerLogs()
          .catch((error: Error) => (registry.note(`container logs could not be read: ${error.message}`), []));
        mkdirSync(join(staging, 'test-results'), { recursive: true });
        containerLogs = writeContainerLogs(staging, logs, secrets);
      }
    } catch (error) {
      writeFailure = reportWriteProblem(folder.dir, error);
    }
  }
  await target?.close().catch((error: Error) => registry.note(`closing the target failed: ${error.message}`));
  if (folder && !options?.help && !options?.listFaults) {
    publishing = true;
    try {
      if (writeFailure) throw new Error(writeFailure);
      const written = publishReport(input(), folder, undefined, secrets);
      console.log(
        `\npostal-qa: ${written.verdict} — ${written.reason}\n  report:   ${written.markdown}\n  evidence: ${written.json}\n  junit:    ${written.junit}${artifacts?.allureHtml.ok ? `\n  html:     ${join(folder.dir, artifacts.allureHtml.href)}` : ''}`,
      );
    } catch (error) {
      folder.discard();
      writeFailure ??= reportWriteProblem(folder.dir, error);
      if (!configError) console.error(`postal-qa: ${writeFailure}`);
    }
    folder.release();
  }
  if (runDir) rmSync(runDir, { recursive: true, force: true });
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- rethrows what a step threw, as it was
  if (unexpected) throw unexpected;
  if (stoppedByNow()) {
    console.error(`postal-qa: stopped (${stoppedByNow()}); exit ${exitCode()}`);
    return exitCode();
  }
  if (configError || writeFailure) return EXIT_CONFIG;
  // A blocked control proved nothing: like a failed one, it must not let CI pass.
  return registry.all().some((r) => ['fail', 'error', 'blocked'].includes(r.outcome)) ? EXIT_FAIL : EXIT_PASS;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`postal-qa: internal error: ${(error as Error).stack ?? String(error)}`);
    process.exit(EXIT_FAIL);
  },
);
