import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** Spec files by area, in the order prerequisites flow; unknown files go last, by name. */
const ORDER = ['infrastructure', 'dns', 'security', 'functionality', 'performance'];

function rank(path: string): number {
  const index = ORDER.findIndex((area) => path.includes(`/specs/${area}`) || path.includes(`/specs/${area.slice(0, 3)}`));
  return index === -1 ? ORDER.length : index;
}

export class CatalogOrderSequencer extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    return Promise.resolve([...files].sort((a, b) => rank(a.moduleId) - rank(b.moduleId) || a.moduleId.localeCompare(b.moduleId)));
  }
}
