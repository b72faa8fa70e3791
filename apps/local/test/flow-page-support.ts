import { inject } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../src/cloud.ts';

/**
 * The local cloud the flow page's tests run against: the synthesized local stage on ephemeral
 * ports, with the documented test speed-ups (shorter Retry intervals, capped visibility timeouts).
 */
export function startFlowPageCloud(): Promise<LocalCloud> {
  return startLocalCloud({
    assemblyDir: inject('localAssemblyDir'),
    port: 0,
    log: () => undefined,
    retryIntervalScale: 0.01,
    maxVisibilityTimeoutSeconds: 1,
  });
}
