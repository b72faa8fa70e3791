import type { LocalService, LogSink } from '../contracts.ts';
import { AwsApiError } from '../kit/json-protocol-server.ts';
import { offsetPage } from '../kit/offset-page.ts';
import { type RestJsonRoute, startRestJsonServer } from '../kit/rest-json-server.ts';
import { type ServiceLog, serviceLog } from '../kit/service-log.ts';
import type { EventSourceState, SqsEventSource } from '../sqs/event-source-mapping.ts';
import type { EventSourceMappingModel } from '../template/local-model.ts';
import { functionNameFromArn } from '../template/wiring-model.ts';

/**
 * The local Lambda API, as far as the template's SQS event source mappings go: GetEventSourceMapping,
 * ListEventSourceMappings, and UpdateEventSourceMapping of `Enabled` only, which pauses and resumes
 * a queue's consumer (REST-JSON, to the real AWS SDK). A client that pauses a consumer on a deployed
 * stage pauses the local one the same way. Every other operation is refused, naming these.
 */
export interface EventSourceMappingApiOptions {
  mappings: readonly RunningMapping[];
  /** The local functions' ARNs, to their names. */
  functionByArn: Map<string, string>;
  log: LogSink;
  region: string;
  accountId: string;
  /** Default 0: an ephemeral port on 127.0.0.1. */
  port?: number;
}

/** A mapping of the templates and the poller that runs it. */
export interface RunningMapping {
  model: EventSourceMappingModel;
  source: SqsEventSource;
}

const PATH = '/2015-03-31/event-source-mappings';
const SERVED = 'GetEventSourceMapping, ListEventSourceMappings and UpdateEventSourceMapping (Enabled only)';
/** ListEventSourceMappings' MaxItems: 1 to 10,000, 100 when not given. */
const MAX_ITEMS = 10_000;
const DEFAULT_ITEMS = 100;
const STATES: Record<EventSourceState, string> = {
  enabled: 'Enabled',
  disabling: 'Disabling',
  disabled: 'Disabled',
};

export async function createEventSourceMappingApi(
  options: EventSourceMappingApiOptions,
): Promise<LocalService> {
  const log = serviceLog(options.log, 'lambda');
  const mappings = new LocalMappings(options, log);
  const one = new RegExp(`^${PATH}/(?<uuid>[^/]+)$`);
  const routes: RestJsonRoute[] = [
    {
      method: 'GET',
      path: new RegExp(`^${PATH}/?$`),
      status: 200,
      run: ({ query }) => list(options.mappings, query, options.functionByArn, mappings),
    },
    {
      method: 'GET',
      path: one,
      status: 200,
      run: ({ params }) => mappings.describe(mappings.find(params.uuid)),
    },
    { method: 'PUT', path: one, status: 202, run: ({ params, body }) => mappings.update(params.uuid, body) },
  ];
  const server = await startRestJsonServer({
    routes,
    refuse: (method, path) =>
      new AwsApiError(
        'UnknownOperationException',
        `The local cloud's Lambda API serves ${SERVED} of the templates' SQS event source mappings, not ${method} ${path}`,
      ),
    // Lambda's error shapes name their message `Message` or `message`: both, for either to be read.
    errorBody: (error) => ({ Type: 'User', Message: error.message, message: error.message }),
    log,
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  return { endpoint: server.endpoint, stop: () => server.close() };
}

/** The mappings as the Lambda API describes and changes them. */
class LocalMappings {
  readonly #options: EventSourceMappingApiOptions;
  readonly #log: ServiceLog;
  readonly #functionArns: Map<string, string>;
  readonly #lastModified: Map<string, Date>;

  constructor(options: EventSourceMappingApiOptions, log: ServiceLog) {
    this.#options = options;
    this.#log = log;
    this.#functionArns = new Map([...options.functionByArn].map(([arn, name]) => [name, arn]));
    this.#lastModified = new Map(options.mappings.map(({ model }) => [model.uuid, new Date()]));
  }

  find(uuid: string | undefined): RunningMapping {
    const found = this.#options.mappings.find(({ model }) => model.uuid === uuid);
    if (!found) {
      throw new AwsApiError(
        'ResourceNotFoundException',
        `The resource you requested does not exist: no event source mapping ${uuid}`,
        404,
      );
    }
    return found;
  }

  /** Lambda's EventSourceMappingConfiguration of an SQS mapping. */
  describe({ model, source }: RunningMapping, state = STATES[source.state]) {
    const { region, accountId } = this.#options;
    return {
      UUID: model.uuid,
      EventSourceArn: model.queueArn,
      FunctionArn:
        this.#functionArns.get(model.functionName) ??
        `arn:aws:lambda:${region}:${accountId}:function:${model.functionName}`,
      BatchSize: model.batchSize,
      MaximumBatchingWindowInSeconds: model.maximumBatchingWindowSeconds,
      FunctionResponseTypes: model.reportBatchItemFailures ? ['ReportBatchItemFailures'] : [],
      ...(model.maximumConcurrency
        ? { ScalingConfig: { MaximumConcurrency: model.maximumConcurrency } }
        : {}),
      State: state,
      // AWS says USER_INITIATED of a mapping its creator or an update set: the template, or a client.
      StateTransitionReason: 'USER_INITIATED',
      LastModified: this.#lastModified.get(model.uuid),
      EventSourceMappingArn: model.arn,
    };
  }

  /** Answers at once, in the state it moves to; a disabled mapping reads so once its batches end. */
  update(uuid: string | undefined, body: Record<string, unknown>) {
    const mapping = this.find(uuid);
    const enabled = enabledOf(body);
    const { source, model } = mapping;
    if (enabled === undefined || enabled === (source.state === 'enabled')) return this.describe(mapping);
    if (source.state === 'disabling') {
      throw new AwsApiError(
        'ResourceInUseException',
        `The event source mapping ${model.uuid} is Disabling; update it once it is Disabled`,
      );
    }
    this.#lastModified.set(model.uuid, new Date());
    const said = this.#log.with({
      source: `SQS ${model.queueArn.split(':').at(-1)} → ${model.functionName}`,
    });
    if (enabled) {
      source.enable();
      said.info(`Event source ${model.uuid} enabled`);
      return this.describe(mapping, 'Enabling');
    }
    said.info(`Event source ${model.uuid} disabling: its batches in flight finish first`);
    void source.disable().then(() => said.info(`Event source ${model.uuid} disabled`));
    return this.describe(mapping, 'Disabling');
  }
}

/** The only change the local cloud makes: `Enabled`; any other field is refused, naming it. */
function enabledOf(body: Record<string, unknown>): boolean | undefined {
  const others = Object.keys(body).filter((field) => field !== 'Enabled');
  if (others.length > 0) {
    throw invalid(
      `The local cloud changes only Enabled of an event source mapping, not ${others.join(', ')}: change the template instead`,
    );
  }
  if (body.Enabled !== undefined && typeof body.Enabled !== 'boolean')
    throw invalid('Enabled must be true or false');
  return body.Enabled as boolean | undefined;
}

function list(
  mappings: readonly RunningMapping[],
  query: URLSearchParams,
  functionByArn: Map<string, string>,
  described: LocalMappings,
) {
  const functionName = query.get('FunctionName');
  const eventSourceArn = query.get('EventSourceArn');
  const maxItems = query.has('MaxItems') ? Number(query.get('MaxItems')) : DEFAULT_ITEMS;
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > MAX_ITEMS) {
    throw invalid(`MaxItems must be an integer from 1 to ${MAX_ITEMS}`);
  }
  const named = functionName === null ? undefined : nameOfFunction(functionName, functionByArn);
  const matching = mappings.filter(
    ({ model }) =>
      (named === undefined || model.functionName === named) &&
      (eventSourceArn === null || model.queueArn === eventSourceArn),
  );
  const paged = offsetPage(matching, query.get('Marker') ?? undefined, maxItems);
  if (!paged) throw invalid('The Marker is not valid');
  return {
    EventSourceMappings: paged.page.map((mapping) => described.describe(mapping)),
    ...(paged.nextToken ? { NextMarker: paged.nextToken } : {}),
  };
}

/** A function named by name, ARN (qualified or not) or partial ARN (`<account>:function:<name>`). */
function nameOfFunction(reference: string, functionByArn: Map<string, string>): string {
  if (reference.startsWith('arn:')) return functionNameFromArn(reference, functionByArn) ?? reference;
  return /^(?:\d{12}:)?function:([^:]+)/.exec(reference)?.[1] ?? reference;
}

const invalid = (message: string) => new AwsApiError('InvalidParameterValueException', message);
