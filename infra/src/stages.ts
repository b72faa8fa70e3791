import { userInfo } from 'node:os';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/**
 * Every difference between stages, in one place. Stacks read these flags (`stage.retainData`),
 * never the stage's name.
 *
 * - personal `dev-<user>`: one per developer, side by side in one shared development account.
 *   Every physical name carries the stage, everything is destroyed with the stack, and nothing
 *   bills by the hour while idle (one provisioned Kinesis shard, no dashboard, a budget alert).
 *   Tagged `expires-at` two weeks after the last deploy: `npm run stages -- prune` removes it after.
 * - preview `pr-<number>`: one per pull request, deployed and destroyed by .github/workflows/preview.yml;
 *   configured like a personal stage, and it expires a week after the last push.
 * - `local`: the stage `npm start` synthesizes and runs on the local cloud's emulators. Never deployed.
 * - `test`, `prod`: deployed by the pipeline into their own accounts. Data is retained, stacks are
 *   protected from deletion, and functions roll out behind a canary.
 */
export interface StageConfig {
  readonly name: string;
  readonly personal: boolean;
  /** Unset for personal stages without credentials: the stacks are then environment-agnostic. */
  readonly account?: string;
  readonly region: string;
  /** The `owner` tag: the developer for a personal stage, the owning team otherwise. */
  readonly owner: string;
  /** Removal policy of everything that is not data (log groups, parameters, ...). */
  readonly removal: RemovalPolicy;
  /** Keep tables, the archive bucket and the stream when their stack is deleted, and protect them. */
  readonly retainData: boolean;
  readonly terminationProtection: boolean;
  /** Publish functions behind a `live` alias and shift traffic with a CodeDeploy canary. */
  readonly canary: boolean;
  readonly dashboard: boolean;
  /** Provisioned shards of the event stream; unset means on-demand capacity (billed by the hour). */
  readonly kinesisShards?: number;
  /** A monthly AWS Budgets alert on the cost of resources tagged with this stage. */
  readonly budgetMonthlyUsd?: number;
  readonly logRetention: RetentionDays;
  /** Default route throttling of the HTTP API. */
  readonly apiThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Reserved concurrency of each queue consumer: a ceiling that keeps a runaway loop or a flood of
   * messages from starving every other function. Unset on personal stages, see `consumerConcurrency`.
   */
  readonly reservedConcurrency?: number;
  /** Most concurrent invocations each queue's event source mapping starts (at least 2). */
  readonly consumerConcurrency: number;
  /** How long the payment workflow waits for a bank transfer before failing the payment. */
  readonly bankTransferTimeout: Duration;
  readonly taxRateBasisPoints: number;
  /** Archived events (S3) expire after this long. */
  readonly archiveExpiration: Duration;
  /** Retention of the event bus archive, from which events can be replayed. */
  readonly eventArchiveRetention: Duration;
  /** Alarm notifications go to this address when set (the SNS topic exists either way). */
  readonly alarmEmail?: string;
  /**
   * The `expires-at` tag (YYYY-MM-DD) of a disposable stage: after that day `npm run stages -- prune`
   * deletes it. Each deploy pushes it out again. Unset for stages nobody deploys or that keep data.
   */
  readonly expiresAt?: string;
}

/** Days a personal stage lives after its last deploy, and a preview stage after its last push. */
export const PERSONAL_STAGE_DAYS = 14;
export const PREVIEW_STAGE_DAYS = 7;

export const APP_NAME = 'serverless-commerce';

/** The context keys of cdk.json the app reads; each can be overridden with `-c key=value`. */
export interface AppContext {
  /** The region of test, prod and the pipeline, and of personal stages when none is configured. */
  readonly region: string;
  /** The `owner` tag of test, prod and the pipeline. */
  readonly owner: string;
  readonly testAccount: string;
  readonly prodAccount: string;
  /** The account the pipeline runs in. */
  readonly toolingAccount: string;
  /** `owner/name` of the repository the pipeline builds. */
  readonly repository: string;
  readonly branch: string;
  /** A CodeConnections connection to the repository's host. */
  readonly connectionArn: string;
  /** Subscribed to every stage's alarm topic when set. */
  readonly alarmEmail?: string;
}

/** What the stage configuration needs of the context. */
export type StageContext = Pick<
  AppContext,
  'region' | 'owner' | 'testAccount' | 'prodAccount' | 'alarmEmail'
>;

/** Reads a value from the CDK context: cdk.json, cdk.context.json or `-c key=value`. */
export type ContextReader = (key: string) => unknown;

export function readAppContext(read: ContextReader): AppContext {
  const text = (key: string): string => {
    const value = read(key);
    if (typeof value !== 'string' || value.trim() === '') {
      throw new Error(`Missing CDK context value "${key}": set it in infra/cdk.json or pass -c ${key}=...`);
    }
    return value;
  };
  const alarmEmail = read('alarmEmail');
  return {
    region: text('region'),
    owner: text('owner'),
    testAccount: text('testAccount'),
    prodAccount: text('prodAccount'),
    toolingAccount: text('toolingAccount'),
    repository: text('repository'),
    branch: text('branch'),
    connectionArn: text('connectionArn'),
    ...(typeof alarmEmail === 'string' && alarmEmail !== '' ? { alarmEmail } : {}),
  };
}

const PERSONAL_STAGE = /^dev-[a-z0-9](?:[a-z0-9-]{0,14}[a-z0-9])?$/;
const PREVIEW_STAGE = /^pr-[1-9][0-9]{0,7}$/;

/** `dev-<os user>`, lowercased and trimmed to a valid stage name (`Jane.Doe` → `dev-jane-doe`). */
export function defaultPersonalStageName(username = userInfo().username): string {
  const user = username
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 16)
    .replace(/^-+|-+$/g, '');
  return `dev-${user || 'user'}`;
}

export function isPersonalStageName(name: string): boolean {
  return PERSONAL_STAGE.test(name);
}

/** `pr-<pull request number>`: a preview stage. */
export function isPreviewStageName(name: string): boolean {
  return PREVIEW_STAGE.test(name);
}

/** Stages that are created and destroyed at will: personal and preview stages. */
export function isDisposableStageName(name: string): boolean {
  return isPersonalStageName(name) || isPreviewStageName(name);
}

/** The day, `days` after `from`, as YYYY-MM-DD (UTC): the value of the `expires-at` tag. */
export function expiryDate(from: Date, days: number): string {
  return new Date(from.getTime() + days * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

/**
 * The configuration of a stage by name. `env` supplies the account and region the CDK CLI found
 * for the current credentials (CDK_DEFAULT_ACCOUNT / CDK_DEFAULT_REGION): personal stages deploy
 * wherever the developer is logged in. A preview stage's owner is STAGE_OWNER (the pull request's
 * author, set by preview.yml). `today` dates the `expires-at` tag.
 */
export function stageConfig(
  name: string,
  context: StageContext,
  env: NodeJS.ProcessEnv = process.env,
  today: Date = new Date(),
): StageConfig {
  if (name === 'test' || name === 'prod') return sharedStage(name, context);
  if (name === 'local') return localStage(context);
  if (isPersonalStageName(name)) {
    return {
      ...personalStage(name, context, env),
      expiresAt: expiryDate(today, PERSONAL_STAGE_DAYS),
    };
  }
  if (isPreviewStageName(name)) {
    return {
      ...personalStage(name, context, env),
      owner: env.STAGE_OWNER || name,
      expiresAt: expiryDate(today, PREVIEW_STAGE_DAYS),
    };
  }
  throw new Error(
    `Unknown stage "${name}". Use test, prod, local, a personal stage dev-<name> ` +
      '(lowercase letters, digits and dashes, at most 20 characters in all) or a preview stage pr-<number>.',
  );
}

/** Everything a personal stage is, preview stages included: disposable, cheap while idle. */
function personalStage(name: string, context: StageContext, env: NodeJS.ProcessEnv): StageConfig {
  const account = env.CDK_DEFAULT_ACCOUNT;
  return {
    name,
    personal: true,
    ...(account ? { account } : {}),
    region: env.CDK_DEFAULT_REGION ?? context.region,
    owner: name.slice('dev-'.length),
    removal: RemovalPolicy.DESTROY,
    retainData: false,
    terminationProtection: false,
    canary: false,
    dashboard: false,
    kinesisShards: 1,
    // Above an idle stage's own floor: one provisioned Kinesis shard alone is $11–12 a month
    // (docs/cost.md), so a $10 budget would alert every stage in its first month.
    budgetMonthlyUsd: 20,
    logRetention: RetentionDays.ONE_WEEK,
    apiThrottle: { rateLimit: 10, burstLimit: 20 },
    // A new account may have only 10 concurrent executions, and Lambda keeps 10 unreserved at all
    // times, so reserving any would fail the deployment there. maxConcurrency on the event source
    // mappings bounds the consumers instead, without taking from the account's pool.
    consumerConcurrency: 2,
    bankTransferTimeout: Duration.hours(1),
    taxRateBasisPoints: 2000,
    archiveExpiration: Duration.days(30),
    eventArchiveRetention: Duration.days(7),
    ...(context.alarmEmail ? { alarmEmail: context.alarmEmail } : {}),
  };
}

function localStage(context: StageContext): StageConfig {
  // Built from an empty environment: the local cloud reads the same template on every laptop,
  // whatever credentials are around. It is never deployed, so it has no budget.
  const { budgetMonthlyUsd: _neverDeployed, ...personal } = personalStage('local', context, {});
  return { ...personal, owner: 'local', bankTransferTimeout: Duration.minutes(10) };
}

function sharedStage(name: 'test' | 'prod', context: StageContext): StageConfig {
  const prod = name === 'prod';
  return {
    name,
    personal: false,
    account: prod ? context.prodAccount : context.testAccount,
    region: context.region,
    owner: context.owner,
    removal: RemovalPolicy.RETAIN,
    retainData: true,
    terminationProtection: true,
    canary: true,
    dashboard: true,
    logRetention: prod ? RetentionDays.THREE_MONTHS : RetentionDays.ONE_MONTH,
    apiThrottle: prod ? { rateLimit: 200, burstLimit: 400 } : { rateLimit: 50, burstLimit: 100 },
    reservedConcurrency: prod ? 20 : 5,
    consumerConcurrency: prod ? 20 : 5,
    bankTransferTimeout: prod ? Duration.days(3) : Duration.hours(4),
    taxRateBasisPoints: 2000,
    archiveExpiration: prod ? Duration.days(400) : Duration.days(90),
    eventArchiveRetention: prod ? Duration.days(365) : Duration.days(30),
    ...(context.alarmEmail ? { alarmEmail: context.alarmEmail } : {}),
  };
}

/** `serverless-commerce-<stage>-<resource>`: every physical name starts with the stage's prefix. */
export function physicalName(stage: Pick<StageConfig, 'name'>, resource: string): string {
  return `${APP_NAME}-${stage.name}-${resource}`;
}

/**
 * The CloudWatch namespace of the stage's own metrics: what the handlers record with Powertools
 * (POWERTOOLS_METRICS_NAMESPACE) and what metric filters count in its logs.
 */
export function metricNamespace(stage: StageConfig): string {
  return `${APP_NAME}/${stage.name}`;
}

/** The CloudFormation stack name of one of the stage's stacks. */
export function stackName(stage: StageConfig, stack: string): string {
  return physicalName(stage, stack);
}
