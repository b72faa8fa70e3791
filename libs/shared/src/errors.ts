/**
 * Typed errors, thrown anywhere below the edge and mapped to HTTP only by the HTTP handler wrapper.
 * `code` is the stable, machine-readable part of the error shape of the HTTP contract (DESIGN §4).
 */
export interface ErrorDetail {
  path: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly code: string;
  readonly details: ErrorDetail[] | undefined;

  constructor(message: string, details?: ErrorDetail[]) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

/** The request is well-formed JSON but breaks a rule: 400. */
export class ValidationError extends AppError {
  readonly code = 'validation_failed';
}

/** The body is not JSON at all: 400. */
export class MalformedJsonError extends AppError {
  readonly code = 'malformed_json';
}

export class NotFoundError extends AppError {
  readonly code = 'not_found';
}

/** The resource exists but its state forbids the operation: 409. */
export class ConflictError extends AppError {
  readonly code = 'conflict';
}

/** The path exists with other methods: 405, with the methods it accepts in the `Allow` header. */
export class MethodNotAllowedError extends AppError {
  readonly code = 'method_not_allowed';
  readonly allowedMethods: string[];

  constructor(message: string, allowedMethods: string[]) {
    super(message);
    this.allowedMethods = allowedMethods;
  }
}

export class PayloadTooLargeError extends AppError {
  readonly code = 'payload_too_large';
}

export class UnsupportedMediaTypeError extends AppError {
  readonly code = 'unsupported_media_type';
}

/** An Idempotency-Key was reused with a different request body: 422. */
export class IdempotencyKeyReusedError extends AppError {
  readonly code = 'idempotency_key_reused';
}

/** A required environment variable is missing or malformed: fails the cold start, never a request. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}
