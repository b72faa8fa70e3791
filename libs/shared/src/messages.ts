import type { CommandDefinition, CommandOf } from '@shop/contracts/commands';
import { envelopeOf } from '@shop/contracts/envelope';
import type { EventData, EventDefinition, EventOf } from '@shop/contracts/events';
import type * as z from '@shop/contracts/zod';
import { newId } from './ids.ts';
import { parseWith } from './validation.ts';

/**
 * How a function makes and reads the messages of @shop/contracts: a new envelope with a fresh id,
 * and a received one validated against its own schema (a ValidationError names every bad field).
 */
export function createEvent<D extends EventDefinition>(
  definition: D,
  data: EventData<D['type']>,
  options: { correlationId: string; id?: string; occurredAt?: Date },
): EventOf<D['type']> {
  return envelopeOf(definition, {
    id: options.id ?? newId('evt'),
    occurredAt: (options.occurredAt ?? new Date()).toISOString(),
    correlationId: options.correlationId,
    data,
  }) as EventOf<D['type']>;
}

export function createCommand<D extends CommandDefinition>(
  definition: D,
  data: CommandOf<D['type']>['data'],
  options: { correlationId: string },
): CommandOf<D['type']> {
  return envelopeOf(definition, {
    id: newId('cmd'),
    correlationId: options.correlationId,
    data,
  }) as CommandOf<D['type']>;
}

/** Validates an envelope against the schema of its own `type`, among the events a consumer accepts. */
export function parseEvent<D extends EventDefinition>(
  input: unknown,
  accepted: readonly D[],
): EventOf<D['type']> {
  const type = (input as { type?: unknown } | null)?.type;
  const definition = accepted.find((candidate) => candidate.type === type);
  if (!definition) {
    throw new UnexpectedEventError(
      `Event type ${String(type)} is not one of ${accepted.map((candidate) => candidate.type).join(', ')}`,
    );
  }
  return parseWith(
    definition.schema as unknown as z.ZodMiniType<EventOf<D['type']>>,
    input,
    `${definition.type} event`,
  );
}

/**
 * Unwraps the envelope from an EventBridge event as an SQS target receives it
 * (`{ "detail-type", source, detail, ... }`) and validates it.
 */
export function parseBusEventBody<D extends EventDefinition>(
  body: string,
  accepted: readonly D[],
): EventOf<D['type']> {
  const busEvent = JSON.parse(body) as { detail?: unknown };
  return parseEvent(busEvent.detail, accepted);
}

export function parseCommand<D extends CommandDefinition>(definition: D, body: string): CommandOf<D['type']> {
  return parseWith(
    definition.schema as unknown as z.ZodMiniType<CommandOf<D['type']>>,
    JSON.parse(body),
    `${definition.type} message`,
  );
}

export class UnexpectedEventError extends Error {
  override readonly name = 'UnexpectedEventError';
}
