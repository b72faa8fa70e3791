import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalService, LogEntry, LogSink } from '../contracts.ts';
import { listenOnLoopback } from '../kit/http-server.ts';
import { compileEventPattern, type EventPatternMatcher } from './event-pattern.ts';
import { compileInputPath, type InputPathSelector } from './input-path.ts';

/**
 * The local EventBridge: a PutEvents endpoint (AWS JSON 1.1, what `EventBridgeClient` speaks) and the
 * rules of the synthesized template. Accepted events are matched and delivered after the response, as
 * on AWS, where PutEvents only means "accepted"; a failing target is retried a few times, then logged.
 * A test run can also let its tests create their own buses, rules and targets (`acceptsResourceChanges`).
 */

export interface EventBus {
  name: string;
  arn: string;
}

export interface RuleTarget {
  id: string;
  arn: string;
  /** CloudFormation `Input`: JSON text sent instead of the event. */
  input?: string;
  /** CloudFormation `InputPath`: the part of the event sent, e.g. `$.detail`. */
  inputPath?: string;
}

export interface EventRule {
  name: string;
  busName: string;
  pattern: object;
  targets: RuleTarget[];
}

export interface EventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** A PutEvents entry as the SDK sends it (`Time` in epoch seconds on the wire, a Date in process). */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: Date | number;
  TraceHeader?: string;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

/** What a target receives besides its payload: enough to build an SQS message or a Kinesis record. */
export interface Delivery {
  rule: string;
  bus: string;
  event: EventBridgeEvent;
}

export interface AcceptedEvent {
  bus: string;
  event: EventBridgeEvent;
  matchedRules: string[];
}

/** An accepted event on its bus: what a journal keeps until the event is delivered. */
export interface BusEvent {
  bus: string;
  event: EventBridgeEvent;
}

/**
 * Keeps accepted events until their deliveries are done, so that a restarted local cloud delivers
 * what a killed one had accepted: on AWS, an event PutEvents accepted is delivered to its targets
 * (retried for up to 24 hours) whatever happens to the caller.
 */
export interface EventDeliveryJournal {
  /** Called before PutEvents answers: once it returns, the events survive a killed process. */
  accepted(events: BusEvent[]): void;
  /** Every delivery of the event is done: made, or given up after its retries. */
  delivered(eventId: string): void;
}

export interface EventBridgeServiceOptions {
  buses: EventBus[];
  rules: EventRule[];
  /** Sends one payload to one target; a rejection counts as a failed delivery and is retried. */
  deliver(target: RuleTarget, payload: unknown, delivery: Delivery): Promise<void>;
  log: LogSink;
  region: string;
  accountId: string;
  host?: string;
  port?: number;
  /** Retries after the first failed delivery (default 3) and the first backoff (default 100 ms, doubling). */
  retry?: { retries?: number; baseDelayMs?: number };
  /**
   * Also serve CreateEventBus, PutRule and PutTargets, so that each test file sets up its own bus and
   * rule with the real client. The local cloud leaves this off: its buses and rules are the template's.
   */
  acceptsResourceChanges?: boolean;
  /** Makes accepted events durable until delivered (the local cloud's `--persist`). */
  journal?: EventDeliveryJournal;
}

export interface EventBridgeService extends LocalService {
  /** PutEvents in process, with the same validation, response and asynchronous delivery as the endpoint. */
  putEvents(entries: PutEventsEntry[]): Promise<PutEventsResult>;
  /** Called with every accepted event (for the live page); returns the unsubscribe function. */
  onEvent(listener: (accepted: AcceptedEvent) => void): () => void;
  /**
   * Delivers again events a journal kept from a run that ended before delivering them (call it once
   * their targets are up). Targets that had them already get them twice: delivery is at least once.
   */
  redeliver(events: BusEvent[]): void;
}

/** A request AWS rejects as a whole (HTTP 400 `ValidationException`), not entry by entry. */
export class PutEventsValidationError extends Error {
  override readonly name = 'PutEventsValidationError';
  readonly code = 'ValidationException';
}

/** A CreateEventBus, PutRule or PutTargets request refused with the error type AWS answers (HTTP 400). */
export class ResourceChangeError extends Error {
  override readonly name = 'ResourceChangeError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

const MAX_ENTRIES = 10;
// The PutEvents quota: the entries of one request, sized as AWS documents, must fit in 256 KB.
const MAX_REQUEST_BYTES = 256 * 1024;
const SOURCE = 'eventbridge';

interface CompiledTarget {
  target: RuleTarget;
  payload(event: EventBridgeEvent): { found: true; value: unknown } | { found: false };
}

interface CompiledRule {
  rule: EventRule;
  matches: EventPatternMatcher;
  targets: CompiledTarget[];
}

export async function createEventBridgeService(
  options: EventBridgeServiceOptions,
): Promise<EventBridgeService> {
  const { log, region, accountId } = options;
  // A copy: CreateEventBus adds to it, and the caller's list stays as it was given.
  const buses = [...options.buses];
  const retries = options.retry?.retries ?? 3;
  const baseDelayMs = options.retry?.baseDelayMs ?? 100;
  const rulesByBus = compileRules(options.rules, buses);
  const listeners = new Set<(accepted: AcceptedEvent) => void>();
  const inFlight = new Set<Promise<unknown>>();
  const stopping = new AbortController();

  const emit = (
    level: LogEntry['level'],
    message: string,
    fields?: Record<string, unknown>,
    event?: EventBridgeEvent,
  ) => {
    const correlationId = event?.detail.correlationId;
    log({
      source: SOURCE,
      level,
      message,
      time: new Date().toISOString(),
      ...(typeof correlationId === 'string' ? { correlationId } : {}),
      ...(fields ? { fields } : {}),
    });
  };

  /** Validates and turns entries into events; returns the response and the work to do after it. */
  const accept = (entries: PutEventsEntry[]) => {
    if (stopping.signal.aborted) throw new Error('The local EventBridge is stopped');
    validateRequest(entries);
    const accepted: Array<{ bus: EventBus; event: EventBridgeEvent }> = [];
    const results = entries.map((entry): PutEventsResultEntry => {
      const outcome = toEvent(entry, buses, region, accountId);
      if ('ErrorCode' in outcome) return outcome;
      accepted.push(outcome);
      return { EventId: outcome.event.id };
    });
    if (accepted.length > 0)
      options.journal?.accepted(accepted.map(({ bus, event }) => ({ bus: bus.name, event })));
    const result: PutEventsResult = {
      FailedEntryCount: results.filter((entry) => 'ErrorCode' in entry).length,
      Entries: results,
    };
    const dispatch = () => {
      // A request answered while the cloud was stopping delivers nothing rather than outliving stop().
      if (stopping.signal.aborted) return;
      for (const { bus, event } of accepted) route(bus, event);
    };
    return { result, dispatch };
  };

  const route = (bus: EventBus, event: EventBridgeEvent) => {
    const matched = (rulesByBus.get(bus.name) ?? []).filter((compiled) => compiled.matches(event));
    const matchedRules = matched.map(({ rule }) => rule.name);
    emit(
      'INFO',
      `${event['detail-type']} from ${event.source} on ${bus.name}: ${matchedRules.length ? `matched ${matchedRules.join(', ')}` : 'matched no rule'}`,
      { eventId: event.id, bus: bus.name, matchedRules },
      event,
    );
    for (const listener of listeners) {
      try {
        listener({ bus: bus.name, event, matchedRules });
      } catch (error) {
        emit('ERROR', `An onEvent listener failed: ${describe(error)}`, { eventId: event.id });
      }
    }
    const deliveries: Promise<'done' | 'abandoned'>[] = [];
    for (const { rule, targets } of matched) {
      for (const compiled of targets) {
        const payload = compiled.payload(event);
        if (!payload.found) {
          emit(
            'WARN',
            `Rule ${rule.name}: InputPath ${compiled.target.inputPath} selects nothing; not delivered`,
            {
              eventId: event.id,
              target: compiled.target.id,
            },
          );
          continue;
        }
        const delivery = deliverWithRetries(compiled.target, payload.value, {
          rule: rule.name,
          bus: bus.name,
          event,
        });
        deliveries.push(delivery);
        inFlight.add(delivery);
        void delivery.finally(() => inFlight.delete(delivery));
      }
    }
    const { journal } = options;
    if (journal) {
      // A delivery cut short by stop() is not done: the journal keeps the event for the next start.
      void Promise.all(deliveries).then((outcomes) => {
        if (outcomes.includes('abandoned')) return;
        try {
          journal.delivered(event.id);
        } catch (error) {
          emit('ERROR', `Could not journal the delivery of ${event.id}: ${describe(error)}`);
        }
      });
    }
  };

  const deliverWithRetries = async (
    target: RuleTarget,
    payload: unknown,
    delivery: Delivery,
  ): Promise<'done' | 'abandoned'> => {
    const { event, rule } = delivery;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await options.deliver(target, payload, delivery);
        return 'done';
      } catch (error) {
        const fields = { eventId: event.id, rule, target: target.id, targetArn: target.arn, attempt };
        if (attempt > retries || stopping.signal.aborted) {
          emit(
            'ERROR',
            `Rule ${rule}: delivery to ${target.id} failed ${attempt} time(s), event dropped: ${describe(error)}`,
            fields,
            event,
          );
          return stopping.signal.aborted ? 'abandoned' : 'done';
        }
        emit(
          'WARN',
          `Rule ${rule}: delivery to ${target.id} failed, retrying: ${describe(error)}`,
          fields,
          event,
        );
        try {
          await sleep(baseDelayMs * 2 ** (attempt - 1), undefined, { signal: stopping.signal });
        } catch {
          emit('ERROR', `Rule ${rule}: local cloud stopping, event for ${target.id} dropped`, fields, event);
          return 'abandoned';
        }
      }
    }
  };

  const changeResources: ChangeResources = (operation, input) => {
    const busName = optionalString(input, 'EventBusName') ?? 'default';
    const rulesOn = (name: string) => {
      const onBus = rulesByBus.get(name);
      if (!onBus)
        throw new ResourceChangeError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
      return onBus;
    };
    switch (operation) {
      case 'CreateEventBus': {
        const name = requiredString(input, 'Name');
        if (rulesByBus.has(name)) {
          throw new ResourceChangeError(
            'ResourceAlreadyExistsException',
            `Event bus ${name} already exists.`,
          );
        }
        const bus = { name, arn: `arn:aws:events:${region}:${accountId}:event-bus/${name}` };
        buses.push(bus);
        rulesByBus.set(name, []);
        emit('INFO', `Event bus ${name} created`);
        return { EventBusArn: bus.arn };
      }
      case 'PutRule': {
        const name = requiredString(input, 'Name');
        const onBus = rulesOn(busName);
        const pattern = parseJsonObject(requiredString(input, 'EventPattern'), 'EventPattern');
        const index = onBus.findIndex((compiled) => compiled.rule.name === name);
        const targets = onBus[index]?.rule.targets ?? [];
        const compiled = compileRuleOrRefuse(
          { name, busName, pattern, targets },
          'InvalidEventPatternException',
        );
        if (index === -1) onBus.push(compiled);
        else onBus[index] = compiled;
        emit('INFO', `Rule ${name} put on ${busName}`);
        return { RuleArn: `arn:aws:events:${region}:${accountId}:rule/${busName}/${name}` };
      }
      case 'PutTargets': {
        const name = requiredString(input, 'Rule');
        const onBus = rulesOn(busName);
        const index = onBus.findIndex((compiled) => compiled.rule.name === name);
        const existing = onBus[index];
        if (!existing) {
          throw new ResourceChangeError(
            'ResourceNotFoundException',
            `Rule ${name} does not exist on ${busName}.`,
          );
        }
        const added = toRuleTargets(input.Targets);
        const kept = existing.rule.targets.filter((target) => !added.some((other) => other.id === target.id));
        onBus[index] = compileRuleOrRefuse(
          { ...existing.rule, targets: [...kept, ...added] },
          'ValidationException',
        );
        emit('INFO', `Rule ${name} on ${busName} targets ${added.map((target) => target.arn).join(', ')}`);
        return { FailedEntryCount: 0, FailedEntries: [] };
      }
    }
  };

  const server = createServer((request, response) => {
    const changes = options.acceptsResourceChanges ? changeResources : undefined;
    handleHttp(request, response, accept, changes, emit).catch((error: unknown) => {
      emit('ERROR', `PutEvents endpoint failed: ${describe(error)}`);
      if (!response.headersSent) sendError(response, 500, 'InternalException', 'Internal error');
    });
  });
  const { address, port } = await listenOnLoopback(server, options.port, options.host);

  return {
    endpoint: `http://${address}:${port}`,
    async putEvents(entries) {
      const { result, dispatch } = accept(entries);
      // EventBridge answers before it delivers: the caller gets its EventIds first.
      setImmediate(dispatch);
      return result;
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    redeliver(events) {
      for (const { bus: name, event } of events) {
        const bus = buses.find((candidate) => candidate.name === name);
        if (bus) route(bus, event);
        else {
          emit('WARN', `Event ${event.id} on bus ${name}, which no longer exists, is not delivered`);
          options.journal?.delivered(event.id);
        }
      }
    },
    async stop() {
      stopping.abort();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await Promise.allSettled([...inFlight]);
    },
  };
}

function compileRules(rules: EventRule[], buses: EventBus[]): Map<string, CompiledRule[]> {
  const byBus = new Map<string, CompiledRule[]>(buses.map((bus) => [bus.name, []]));
  for (const rule of rules) {
    const onBus = byBus.get(rule.busName);
    if (!onBus) {
      throw new Error(
        `Rule ${rule.name} is on event bus "${rule.busName}", which is not among the local buses (${buses.map((bus) => bus.name).join(', ') || 'none'})`,
      );
    }
    onBus.push(compileRule(rule));
  }
  return byBus;
}

function compileRule(rule: EventRule): CompiledRule {
  let matches: EventPatternMatcher;
  try {
    matches = compileEventPattern(rule.pattern);
  } catch (error) {
    throw new Error(`Rule ${rule.name} on bus ${rule.busName} cannot run locally: ${describe(error)}`, {
      cause: error,
    });
  }
  return { rule, matches, targets: rule.targets.map((target) => compileTarget(rule, target)) };
}

/** A rule put over the API: what fails the start for a template's rule is the caller's 400 here. */
function compileRuleOrRefuse(rule: EventRule, code: string): CompiledRule {
  try {
    return compileRule(rule);
  } catch (error) {
    throw new ResourceChangeError(code, describe(error));
  }
}

function requiredString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') {
    throw new ResourceChangeError('ValidationException', `${field} is required and must be a string`);
  }
  return value;
}

function optionalString(input: Record<string, unknown>, field: string): string | undefined {
  return input[field] === undefined ? undefined : requiredString(input, field);
}

function parseJsonObject(text: string, field: string): object {
  const parsed = parseDetail(text);
  if (!parsed) throw new ResourceChangeError('InvalidEventPatternException', `${field} is not a JSON object`);
  return parsed;
}

function toRuleTargets(targets: unknown): RuleTarget[] {
  if (!Array.isArray(targets) || targets.length === 0) {
    throw new ResourceChangeError('ValidationException', 'Targets must be a non-empty list');
  }
  return targets.map((target: Record<string, unknown>) => ({
    id: requiredString(target, 'Id'),
    arn: requiredString(target, 'Arn'),
    ...(target.Input !== undefined ? { input: requiredString(target, 'Input') } : {}),
    ...(target.InputPath !== undefined ? { inputPath: requiredString(target, 'InputPath') } : {}),
  }));
}

function compileTarget(rule: EventRule, target: RuleTarget): CompiledTarget {
  const where = `Rule ${rule.name}, target ${target.id}`;
  if (target.input !== undefined && target.inputPath !== undefined) {
    throw new Error(`${where}: Input and InputPath are mutually exclusive`);
  }
  if (target.input !== undefined) {
    let constant: unknown;
    try {
      constant = JSON.parse(target.input);
    } catch (error) {
      throw new Error(`${where}: Input is not valid JSON: ${describe(error)}`, { cause: error });
    }
    return { target, payload: () => ({ found: true, value: structuredClone(constant) }) };
  }
  if (target.inputPath !== undefined) {
    let select: InputPathSelector;
    try {
      select = compileInputPath(target.inputPath);
    } catch (error) {
      throw new Error(`${where}: ${describe(error)}`, { cause: error });
    }
    return { target, payload: (event) => select(event) };
  }
  return { target, payload: (event) => ({ found: true, value: event }) };
}

function validateRequest(entries: unknown): asserts entries is PutEventsEntry[] {
  if (!Array.isArray(entries)) {
    throw new PutEventsValidationError(
      "1 validation error detected: Value null at 'entries' failed to satisfy constraint: Member must not be null",
    );
  }
  if (entries.length < 1 || entries.length > MAX_ENTRIES) {
    const constraint =
      entries.length < 1
        ? 'have length greater than or equal to 1'
        : `have length less than or equal to ${MAX_ENTRIES}`;
    throw new PutEventsValidationError(
      `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must ${constraint}`,
    );
  }
  if (!entries.every((entry) => typeof entry === 'object' && entry !== null && !Array.isArray(entry))) {
    throw new PutEventsValidationError(
      "1 validation error detected: Value at 'entries' must be a list of objects",
    );
  }
  const size = entries.reduce<number>((total, entry) => total + entrySize(entry as PutEventsEntry), 0);
  if (size > MAX_REQUEST_BYTES) {
    throw new PutEventsValidationError('Total size of the entries in the request is over the limit.');
  }
}

/** The entry size as the EventBridge user guide computes it ("Calculating PutEvents event entry size"). */
function entrySize(entry: PutEventsEntry): number {
  const bytes = (text: unknown) => (typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : 0);
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (Array.isArray(entry.Resources)
      ? entry.Resources.reduce((total, resource) => total + bytes(resource), 0)
      : 0)
  );
}

function toEvent(
  entry: PutEventsEntry,
  buses: EventBus[],
  region: string,
  accountId: string,
): { ErrorCode: string; ErrorMessage: string } | { bus: EventBus; event: EventBridgeEvent } {
  for (const field of ['Source', 'DetailType', 'Detail'] as const) {
    const value = entry[field];
    if (typeof value !== 'string' || value === '') {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: `Parameter ${field} is not valid. Reason: ${field} is a required argument.`,
      };
    }
  }
  const detail = parseDetail(entry.Detail ?? '');
  if (!detail) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  if (
    entry.Resources !== undefined &&
    !(Array.isArray(entry.Resources) && entry.Resources.every((item) => typeof item === 'string'))
  ) {
    return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Resources is not valid.' };
  }
  const busRef = entry.EventBusName || 'default';
  const bus = buses.find(
    (candidate) => (busRef.startsWith('arn:') ? candidate.arn : candidate.name) === busRef,
  );
  if (!bus) {
    return { ErrorCode: 'ResourceNotFoundException', ErrorMessage: `Event bus ${busRef} does not exist.` };
  }
  return {
    bus,
    event: {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType ?? '',
      source: entry.Source ?? '',
      account: accountId,
      time: eventTime(entry.Time),
      region,
      resources: entry.Resources ?? [],
      detail,
    },
  };
}

function parseDetail(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Event time to the second, as EventBridge writes it (`2025-03-10T14:15:03Z`); now when absent. */
function eventTime(time: Date | number | undefined): string {
  const millis = time instanceof Date ? time.getTime() : typeof time === 'number' ? time * 1000 : Date.now();
  const date = new Date(Number.isFinite(millis) ? millis : Date.now());
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

type Accept = (entries: PutEventsEntry[]) => { result: PutEventsResult; dispatch: () => void };
type ResourceChange = 'CreateEventBus' | 'PutRule' | 'PutTargets';
type ChangeResources = (operation: ResourceChange, input: Record<string, unknown>) => object;
type Emit = (level: LogEntry['level'], message: string, fields?: Record<string, unknown>) => void;

const RESOURCE_CHANGES: ReadonlySet<string> = new Set<ResourceChange>([
  'CreateEventBus',
  'PutRule',
  'PutTargets',
]);
const isResourceChange = (operation: string): operation is ResourceChange => RESOURCE_CHANGES.has(operation);

async function handleHttp(
  request: IncomingMessage,
  response: ServerResponse,
  accept: Accept,
  changeResources: ChangeResources | undefined,
  emit: Emit,
) {
  const body = await readBody(request);
  const target = String(request.headers['x-amz-target'] ?? '');
  const operation = target.startsWith('AWSEvents.') ? target.slice('AWSEvents.'.length) : '';
  const change = changeResources && isResourceChange(operation) ? operation : undefined;
  if (request.method !== 'POST' || (operation !== 'PutEvents' && !change)) {
    const served = changeResources ? 'PutEvents, CreateEventBus, PutRule and PutTargets' : 'PutEvents only';
    emit(
      'WARN',
      `The local EventBridge serves ${served}; refused ${request.method} ${target || '(no X-Amz-Target)'}`,
    );
    sendError(
      response,
      400,
      'UnknownOperationException',
      `Operation ${target || 'unknown'} is not supported locally`,
    );
    return;
  }
  let input: { Entries?: unknown };
  try {
    input = JSON.parse(body.toString('utf8') || '{}') as { Entries?: unknown };
  } catch {
    sendError(response, 400, 'SerializationException', 'The request body is not valid JSON');
    return;
  }
  if (change && changeResources) {
    try {
      send(response, 200, changeResources(change, input as Record<string, unknown>));
    } catch (error) {
      if (!(error instanceof ResourceChangeError)) throw error;
      sendError(response, 400, error.code, error.message);
    }
    return;
  }
  let accepted: ReturnType<Accept>;
  try {
    accepted = accept(input.Entries as PutEventsEntry[]);
  } catch (error) {
    if (error instanceof PutEventsValidationError) {
      sendError(response, 400, error.code, error.message);
      return;
    }
    throw error;
  }
  // Delivery starts once the response is written, as EventBridge delivers asynchronously.
  response.once('finish', accepted.dispatch);
  send(response, 200, accepted.result);
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(text);
}

function sendError(response: ServerResponse, status: number, type: string, message: string) {
  send(response, status, { __type: type, message }, { 'x-amzn-errortype': type });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
