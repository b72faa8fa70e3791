import { createHmac, createPrivateKey, createPublicKey, createSign, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Tokens an attacker (or a broken client) sends: taken apart from real ones and put back together
 * with other claims, another algorithm or another key. Signed with node:crypto, not with the
 * library the local user pool and the authorizer use, so a flaw shared by both cannot hide here.
 */
type Segments = { header: Record<string, unknown>; claims: Record<string, unknown>; signature: string };

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decode = (segment = '') =>
  JSON.parse(Buffer.from(segment, 'base64url').toString()) as Record<string, unknown>;

export function partsOf(token: string): Segments {
  const [header, claims, signature = ''] = token.split('.');
  return { header: decode(header), claims: decode(claims), signature };
}

/**
 * The private signing key of a local user pool, from the file the pool keeps it in under the local
 * cloud's persist folder (`cognito/<userPoolId>.json`).
 */
export function poolSigningKey(persistDir: string, userPoolId: string): JsonWebKey {
  const file = join(persistDir, 'cognito', `${userPoolId}.json`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { signingKey: JsonWebKey }).signingKey;
}

/** The token's header and claims, with `changes` (undefined removes a claim), signed RS256 with `key`. */
export function resigned(
  token: string,
  key: JsonWebKey,
  changes: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  const parts = partsOf(token);
  const claims = Object.fromEntries(
    Object.entries({ ...parts.claims, ...changes }).filter(([, value]) => value !== undefined),
  );
  const input = `${encode({ ...parts.header, ...header, alg: 'RS256' })}.${encode(claims)}`;
  const signature = createSign('RSA-SHA256')
    .update(input)
    .sign(createPrivateKey({ key, format: 'jwk' }), 'base64url');
  return `${input}.${signature}`;
}

/** The token's claims with `changes`, its header and signature kept as they were. */
export function tampered(token: string, changes: Record<string, unknown>): string {
  const [header, claims = '', signature] = token.split('.');
  return `${header}.${encode({ ...decode(claims), ...changes })}.${signature}`;
}

/** The token's header and claims under `alg: none`, with no signature. */
export function unsigned(token: string): string {
  const { header, claims } = partsOf(token);
  return `${encode({ ...header, alg: 'none' })}.${encode(claims)}.`;
}

/** The token's header and claims signed HS256 with `secret` (the classic: the issuer's public key as PEM). */
export function hmacSigned(token: string, secret: string): string {
  const { header, claims } = partsOf(token);
  const input = `${encode({ ...header, alg: 'HS256' })}.${encode(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** A public JWK as the PEM an HS256 verifier confused into using it as a secret would read. */
export function publicKeyPem(jwk: JsonWebKey): string {
  return createPublicKey({ key: jwk, format: 'jwk' }).export({ format: 'pem', type: 'spki' }).toString();
}
