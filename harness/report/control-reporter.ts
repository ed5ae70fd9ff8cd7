import type { Reporter, TestCase, TestModule } from 'vitest/node';
import type { ControlResult } from '../controls/control-result.ts';
import { findControl } from '../controls/catalog.ts';
import type { ResultRegistry } from './result-registry.ts';

declare module 'vitest' {
  interface TaskMeta {
    control?: ControlResult;
  }
}

/** Feeds control results from the spec workers into the CLI's registry as each test case ends. */
export class ControlReporter implements Reporter {
  constructor(private readonly registry: ResultRegistry) {}

  onTestCaseResult(testCase: TestCase): void {
    const meta = testCase.meta().control;
    if (meta) {
      this.registry.record(meta);
      return;
    }
    // A spec crashed before its control wrapper could record anything: still an error, never a silent gap.
    const id = /^([A-Z]+-\d+)\b/.exec(testCase.name)?.[1];
    const definition = id ? findControl(id) : undefined;
    const result = testCase.result();
    if (definition && result.state === 'failed') {
      this.registry.record({
        id: definition.id,
        title: definition.title,
        area: definition.area,
        severity: definition.severity,
        outcome: 'error',
        summary: result.errors?.[0]?.message ?? 'the spec failed before recording a result',
        verdicts: [],
        startedAt: new Date().toISOString(),
        durationMs: testCase.diagnostic()?.duration ?? 0,
      });
    }
  }

  onTestModuleEnd(testModule: TestModule): void {
    for (const error of testModule.errors()) {
      this.registry.note(`${testModule.moduleId}: ${error.message}`);
    }
  }
}
