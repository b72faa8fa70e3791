import * as z from './zod.ts';

/** The services that send and receive messages: each event's `source` names its publisher. */
export const SERVICES = ['orders', 'payments', 'invoices'] as const;
export type Service = (typeof SERVICES)[number];

/** The `source` of every event this application puts on its bus starts with it. */
export const EVENT_SOURCE_PREFIX = 'serverless-commerce';

/**
 * The envelope every event and command travels in, in the order its fields are written. Commands
 * leave `occurredAt` out: the queue's own timestamps say when they were sent.
 */
export const ENVELOPE_FIELDS = ['id', 'type', 'version', 'occurredAt', 'correlationId', 'data'] as const;

export const messageIdSchema = z.string().check(z.minLength(1), z.maxLength(64));
export const correlationIdSchema = z.string().check(z.minLength(1), z.maxLength(128));

export function envelopeSchema<
  const TType extends string,
  const TVersion extends number,
  TData extends z.ZodMiniObject,
>(type: TType, version: TVersion, data: TData) {
  return z.object({
    id: messageIdSchema,
    type: z.literal(type),
    version: z.literal(version),
    occurredAt: z.iso.datetime(),
    correlationId: correlationIdSchema,
    data,
  });
}

/** A message's definition: what the contracts module knows of it. */
export interface MessageDefinition<TData extends z.ZodMiniObject = z.ZodMiniObject> {
  readonly type: string;
  readonly version: number;
  readonly data: TData;
}

/**
 * A value for every field of a message's data, optional ones too, whatever the values' form
 * (JSONPath expressions in a workflow): a builder cannot leave a field out without the compiler
 * saying so.
 */
export type EveryDataField<TDefinition extends MessageDefinition, TValue> = {
  readonly [K in keyof Required<z.infer<TDefinition['data']>>]: TValue;
};

/** Lays out an envelope in `ENVELOPE_FIELDS` order, with the definition's own type and version. */
export function envelopeOf<const TDefinition extends MessageDefinition, TValue, TData>(
  definition: TDefinition,
  values: { id: TValue; occurredAt?: TValue; correlationId: TValue; data: TData },
) {
  const { id, occurredAt, correlationId, data } = values;
  return {
    id,
    type: definition.type as TDefinition['type'],
    version: definition.version as TDefinition['version'],
    ...(occurredAt === undefined ? {} : { occurredAt }),
    correlationId,
    data,
  };
}
