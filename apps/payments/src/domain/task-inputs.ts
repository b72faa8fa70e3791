import { type ErrorDetail, ValidationError } from '@shop/shared/errors';
import { CURRENCIES, type Currency, MAX_AMOUNT } from '@shop/shared/money';

/**
 * What the payment workflow passes to each of its Lambda tasks: the contract between the state
 * machine definition and this code, checked on every call.
 *
 * Checked by hand rather than with zod: capture and refund use nothing else of zod, which was a
 * third of their bundles and doubled their cold start over the Powertools floor (docs/performance.md).
 * The inputs are flat records of strings and integers, so a check per field says as much.
 */
type FieldCheck = (value: unknown) => string | undefined;

const text =
  (max: number): FieldCheck =>
  (value) =>
    typeof value === 'string' && value.length >= 1 && value.length <= max
      ? undefined
      : `Expected a string of 1 to ${max} characters`;
const amount: FieldCheck = (value) =>
  Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_AMOUNT
    ? undefined
    : `Expected an integer from 0 to ${MAX_AMOUNT}`;
const oneOf =
  (values: readonly string[]): FieldCheck =>
  (value) =>
    typeof value === 'string' && values.includes(value) ? undefined : `Expected one of ${values.join(', ')}`;
const optional =
  (check: FieldCheck): FieldCheck =>
  (value) =>
    value === undefined ? undefined : check(value);

const orderId = text(64);
const correlationId = text(128);
const currency = oneOf(CURRENCIES);
const providerId = text(128);

interface Inputs {
  authorize: { orderId: string; amount: number; currency: Currency; token: string; correlationId: string };
  capture: {
    orderId: string;
    amount: number;
    currency: Currency;
    method: 'card' | 'bank_transfer';
    authorizationId?: string;
    correlationId: string;
  };
  refund: { orderId: string; captureId: string; amount: number; currency: Currency; correlationId: string };
  awaitBankTransfer: { orderId: string; taskToken: string; correlationId: string };
}

const fields: { [T in keyof Inputs]: Record<keyof Inputs[T], FieldCheck> } = {
  authorize: { orderId, amount, currency, token: text(128), correlationId },
  capture: {
    orderId,
    amount,
    currency,
    method: oneOf(['card', 'bank_transfer']),
    authorizationId: optional(providerId),
    correlationId,
  },
  refund: { orderId, captureId: providerId, amount, currency, correlationId },
  // Step Functions task tokens are at most 2,048 characters (SendTaskSuccess's own limit).
  awaitBankTransfer: { orderId, taskToken: text(2048), correlationId },
};

export type TaskName = keyof Inputs;
export type TaskInput<T extends TaskName> = Inputs[T];

/** Validates a task's input, or throws a ValidationError naming every bad field. */
export function parseTaskInput<T extends TaskName>(task: T, input: unknown): TaskInput<T> {
  const what = `${task} task input`;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError(`${what} is invalid`, [{ path: '(root)', message: 'Expected an object' }]);
  }
  const record = input as Record<string, unknown>;
  const details: ErrorDetail[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [name, check] of Object.entries(fields[task]) as [string, FieldCheck][]) {
    const message = check(record[name]);
    if (message) details.push({ path: name, message });
    else if (record[name] !== undefined) parsed[name] = record[name];
  }
  if (
    task === 'capture' &&
    parsed.method === 'card' &&
    parsed.authorizationId === undefined &&
    details.length === 0
  ) {
    details.push({
      path: 'authorizationId',
      message: 'A card capture needs the authorizationId of its authorization',
    });
  }
  if (details.length > 0) throw new ValidationError(`${what} is invalid`, details);
  return parsed as TaskInput<T>;
}
