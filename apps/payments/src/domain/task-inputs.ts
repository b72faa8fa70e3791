import { CURRENCIES, type Currency, MAX_AMOUNT } from '@shop/contracts/money';
import { type ErrorDetail, ValidationError } from '@shop/shared/errors';

/**
 * What the payment workflow passes to each of its Lambda tasks: the contract between the state
 * machine definition and this code, checked on every call.
 *
 * Checked by hand, not with zod: capture and refund use nothing else of it, and it would be a third
 * of their bundles (docs/performance.md). The inputs are flat records of strings and integers.
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

const orderId = /* @__PURE__ */ text(64);
const correlationId = /* @__PURE__ */ text(128);
const currency = /* @__PURE__ */ oneOf(CURRENCIES);
// The provider's ids follow the same rule as correlation ids: opaque text of up to 128 characters.
const providerId = correlationId;

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
  /** No captureId when the capture's outcome is unknown (the workflow's compensation): see RefundRequest. */
  refund: { orderId: string; captureId?: string; amount: number; currency: Currency; correlationId: string };
  awaitBankTransfer: { orderId: string; taskToken: string; correlationId: string };
}

export type TaskName = keyof Inputs;
export type TaskInput<T extends TaskName> = Inputs[T];

/**
 * Validates a task's input against its checks, or throws a ValidationError naming every bad field.
 * Each task has its own exported function below, so a function's bundle holds only its own checks.
 */
function parseFields<T extends TaskName>(
  task: T,
  input: unknown,
  checks: Record<keyof Inputs[T], FieldCheck>,
  rule?: (parsed: Record<string, unknown>) => ErrorDetail | undefined,
): TaskInput<T> {
  const what = `${task} task input`;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError(`${what} is invalid`, [{ path: '(root)', message: 'Expected an object' }]);
  }
  const record = input as Record<string, unknown>;
  const details: ErrorDetail[] = [];
  const parsed: Record<string, unknown> = {};
  for (const [name, check] of Object.entries(checks) as [string, FieldCheck][]) {
    const message = check(record[name]);
    if (message) details.push({ path: name, message });
    else if (record[name] !== undefined) parsed[name] = record[name];
  }
  const broken = details.length === 0 ? rule?.(parsed) : undefined;
  if (broken) details.push(broken);
  if (details.length > 0) throw new ValidationError(`${what} is invalid`, details);
  return parsed as TaskInput<T>;
}

export function parseAuthorizeInput(input: unknown): TaskInput<'authorize'> {
  return parseFields('authorize', input, { orderId, amount, currency, token: text(128), correlationId });
}

export function parseCaptureInput(input: unknown): TaskInput<'capture'> {
  return parseFields(
    'capture',
    input,
    {
      orderId,
      amount,
      currency,
      method: oneOf(['card', 'bank_transfer']),
      authorizationId: optional(providerId),
      correlationId,
    },
    (parsed) =>
      parsed.method === 'card' && parsed.authorizationId === undefined
        ? {
            path: 'authorizationId',
            message: 'A card capture needs its authorizationId',
          }
        : undefined,
  );
}

export function parseRefundInput(input: unknown): TaskInput<'refund'> {
  return parseFields('refund', input, {
    orderId,
    captureId: optional(providerId),
    amount,
    currency,
    correlationId,
  });
}

export function parseAwaitBankTransferInput(input: unknown): TaskInput<'awaitBankTransfer'> {
  // Step Functions task tokens are at most 2,048 characters (SendTaskSuccess's own limit).
  return parseFields('awaitBankTransfer', input, { orderId, taskToken: text(2048), correlationId });
}
