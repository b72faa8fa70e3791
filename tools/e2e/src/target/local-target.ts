import { awsEnvironment, type LocalCloud, type LogEntry, startLocalCloud } from '@shop/local-cloud';
import { shopPlugin } from '../local-app/shop-plugin.ts';
import { prepareLocalAssembly } from '../prepare-assembly.ts';

/**
 * The local cloud the suite starts and stops itself: the `local` stage as `npm start` runs it
 * (built and synthesized unless an assembly is given), on ephemeral ports, with the documented
 * speed-ups (retry intervals / 100, visibility timeouts capped at 1 s; counts unchanged). It is
 * then resolved like any stage, through the endpoints it exports: the suite never reads it directly.
 */
export interface LocalTarget {
  /** The region and AWS_ENDPOINT_URL_* variables that point the SDK at it. */
  environment: Record<string, string>;
  stop(): Promise<void>;
}

export async function startLocalTarget(options: {
  assemblyDir?: string;
  say: (text: string) => void;
  log?: (entry: LogEntry) => void;
}): Promise<LocalTarget> {
  const assemblyDir =
    options.assemblyDir ??
    (await prepareLocalAssembly({ step: options.say, done: options.say, stdio: 'stderr' }));
  const cloud: LocalCloud = await startLocalCloud({
    assemblyDir,
    port: 0,
    log: options.log ?? (() => undefined),
    plugins: [shopPlugin],
    retryIntervalScale: 0.01,
    maxVisibilityTimeoutSeconds: 1,
  });
  return { environment: awsEnvironment(cloud), stop: () => cloud.stop() };
}
