import { names } from '@nx/devkit';

export type MessageKind = 'event' | 'command';

export interface EventGeneratorOptions {
  /** PascalCase: a fact for an event, past tense; an order for a command, a verb first. */
  readonly name: string;
  readonly kind?: MessageKind;
  /** event: the service that publishes it. */
  readonly publisher?: string;
  /** command: the service that sends it, the one that receives it, and the receiver's queue. */
  readonly sender?: string;
  readonly receiver?: string;
  readonly queue?: string;
  readonly description?: string;
  /** `orderId:id,shippedAt:timestamp`: the data's fields, each with one of `FIELD_KINDS`. */
  readonly fields?: string;
}

/** What the contracts hold already, as they are on disk. */
export interface Contracts {
  readonly services: readonly string[];
  readonly events: readonly string[];
  /** Command type → the queue it goes to. */
  readonly commandQueues: ReadonlyMap<string, string>;
}

/**
 * The kinds of field a generated message's data may have: each is a helper of
 * libs/contracts/src/fields.ts (or a plain zod type), with a value for the example.
 */
export const FIELD_KINDS = {
  id: {
    schema: 'id',
    helper: 'id',
    example: (field: string) => `${idPrefix(field)}_01JD3V5Q3Z8N2X4G7K9M1P6R0T`,
  },
  amount: { schema: 'amount', helper: 'amount', example: () => 2500 },
  currency: { schema: 'currency', helper: 'currency', example: () => 'EUR' },
  timestamp: { schema: 'timestamp', helper: 'timestamp', example: () => '2026-12-03T10:00:00.000Z' },
  string: { schema: 'z.string()', helper: undefined, example: (field: string) => `${field}-1` },
  int: { schema: 'z.int()', helper: undefined, example: () => 1 },
} as const satisfies Record<
  string,
  { schema: string; helper: string | undefined; example: (field: string) => string | number }
>;
export type FieldKind = keyof typeof FIELD_KINDS;

export interface Field {
  readonly name: string;
  readonly kind: FieldKind;
}

interface Common {
  readonly type: string;
  readonly description: string;
  readonly fields: readonly Field[];
}

export type MessagePlan = Common &
  (
    | { readonly kind: 'event'; readonly publisher: string }
    | { readonly kind: 'command'; readonly sender: string; readonly receiver: string; readonly queue: string }
  );

export const DEFAULT_FIELDS = 'orderId:id';

/** Participles that do not end in -ed, for the names of events. */
const IRREGULAR_PARTICIPLES = new Set(
  'Begun Bought Brought Built Caught Chosen Done Drawn Found Given Gone Held Kept Known Left Lost Made Met Paid Put Read Run Seen Sent Set Shown Sold Spent Split Taken Told Undone Withdrawn Won Written'.split(
    ' ',
  ),
);

const PASCAL_CASE = /^[A-Z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$/;
const QUEUE_NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

export function planMessage(options: EventGeneratorOptions, contracts: Contracts): MessagePlan {
  const { name, kind = 'event' } = options;
  if (!PASCAL_CASE.test(name)) {
    throw new Error(`"${name}" is not a message name: PascalCase, two words or more.`);
  }
  const existing = contracts.events.includes(name)
    ? 'an event of libs/contracts/src/events.ts'
    : contracts.commandQueues.has(name)
      ? 'a command of libs/contracts/src/commands.ts'
      : undefined;
  if (existing) {
    throw new Error(
      `${name} is already ${existing}: pick another --name. To change its data, edit it by hand, with a new version if the change is not backwards compatible.`,
    );
  }
  const words = name.match(/[A-Z][a-z0-9]*/g) ?? [];
  const pastTense = isParticiple(words.at(-1) ?? '');
  const fields = parseFields(options.fields?.trim() || DEFAULT_FIELDS);

  if (kind === 'event') {
    if (!pastTense) {
      throw new Error(
        `"${name}" does not read as a fact: an event says what happened, past tense (a noun, then a participle).`,
      );
    }
    const publisher = service(options.publisher, '--publisher', 'the service that publishes it', contracts);
    const description =
      options.description || `The ${lowerWords(words.slice(0, -1))} was ${lowerWords(words.slice(-1))}.`;
    return { kind, type: name, description, fields, publisher };
  }
  if (kind !== 'command') throw new Error(`--kind is event or command, not "${String(kind)}".`);
  if (pastTense) {
    throw new Error(`"${name}" reads as a fact: a command says what to do, a verb first.`);
  }
  const sender = service(options.sender, '--sender', 'the service that sends it', contracts);
  const receiver = service(options.receiver, '--receiver', 'the service whose queue receives it', contracts);
  if (sender === receiver) {
    throw new Error(
      `A command goes from one service to another: --sender and --receiver are both ${sender}.`,
    );
  }
  // As payment-requests for a payment's request: what the command is about, then `requests`.
  const queue = options.queue || `${names(words.slice(1).join('')).fileName}-requests`;
  if (!QUEUE_NAME.test(queue)) {
    throw new Error(`"${queue}" is not a queue name: kebab-case, without the stage prefix.`);
  }
  const sharing = [...contracts.commandQueues].find(([, used]) => used === queue)?.[0];
  if (sharing) {
    throw new Error(
      `The queue ${queue} carries ${sharing} already: one command per queue, pick another --queue.`,
    );
  }
  const description = options.description || `${words[0]} the ${lowerWords(words.slice(1))}.`;
  return { kind, type: name, description, fields, sender, receiver, queue };
}

/** `orderId:id, shippedAt:timestamp` → its fields, each name once and each kind known. */
export function parseFields(text: string): Field[] {
  const fields = text.split(',').map((entry): Field => {
    const [name = '', kind = '', ...rest] = entry.split(':').map((part) => part.trim());
    if (!/^[a-z][A-Za-z0-9]*$/.test(name) || rest.length > 0) {
      throw new Error(`"${entry.trim()}" is not a field: name:kind, the name in camelCase (orderId:id).`);
    }
    if (!(kind in FIELD_KINDS)) {
      throw new Error(
        `The field ${name} has no kind ${JSON.stringify(kind)}: one of ${Object.keys(FIELD_KINDS).join(', ')}.`,
      );
    }
    return { name, kind: kind as FieldKind };
  });
  const repeated = fields.find(
    (field, index) => fields.findIndex(({ name }) => name === field.name) !== index,
  );
  if (repeated) throw new Error(`The field ${repeated.name} is given twice.`);
  return fields;
}

/** The example of the data: one value of its kind for each field. */
export function exampleOf(fields: readonly Field[]): Record<string, string | number> {
  return Object.fromEntries(fields.map(({ name, kind }) => [name, FIELD_KINDS[kind].example(name)]));
}

/** `orderId` → `ord`, as the ids of the application are prefixed. */
function idPrefix(field: string): string {
  return (
    field
      .replace(/Id$/, '')
      .toLowerCase()
      .replace(/[^a-z]/g, '')
      .slice(0, 3) || 'id'
  );
}

function isParticiple(word: string): boolean {
  return /[a-z]ed$/.test(word) || IRREGULAR_PARTICIPLES.has(word);
}

const lowerWords = (words: readonly string[]) => words.join(' ').toLowerCase();

function service(value: string | undefined, option: string, what: string, contracts: Contracts): string {
  if (!value)
    throw new Error(`This kind of message needs ${option}: ${what} (${contracts.services.join(', ')}).`);
  if (!contracts.services.includes(value)) {
    throw new Error(
      `There is no service "${value}" in the contracts: ${option} is one of ${contracts.services.join(', ')}.`,
    );
  }
  return value;
}
