import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';

/**
 * The three bundles the bench compares for every function: ours (the production build of
 * tools/bundling/src/bundle-handlers.mjs), the naive build of the same source, and the floor: only the
 * third-party clients the function uses, found in our bundle's esbuild metafile.
 */
export const repoRoot = resolve(import.meta.dirname, '../../..');
const workDir = join(repoRoot, 'tools/bench/dist');

export interface LambdaFunction {
  app: string;
  handler: string;
  /** The handler's TypeScript source. */
  source: string;
  /** Our production bundle. */
  bundle: string;
  appDir: string;
}

/** Every handler of every app tagged `lambda`, as tools/bundling/src/bundle-handlers.mjs bundles them. */
export function listFunctions(): LambdaFunction[] {
  const appsDir = join(repoRoot, 'apps');
  return readdirSync(appsDir)
    .filter((app) => {
      const manifest = join(appsDir, app, 'package.json');
      if (!existsSync(manifest)) return false;
      const { nx } = JSON.parse(readFileSync(manifest, 'utf8')) as { nx?: { tags?: string[] } };
      return nx?.tags?.includes('lambda') ?? false;
    })
    .sort()
    .flatMap((app) => {
      const appDir = join(appsDir, app);
      return readdirSync(join(appDir, 'src/handlers'))
        .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
        .sort()
        .map((file) => {
          const handler = basename(file, '.ts');
          return {
            app,
            handler,
            source: join(appDir, 'src/handlers', file),
            bundle: join(appDir, 'dist', handler, 'index.mjs'),
            appDir,
          };
        });
    });
}

export interface Contributor {
  /** An npm package, or a folder of this repo such as `libs/shared`. */
  name: string;
  bytes: number;
}

/** What one function's bundle uses from third parties: what its floor must construct and call. */
export interface ThirdParty {
  /** AWS SDK clients by package, with the commands the bundle contains. */
  sdkClients: Record<string, string[]>;
  /** lib-dynamodb document commands (its DynamoDBDocumentClient wraps the DynamoDB client). */
  documentCommands: string[];
  /** Powertools packages: logger, metrics, tracer, batch, parameters. */
  powertools: string[];
  /** Other libraries a floor knows how to construct and call (FLOOR_LIBRARIES). */
  libraries: string[];
}

export interface BundleReport {
  bytes: number;
  topContributors: Contributor[];
  thirdParty: ThirdParty;
}

/** Reads a bundle's bytes, its top contributors by package, and its third-party clients. */
export function analyseBundle(metafile: Metafile, outputFile: string): BundleReport {
  const output = Object.entries(metafile.outputs).find(([path]) => resolve(repoRoot, path) === outputFile);
  if (!output) throw new Error(`${outputFile} is not in the metafile: rebuild it (npx nx run-many -t build)`);
  const byContributor = new Map<string, number>();
  const sdkClients: Record<string, Set<string>> = {};
  const documentCommands = new Set<string>();
  const powertools = new Set<string>();
  const libraries = new Set<string>();
  for (const [input, { bytesInOutput }] of Object.entries(output[1].inputs)) {
    if (bytesInOutput === 0) continue;
    const name = contributorOf(input);
    byContributor.set(name, (byContributor.get(name) ?? 0) + bytesInOutput);
    const command = input.match(
      /node_modules\/@aws-sdk\/(client-[\w-]+|lib-dynamodb)\/dist-\w+\/commands\/(\w+)Command\.js$/,
    );
    if (command?.[1] && command[2]) {
      if (command[1] === 'lib-dynamodb') documentCommands.add(command[2]);
      else {
        sdkClients[`@aws-sdk/${command[1]}`] ??= new Set();
        sdkClients[`@aws-sdk/${command[1]}`]?.add(command[2]);
      }
    }
    const client = input.match(/node_modules\/@aws-sdk\/(client-[\w-]+)\//);
    if (client?.[1]) sdkClients[`@aws-sdk/${client[1]}`] ??= new Set();
    const utility = input.match(
      /node_modules\/@aws-lambda-powertools\/(logger|metrics|tracer|batch|parameters)\//,
    );
    if (utility?.[1]) powertools.add(utility[1]);
    if (FLOOR_LIBRARIES[name]) libraries.add(name);
  }
  return {
    bytes: output[1].bytes,
    topContributors: [...byContributor]
      .map(([name, bytes]) => ({ name, bytes }))
      .sort((a, b) => b.bytes - a.bytes)
      .slice(0, 5),
    thirdParty: {
      sdkClients: Object.fromEntries(
        Object.entries(sdkClients).map(([client, commands]) => [client, [...commands].sort()]),
      ),
      documentCommands: [...documentCommands].sort(),
      powertools: [...powertools].sort(),
      libraries: [...libraries].sort(),
    },
  };
}

function contributorOf(input: string): string {
  const dependency = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (dependency?.[1]) return dependency[1];
  const own = input.match(/^(?:\.\.\/)*((?:apps|libs)\/[^/]+)\//);
  return own?.[1] ?? input;
}

/** Our production bundle of a function, from the metafile its app's build writes. */
export function productionReport(fn: LambdaFunction): BundleReport {
  const metaFile = join(fn.appDir, 'dist/meta.json');
  if (!existsSync(metaFile)) throw new Error(`${metaFile} is missing: run npx nx run-many -t build`);
  const metafile = JSON.parse(readFileSync(metaFile, 'utf8')) as Metafile;
  // The app's build runs in its own folder: its metafile paths are relative to it.
  const rebased: Metafile = {
    inputs: metafile.inputs,
    outputs: Object.fromEntries(
      Object.entries(metafile.outputs).map(([path, output]) => [
        resolve(fn.appDir, path),
        {
          ...output,
          inputs: Object.fromEntries(
            Object.entries(output.inputs).map(([input, value]) => [
              resolve(fn.appDir, input).slice(repoRoot.length + 1),
              value,
            ]),
          ),
        },
      ]),
    ),
  };
  return analyseBundle(rebased, fn.bundle);
}

export interface BuiltBundle {
  file: string;
  report: BundleReport;
}

/**
 * The naive reference: the same handler source bundled with plain
 * `esbuild --bundle --minify --platform=node` (CommonJS, the packages' default entry points).
 */
export async function buildNaive(fn: LambdaFunction): Promise<BuiltBundle> {
  const file = join(workDir, 'naive', fn.handler, 'index.cjs');
  const result = await build({
    entryPoints: [fn.source],
    outfile: file,
    bundle: true,
    minify: true,
    platform: 'node',
    metafile: true,
    absWorkingDir: repoRoot,
    logLevel: 'warning',
  });
  return { file, report: analyseBundle(result.metafile, file) };
}

const SDK_CLIENT_CLASSES: Record<string, { className: string; config: string }> = {
  '@aws-sdk/client-dynamodb': { className: 'DynamoDBClient', config: '{}' },
  // fauxqs' queue URLs name a host that does not resolve; on AWS this setting changes nothing.
  '@aws-sdk/client-sqs': { className: 'SQSClient', config: '{ useQueueUrlAsEndpoint: false }' },
  '@aws-sdk/client-eventbridge': { className: 'EventBridgeClient', config: '{}' },
  '@aws-sdk/client-sfn': { className: 'SFNClient', config: '{}' },
  '@aws-sdk/client-kinesis': { className: 'KinesisClient', config: '{}' },
  '@aws-sdk/client-secrets-manager': { className: 'SecretsManagerClient', config: '{}' },
};

/** The JSON-protocol target prefix of each client's operations, as recorded on the wire. */
export const SDK_TARGET_PREFIXES: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'DynamoDB_20120810',
  '@aws-sdk/client-sqs': 'AmazonSQS',
  '@aws-sdk/client-eventbridge': 'AWSEvents',
  '@aws-sdk/client-sfn': 'AWSStepFunctions',
  '@aws-sdk/client-kinesis': 'Kinesis_20131202',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
};

const POWERTOOLS: Record<string, { imports: string; construct: string }> = {
  logger: { imports: "import { Logger } from '@aws-lambda-powertools/logger';", construct: 'new Logger()' },
  metrics: {
    imports: "import { Metrics } from '@aws-lambda-powertools/metrics';",
    construct: 'new Metrics()',
  },
  tracer: { imports: "import { Tracer } from '@aws-lambda-powertools/tracer';", construct: 'new Tracer()' },
  batch: {
    imports: "import { BatchProcessor, EventType } from '@aws-lambda-powertools/batch';",
    construct: 'new BatchProcessor(EventType.SQS)',
  },
  // The Secrets Manager provider, the one this app uses, on the floor's Secrets Manager client.
  parameters: {
    imports: "import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';",
    construct: 'secretsProvider',
  },
};

/**
 * Libraries other than the AWS SDK and Powertools that a floor constructs and calls once per
 * invocation, as the function does: `construct` declares the instance, `call` uses it.
 */
const FLOOR_LIBRARIES: Record<string, { imports: string; construct: string; call: string }> = {
  standardwebhooks: {
    imports: "import { Webhook } from 'standardwebhooks';",
    construct: "const webhook = new Webhook('Zmxvb3Itd2ViaG9vay1zZWNyZXQ=');",
    // Signing is the HMAC a verification computes.
    call: "webhook.sign('msg_floor', new Date(), JSON.stringify(calls));",
  },
};

/**
 * The source of a function's floor: constructs, with default settings, each AWS SDK client,
 * Powertools utility and known library the function's bundle contains, and exports a handler that
 * calls each library once and sends the SDK calls it is given (the calls recorded from the real
 * function's first invocation). A service error is an answer like any other: the call was made.
 */
export function floorSource({ sdkClients, documentCommands, powertools, libraries }: ThirdParty): string {
  const lines: string[] = [];
  const operations: string[] = [];
  const keep: string[] = [];
  const calls: string[] = [];
  for (const [pkg, commands] of Object.entries(sdkClients)) {
    const client = SDK_CLIENT_CLASSES[pkg];
    if (!client) throw new Error(`The floor does not know the AWS SDK client ${pkg}`);
    const variable = client.className.charAt(0).toLowerCase() + client.className.slice(1);
    lines.push(
      `import { ${[client.className, ...commands.map((c) => `${c}Command`)].join(', ')} } from '${pkg}';`,
    );
    const construct = `new ${client.className}(${client.config})`;
    if (pkg === '@aws-sdk/client-dynamodb' && documentCommands.length > 0) {
      lines.push(
        `import { DynamoDBDocumentClient, ${documentCommands.map((c) => `${c}Command as Document${c}Command`).join(', ')} } from '@aws-sdk/lib-dynamodb';`,
      );
      keep.push(`const ${variable} = DynamoDBDocumentClient.from(${construct});`);
      keep.push(
        `export const documentCommands = [${documentCommands.map((c) => `Document${c}Command`).join(', ')}];`,
      );
    } else {
      keep.push(`const ${variable} = ${construct};`);
    }
    for (const command of commands) {
      const target = `${SDK_TARGET_PREFIXES[pkg]}.${command}`;
      // The function reads its secret through the Parameters provider: so does the floor.
      const send =
        target === 'secretsmanager.GetSecretValue' && powertools.includes('parameters')
          ? 'secretsProvider.get(input.SecretId, { forceFetch: true })'
          : `${variable}.send(new ${command}Command(input))`;
      operations.push(`  '${target}': (input) => ${send},`);
    }
  }
  for (const utility of powertools) {
    const entry = POWERTOOLS[utility];
    if (!entry) continue;
    lines.push(entry.imports);
  }
  if (powertools.includes('parameters')) {
    if (!sdkClients['@aws-sdk/client-secrets-manager']) {
      throw new Error(
        'The floor knows the Parameters Secrets Manager provider only, and the bundle has no such client',
      );
    }
    keep.push('const secretsProvider = new SecretsProvider({ awsSdkV3Client: secretsManagerClient });');
  }
  keep.push(
    `export const powertools = [${powertools.flatMap((u) => POWERTOOLS[u]?.construct ?? []).join(', ')}];`,
  );
  for (const library of libraries) {
    const entry = FLOOR_LIBRARIES[library];
    if (!entry) throw new Error(`The floor does not know the library ${library}`);
    lines.push(entry.imports);
    keep.push(entry.construct);
    calls.push(`  ${entry.call}`);
  }
  return `${lines.join('\n')}
${keep.join('\n')}
const operations = {
${operations.join('\n')}
};
export const handler = async (calls) => {
${calls.join('\n')}
  for (const { target, input } of calls) {
    const send = operations[target];
    if (!send) throw new Error('The floor has no operation ' + target);
    try {
      await send(input);
    } catch (error) {
      // Parameters wraps the SDK's error: its cause is the service's answer.
      if (error?.$metadata === undefined && error?.cause?.$metadata === undefined) throw error;
    }
  }
  return {};
};
`;
}

/** The floor bundle, built with our production settings minus everything that is ours. */
export async function buildFloor(fn: LambdaFunction, thirdParty: ThirdParty): Promise<BuiltBundle> {
  const dir = join(workDir, 'floor', fn.handler);
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'index.mjs');
  const result = await build({
    stdin: {
      contents: floorSource(thirdParty),
      resolveDir: fn.appDir,
      sourcefile: `floor-${fn.handler}.mjs`,
    },
    outfile: file,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    minify: true,
    mainFields: ['module', 'main'],
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module';const require=__createRequire(import.meta.url);",
    },
    legalComments: 'none',
    metafile: true,
    absWorkingDir: repoRoot,
    logLevel: 'warning',
  });
  return { file, report: analyseBundle(result.metafile, file) };
}
