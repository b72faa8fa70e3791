import {
  createLocalJWKSet,
  decodeProtectedHeader,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
} from 'jose';

/**
 * Checks a JWT against an issuer's keys, as a resource server does: RS256 only (`alg: none` and
 * HMAC are refused before any key is looked at), a key of the issuer's set by `kid`, the signature,
 * `iss`, and `exp`/`nbf` with no clock leeway. Audience and token use are the caller's to check:
 * Cognito's GetUser and the API Gateway authorizer look at different claims.
 */
export type JwtRefusal = 'malformed' | 'algorithm' | 'signature' | 'expired' | 'not-yet-valid' | 'issuer';

export type JwtVerification =
  | { ok: true; payload: JWTPayload }
  | { ok: false; refusal: JwtRefusal; description: string };

export async function verifyJwt(
  token: string,
  trust: { issuer: string; keys: JSONWebKeySet },
): Promise<JwtVerification> {
  const refuse = (refusal: JwtRefusal, description: string): JwtVerification => ({
    ok: false,
    refusal,
    description,
  });
  if (token.split('.').length !== 3)
    return refuse('malformed', 'token contains an invalid number of segments');
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    return refuse('malformed', 'the token header is not valid JSON');
  }
  if (alg !== 'RS256') return refuse('algorithm', `signing method ${String(alg)} is invalid`);
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(trust.keys), {
      algorithms: ['RS256'],
      issuer: trust.issuer,
      requiredClaims: ['exp'],
    });
    return { ok: true, payload };
  } catch (error) {
    if (error instanceof errors.JWTExpired) return refuse('expired', 'the token has expired');
    if (error instanceof errors.JWTClaimValidationFailed) {
      if (error.claim === 'iss') return refuse('issuer', 'the token does not have a valid issuer');
      if (error.claim === 'nbf') return refuse('not-yet-valid', 'the token is not valid yet');
      return refuse('malformed', `the token's ${error.claim} claim is invalid`);
    }
    if (error instanceof errors.JWKSNoMatchingKey) {
      return refuse('signature', 'no signing key of the issuer matches the token');
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      return refuse('signature', 'the token signature is invalid');
    }
    if (error instanceof errors.JOSEError) return refuse('malformed', 'the token is malformed');
    throw error;
  }
}
