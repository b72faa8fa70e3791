/**
 * The error codes of the HTTP API and the status each answers with: the `code` of
 * `{"error":{"code","message","details?"}}`. Kept apart from the bodies' schemas so that every HTTP
 * function's error mapping bundles this table alone. A 500 never carries what went wrong.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  malformed_json: 400,
  unauthorized: 401,
  invalid_signature: 401,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  internal_error: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;
