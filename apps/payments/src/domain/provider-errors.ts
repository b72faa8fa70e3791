// The names are literal rather than taken from the class, because bundles are minified and the
// payment workflow's Retry and Catch match on these exact strings.

/** The provider refused the payment for good: retrying cannot help. */
export class CardDeclinedError extends Error {
  override readonly name = 'CardDeclinedError';
}

/** The provider could not answer now: the workflow retries with backoff. */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
}
