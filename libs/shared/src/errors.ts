import type { ErrorCode } from '@shop/contracts/errors';
/**
 * Typed errors, thrown anywhere below the edge and mapped to HTTP only by the HTTP handler wrapper.
 * `code` is the stable, machine-readable part of the error shape of the HTTP contract (docs/architecture.md).
 * Every error class names itself in a literal: bundles are minified without keeping class names, and
 * error names are what logs, Lambda's error type and the workflow's Retry and Catch show.
 */
export interface ErrorDetail {
  path: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;

  constructor(message: string, details?: ErrorDetail[]) {
    super(message);
    this.details = details;
  }
}

/** The request is well-formed JSON but breaks a rule: 400. */
export class ValidationError extends AppError {
  override readonly name: string = 'ValidationError';
  readonly code = 'validation_failed';
}

/** The body is not JSON at all: 400. */
export class MalformedJsonError extends AppError {
  override readonly name: string = 'MalformedJsonError';
  readonly code = 'malformed_json';
}

export class NotFoundError extends AppError {
  override readonly name: string = 'NotFoundError';
  readonly code = 'not_found';
}

/**
 * The request carries no signed-in customer: a customer route reached without the JWT authorizer
 * that vouches for one. 401, never served as anonymous.
 */
export class UnauthorizedError extends AppError {
  override readonly name: string = 'UnauthorizedError';
  readonly code = 'unauthorized';
}

/** A webhook whose signature is missing, does not match its body, or is outside the time window: 401. */
export class InvalidSignatureError extends AppError {
  override readonly name: string = 'InvalidSignatureError';
  readonly code = 'invalid_signature';
}

/** The resource exists but its state forbids the operation: 409. */
export class ConflictError extends AppError {
  override readonly name: string = 'ConflictError';
  readonly code = 'conflict';
}

/** The path exists with other methods: 405, with the methods it accepts in the `Allow` header. */
export class MethodNotAllowedError extends AppError {
  override readonly name: string = 'MethodNotAllowedError';
  readonly code = 'method_not_allowed';
  readonly allowedMethods: string[];

  constructor(message: string, allowedMethods: string[]) {
    super(message);
    this.allowedMethods = allowedMethods;
  }
}

export class PayloadTooLargeError extends AppError {
  override readonly name: string = 'PayloadTooLargeError';
  readonly code = 'payload_too_large';
}

export class UnsupportedMediaTypeError extends AppError {
  override readonly name: string = 'UnsupportedMediaTypeError';
  readonly code = 'unsupported_media_type';
}

/** An Idempotency-Key was reused with a different request body: 422. */
export class IdempotencyKeyReusedError extends AppError {
  override readonly name: string = 'IdempotencyKeyReusedError';
  readonly code = 'idempotency_key_reused';
}

/** A required environment variable is missing or malformed: fails the cold start, never a request. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}
