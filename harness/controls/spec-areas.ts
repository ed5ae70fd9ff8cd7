import type { Area } from './catalog.ts';

/** The spec files' areas, in the order prerequisites flow (infrastructure → dns → security → functionality → performance). */
export const SPEC_AREA_ORDER: readonly Area[] = ['infrastructure', 'dns', 'security', 'functionality', 'performance'];

/** The area a spec file holds (specs/<area>.spec.ts, or its first three letters), or undefined. */
export function areaOfSpec(path: string): Area | undefined {
  return SPEC_AREA_ORDER.find((area) => path.includes(`/specs/${area}`) || path.includes(`/specs/${area.slice(0, 3)}`));
}
