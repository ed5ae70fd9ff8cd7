import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import type { TargetDescriptor } from './target.ts';

/**
 * The DKIM selector the controls expect: the one Postal generated, when provisioning read it back
 * (postal-state.json); otherwise the deployment file's, which is only an assumption (`learnt: false`).
 */
export function postalSelectorOf(target: TargetDescriptor, deployment: Deployment): { selector: string; learnt: boolean; source: string } {
  const learnt = target.postal?.dkimSelector;
  if (learnt) return { selector: learnt.selector, learnt: true, source: `Postal's, from ${learnt.source}` };
  return {
    selector: deployment.dns.dkim.selector,
    learnt: false,
    source: "the deployment file's dns.dkim.selector (no postal-state.json: not learnt from Postal)",
  };
}
