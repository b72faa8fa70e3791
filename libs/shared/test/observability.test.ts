import { captureOutput } from '@shop/testing/output-capture';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createObservability } from '../src/observability.ts';

describe('the function logger', () => {
  let capture: ReturnType<typeof captureOutput> | undefined;
  // The tests' environment silences function logs; these tests read them.
  beforeEach(() => vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO'));
  afterEach(() => {
    capture?.restore();
    vi.unstubAllEnvs();
  });

  it('redacts a payment token logged under any field named token, at any depth', () => {
    const { logger } = createObservability();
    capture = captureOutput();
    logger.info('Payment requested', {
      command: { payment: { method: 'card', token: 'pm-opaque-secret-7f3a9c' } },
      taskToken: 'AAAAKgAAAAIAAAAAAAAAAQ-secret',
      headers: { Authorization: 'Bearer secret' },
    });
    const [entry] = capture.entries();
    expect(entry.command.payment).toEqual({ method: 'card', token: '[REDACTED]' });
    expect(entry.taskToken).toBe('[REDACTED]');
    expect(entry.headers.Authorization).toBe('[REDACTED]');
    expect(capture.text()).not.toContain('secret');
  });

  it('redacts test-provider tokens quoted in messages and errors', () => {
    const { logger } = createObservability();
    capture = captureOutput();
    logger.error('Authorization failed for tok_visa', new Error('The provider refused tok_declined_42'));
    const text = capture.text();
    expect(text).not.toMatch(/tok_visa|tok_declined_42/);
    expect(capture.entries()[0].message).toBe('Authorization failed for tok_[REDACTED]');
  });

  it('redacts sign-in tokens, secret values, the webhook signature and passwords under their field names', () => {
    const { logger } = createObservability();
    capture = captureOutput();
    logger.info('Signed in', {
      AuthenticationResult: {
        IdToken: 'id-secret-1',
        AccessToken: 'access-secret-2',
        RefreshToken: 'refresh-secret-3',
      },
      tokens: { id_token: 'id-secret-4', access_token: 'access-secret-5', refresh_token: 'refresh-secret-6' },
      headers: { 'Webhook-Signature': 'v1,c2lnbmF0dXJlLXNlY3JldA==', 'webhook-id': 'msg_1' },
      secretValue: { SecretString: 'whsec-secret-7', ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:bank' },
      webhook: { secret: 'secret-8' },
      signUp: { Username: 'customer@example.com', Password: 'Pa55word!secret' },
    });
    const [entry] = capture.entries();
    expect(entry.AuthenticationResult).toEqual({
      IdToken: '[REDACTED]',
      AccessToken: '[REDACTED]',
      RefreshToken: '[REDACTED]',
    });
    expect(entry.tokens).toEqual({
      id_token: '[REDACTED]',
      access_token: '[REDACTED]',
      refresh_token: '[REDACTED]',
    });
    expect(entry.headers).toEqual({ 'Webhook-Signature': '[REDACTED]', 'webhook-id': 'msg_1' });
    expect(entry.secretValue.SecretString).toBe('[REDACTED]');
    expect(entry.webhook.secret).toBe('[REDACTED]');
    expect(entry.signUp).toEqual({ Username: 'customer@example.com', Password: '[REDACTED]' });
    expect(capture.text()).not.toMatch(/secret-\d|c2lnbmF0dXJl/);
  });

  it('redacts a JWT quoted in messages, values and errors, wherever it sits in the text', () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const jwt = `${part({ kid: 'k1', alg: 'RS256' })}.${part({ sub: 'cus-1', token_use: 'id' })}.c2lnbmF0dXJl-_x`;
    const { logger } = createObservability();
    capture = captureOutput();
    logger.warn(`Refused Bearer ${jwt}`, {
      detail: `token=${jwt}; retried`,
      error: new Error(`The authorizer refused ${jwt}.`),
    });
    const text = capture.text();
    expect(text).not.toContain(jwt.split('.')[1]);
    expect(text).not.toContain('c2lnbmF0dXJl');
    const [entry] = capture.entries();
    expect(entry.message).toBe('Refused Bearer eyJ[REDACTED]');
    expect(entry.detail).toBe('token=eyJ[REDACTED]; retried');
  });

  it('redacts a webhook secret quoted in text in its whsec_ form', () => {
    const { logger } = createObservability();
    capture = captureOutput();
    logger.error('Secret whsec_dGVzdC1vbmx5/bm90LXJlYWw+= cannot be decoded');
    expect(capture.entries()[0].message).toBe('Secret whsec_[REDACTED] cannot be decoded');
  });

  it('keeps text that only looks like the start of a token', () => {
    const { logger } = createObservability();
    capture = captureOutput();
    logger.info('eyJ is how a JSON object starts in base64, and 1.2.3 is a version', { note: 'eyJhbGciOi' });
    expect(capture.entries()[0]).toMatchObject({
      message: 'eyJ is how a JSON object starts in base64, and 1.2.3 is a version',
      note: 'eyJhbGciOi',
    });
  });

  it('keeps every other field as it was', () => {
    const { logger } = createObservability();
    capture = captureOutput();
    logger.info('Order placed', { orderId: 'ord_1', total: 2999, method: 'card' });
    expect(capture.entries()[0]).toMatchObject({ message: 'Order placed', orderId: 'ord_1', total: 2999 });
  });
});
