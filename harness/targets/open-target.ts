import type { Deployment } from '../../core/deployment/deployment-schema.ts';
import type { LiveSettings } from '../config/live-settings.ts';
import type { RunOptions } from '../config/run-options.ts';
import { openEmbeddedTarget } from './embedded.ts';
import { openLiveTarget } from './live.ts';
import { openLocalTarget } from './local.ts';
import type { OpenTarget } from './target.ts';

export async function openTarget(options: RunOptions, deployment: Deployment, liveSettings?: LiveSettings): Promise<OpenTarget> {
  switch (options.env) {
    case 'embedded':
      return openEmbeddedTarget(options, deployment);
    case 'local':
      return openLocalTarget(options, deployment);
    case 'live':
      if (!liveSettings) throw new Error('live settings were not loaded');
      return openLiveTarget(deployment, liveSettings);
  }
}
