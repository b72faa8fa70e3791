import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LocalCloud } from '@shop/local-cloud/cloud';
import { type AwsService, ENDPOINT_VARIABLES } from '@shop/shared/aws-clients';
import { type BundleReport, type Contributor, type LambdaFunction, repoRoot } from './bundles.ts';
import { type RecordedCall, startCallRecorder } from './recorder.ts';
import { functionEnvironment, startFunctionProcess } from './runner.ts';
import type { Scenario } from './scenarios.ts';
import { median, percentile, round, shuffled } from './stats.ts';

export const VARIANTS = ['ours', 'naive', 'floor'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface SizedBuilds {
  fn: LambdaFunction;
  files: Record<Variant, string>;
  reports: Record<Variant, BundleReport>;
}

export interface Distribution {
  median: number;
  p90: number;
  samples: number[];
}

export interface FunctionResult {
  name: string;
  app: string;
  bytes: Record<Variant, number>;
  topContributors: Contributor[];
  /** What the floor constructs, and the calls it makes (those of our first invocation). */
  floor: { sdkClients: Record<string, string[]>; powertools: string[]; libraries: string[]; calls: string[] };
  coldInitMs: Record<Variant, Distribution>;
  /** The import() part of the cold init (module scope: client construction included). */
  importMs: Record<Variant, { median: number }>;
  warmMs: { p50: number; p99: number; invocations: number };
}

const distribution = (samples: number[]): Distribution => ({
  median: round(median(samples), 2),
  p90: round(percentile(samples, 0.9), 2),
  samples: samples.map((sample) => round(sample, 2)),
});

export interface FunctionsBench {
  functions: FunctionResult[];
  /** The same measurement of a module that exports a handler doing nothing: what no bundle can go below. */
  emptyModuleColdInitMs: Distribution;
}

const emptyModule = join(repoRoot, 'tools/bench/dist/empty/index.mjs');

/**
 * Cold init of every function's three builds in fresh processes, interleaved (each round runs
 * every function's builds in a new random order, so a busy moment of the machine hits them
 * alike), then the warm latency of ours.
 */
export async function benchFunctions(options: {
  cloud: LocalCloud;
  builds: SizedBuilds[];
  scenarios: Record<string, Scenario>;
  coldRuns: number;
  warmInvocations: number;
  progress: (text: string) => void;
}): Promise<FunctionsBench> {
  const { cloud, builds, scenarios, coldRuns, warmInvocations, progress } = options;
  const region = cloud.model.functions[0]?.arn.split(':')[3] ?? 'us-east-1';
  const baseEnvironment = (endpoints: Record<string, string>) => ({
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    // The SDK's variable of each service the functions' clients know (libs/shared/src/aws-clients.ts).
    ...Object.fromEntries(
      Object.entries(endpoints).flatMap(([service, url]) => {
        const variable = ENDPOINT_VARIABLES[service as AwsService];
        return variable ? [[variable, url]] : [];
      }),
    ),
  });
  const environmentOf = (fn: LambdaFunction, endpoints: Record<string, string>) => {
    const model = cloud.model.functions.find((candidate) => candidate.name.endsWith(`-${fn.handler}`));
    if (!model) throw new Error(`The local stage has no function for ${fn.app}/${fn.handler}`);
    return functionEnvironment(model.name, model.environment, baseEnvironment(endpoints));
  };
  const scenarioOf = (fn: LambdaFunction) => {
    const scenario = scenarios[fn.handler];
    if (!scenario)
      throw new Error(`No bench scenario for ${fn.handler}: add one to tools/bench/src/scenarios.ts`);
    return scenario;
  };
  const check = (fn: LambdaFunction, variant: Variant, outcome: { ok: boolean; result: unknown }) => {
    const problem =
      variant === 'floor'
        ? outcome.ok
          ? undefined
          : JSON.stringify(outcome.result)
        : scenarioOf(fn).problem(outcome);
    if (problem) throw new Error(`${fn.handler} (${variant} build): ${problem}`);
  };

  progress('Recording the SDK calls of each function’s first invocation (its floor makes the same)…');
  const recorder = await startCallRecorder(cloud.endpoints);
  const floorCalls = new Map<string, RecordedCall[]>();
  try {
    for (const { fn, files } of builds) {
      recorder.take();
      const run = await startFunctionProcess({
        bundle: files.ours,
        event: await scenarioOf(fn).event(false),
        env: environmentOf(fn, recorder.endpoints),
      });
      await run.stop();
      check(fn, 'ours', run.cold);
      floorCalls.set(fn.handler, recorder.take());
    }
  } finally {
    await recorder.stop();
  }

  const cold = new Map<string, Record<Variant, { total: number[]; imports: number[] }>>(
    builds.map(({ fn }) => [
      fn.handler,
      {
        ours: { total: [], imports: [] },
        naive: { total: [], imports: [] },
        floor: { total: [], imports: [] },
      },
    ]),
  );
  await mkdir(dirname(emptyModule), { recursive: true });
  await writeFile(emptyModule, 'export const handler = async () => ({});\n');
  const emptyModuleSamples: number[] = [];
  for (let round = 1; round <= coldRuns; round += 1) {
    const started = performance.now();
    const empty = await startFunctionProcess({
      bundle: emptyModule,
      event: {},
      env: functionEnvironment('empty', {}, {}),
    });
    await empty.stop();
    emptyModuleSamples.push(empty.cold.totalMs);
    for (const { fn, files } of builds) {
      for (const variant of shuffled(VARIANTS)) {
        const event = variant === 'floor' ? floorCalls.get(fn.handler) : await scenarioOf(fn).event(false);
        const run = await startFunctionProcess({
          bundle: files[variant],
          event,
          env: environmentOf(fn, cloud.endpoints),
        });
        await run.stop();
        check(fn, variant, run.cold);
        const samples = cold.get(fn.handler)?.[variant];
        samples?.total.push(run.cold.totalMs);
        samples?.imports.push(run.cold.importMs);
      }
    }
    progress(
      `  cold round ${round}/${coldRuns}: ${builds.length * VARIANTS.length} fresh processes in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }

  const warm = new Map<string, number[]>();
  for (const { fn, files } of builds) {
    const started = performance.now();
    const scenario = scenarioOf(fn);
    const run = await startFunctionProcess({
      bundle: files.ours,
      event: await scenario.event(true),
      env: environmentOf(fn, cloud.endpoints),
    });
    const samples: number[] = [];
    try {
      for (let index = 0; index < warmInvocations; index += 1) {
        const outcome = await run.invoke(await scenario.event(true));
        check(fn, 'ours', outcome);
        samples.push(outcome.ms);
      }
    } finally {
      await run.stop();
    }
    warm.set(fn.handler, samples);
    progress(
      `  warm ${fn.handler}: ${warmInvocations} invocations in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
  }

  const functions = builds.map(({ fn, reports }) => {
    const samples = cold.get(fn.handler) as Record<Variant, { total: number[]; imports: number[] }>;
    const warmSamples = warm.get(fn.handler) ?? [];
    const perVariant = <T>(map: (variant: Variant) => T) =>
      Object.fromEntries(VARIANTS.map((variant) => [variant, map(variant)])) as Record<Variant, T>;
    return {
      name: fn.handler,
      app: fn.app,
      bytes: perVariant((variant) => reports[variant].bytes),
      topContributors: reports.ours.topContributors,
      floor: {
        sdkClients: reports.ours.thirdParty.sdkClients,
        powertools: reports.ours.thirdParty.powertools,
        libraries: reports.ours.thirdParty.libraries,
        calls: (floorCalls.get(fn.handler) ?? []).map((call) => call.target),
      },
      coldInitMs: perVariant((variant) => distribution(samples[variant].total)),
      importMs: perVariant((variant) => ({ median: round(median(samples[variant].imports), 2) })),
      warmMs: {
        p50: round(percentile(warmSamples, 0.5), 2),
        p99: round(percentile(warmSamples, 0.99), 2),
        invocations: warmSamples.length,
      },
    };
  });
  return { functions, emptyModuleColdInitMs: distribution(emptyModuleSamples) };
}
