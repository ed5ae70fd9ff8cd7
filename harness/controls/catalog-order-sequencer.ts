import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { areaOfSpec, SPEC_AREA_ORDER } from './spec-areas.ts';

/** Spec files by area, in the order prerequisites flow; unknown files go last, by name. */
function rank(path: string): number {
  const area = areaOfSpec(path);
  return area === undefined ? SPEC_AREA_ORDER.length : SPEC_AREA_ORDER.indexOf(area);
}

/**
 * Files start in catalog order: with fewer workers than files, a file only ever waits for prerequisites in
 * files that started before it, so the wait always ends.
 */
export class CatalogOrderSequencer extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return Promise.resolve([...files].sort((a, b) => rank(a.moduleId) - rank(b.moduleId) || a.moduleId.localeCompare(b.moduleId)));
  }
}
