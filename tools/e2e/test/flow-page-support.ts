import { type LocalCloud, startLocalCloud } from '@shop/local-cloud';
import { inject } from 'vitest';
import { shopPlugin } from '../src/local-app/shop-plugin.ts';
import { heldToAsyncApi } from './e2e-support.ts';

/**
 * The local cloud the flow page's tests run against: the synthesized local stage on ephemeral
 * ports, with the documented test speed-ups (shorter Retry intervals, capped visibility timeouts),
 * and every event and queue message held to docs/api/asyncapi.yaml.
 */
export async function startFlowPageCloud(): Promise<LocalCloud> {
  const cloud = await startLocalCloud({
    assemblyDir: inject('localAssemblyDir'),
    port: 0,
    // The page's and its plugin's warnings (a failed read) would otherwise be invisible when a test fails.
    log: (entry) => {
      if (entry.source === 'flow-page' || entry.source === shopPlugin.name)
        console.warn(`${entry.source} ${entry.level}: ${entry.message}`);
    },
    plugins: [shopPlugin],
    retryIntervalScale: 0.01,
    maxVisibilityTimeoutSeconds: 1,
  });
  return heldToAsyncApi(cloud);
}
