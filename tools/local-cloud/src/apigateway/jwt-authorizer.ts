import { verifyJwt } from '../cognito/jwt-verifier.ts';

/**
 * A route's JWT authorizer, applied as API Gateway applies it before the integration runs: the
 * token from the identity source (with or without `Bearer `), RS256 with a key of the issuer, `iss`,
 * `exp`/`nbf`, then `aud` (or `client_id` when there is no `aud`) in the audience, and the route's
 * scopes. A refusal is API Gateway's own `401 {"message":"Unauthorized"}` (403 Forbidden for a
 * missing scope) with a `www-authenticate` header saying why; the function never runs. On success
 * the claims reach the event as strings, as API Gateway passes them.
 */
export interface JwtAuthorizer {
  type: 'JWT';
  name: string;
  issuer: string;
  audience: string[];
  /** `$request.header.<name>` or `$request.querystring.<name>`. */
  identitySource: string[];
  /** The route's authorization scopes: the token's `scope` must hold one of them. */
  scopes?: string[];
}

export type JwtKeys = Parameters<typeof verifyJwt>[1]['keys'];

/** The public keys of an issuer; undefined when the local cloud has none for it. */
export type JwtKeySource = (issuer: string) => JwtKeys | undefined;

/** What payload format 2.0 puts in `requestContext.authorizer` for a JWT authorizer. */
export interface JwtAuthorizerContext {
  jwt: { claims: Record<string, string>; scopes: string[] | null };
}

export type Authorization =
  | { ok: true; context: JwtAuthorizerContext }
  | { ok: false; statusCode: 401 | 403; challenge: string; reason: string };

export interface IdentityRequest {
  /** Lowercased names, as node gives them. */
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string> | undefined;
}

const TOKEN_USES = new Set(['id', 'access']);

/** Checks at start that the local cloud holds the issuer's keys: an authorizer it cannot honour is refused. */
export function compileJwtAuthorizer(
  routeKey: string,
  authorizer: JwtAuthorizer,
  keysOf: JwtKeySource | undefined,
): (request: IdentityRequest) => Promise<Authorization> {
  if (authorizer.type !== 'JWT') {
    throw new Error(
      `Route ${routeKey}: the local API Gateway enforces JWT authorizers only, not ${String(authorizer.type)}`,
    );
  }
  if (!keysOf?.(authorizer.issuer)) {
    throw new Error(
      `Route ${routeKey}: authorizer ${authorizer.name} trusts ${authorizer.issuer}, whose keys the local cloud does not have (no local user pool issues its tokens)`,
    );
  }
  const refuse = (reason: string): Authorization => ({
    ok: false,
    statusCode: 401,
    challenge: `Bearer scope="" error="invalid_token" error_description="${reason}"`,
    reason,
  });
  return async (request) => {
    const sources = authorizer.identitySource.map((source) => identityOf(source, request));
    const raw = sources[0];
    if (raw === undefined || sources.some((value) => value === undefined)) {
      return {
        ok: false,
        statusCode: 401,
        challenge: 'Bearer',
        reason: `no token in ${authorizer.identitySource.join(', ')}`,
      };
    }
    const token = raw.replace(/^bearer\s+/i, '').trim();
    const keys = keysOf(authorizer.issuer);
    if (!keys) return refuse('the issuer has no signing keys');
    const verified = await verifyJwt(token, { issuer: authorizer.issuer, keys });
    if (!verified.ok) return refuse(verified.description);
    const { payload } = verified;
    // API Gateway reads client_id only when the token has no aud (Cognito's access tokens).
    const audiences = payload.aud === undefined ? [payload.client_id] : [payload.aud].flat();
    if (
      !audiences.some((audience) => typeof audience === 'string' && authorizer.audience.includes(audience))
    ) {
      return refuse('the token does not have a valid audience');
    }
    if (!TOKEN_USES.has(String(payload.token_use)))
      return refuse('the token is neither an ID nor an access token');
    const granted = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    if (authorizer.scopes && !authorizer.scopes.some((scope) => granted.includes(scope))) {
      const reason = 'the token does not have the scopes this route requires';
      return {
        ok: false,
        statusCode: 403,
        challenge: `Bearer scope="${authorizer.scopes.join(' ')}" error="insufficient_scope" error_description="${reason}"`,
        reason,
      };
    }
    const claims = Object.fromEntries(
      Object.entries(payload).map(([name, value]) => [name, claimText(value)]),
    );
    return { ok: true, context: { jwt: { claims, scopes: authorizer.scopes ? granted : null } } };
  };
}

function identityOf(source: string, request: IdentityRequest): string | undefined {
  const [, kind, name = ''] = /^\$request\.(header|querystring)\.(.+)$/.exec(source) ?? [];
  const value = kind === 'header' ? request.headers[name.toLowerCase()] : request.query?.[name];
  const text = Array.isArray(value) ? value.join(',') : value;
  return text === undefined || text.trim() === '' ? undefined : text;
}

/** A claim as API Gateway passes it: text, with lists and maps in Go's notation (`[a b]`, `map[k:v]`). */
function claimText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(claimText).join(' ')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([left], [right]) => left.localeCompare(right));
    return `map[${entries.map(([key, item]) => `${key}:${claimText(item)}`).join(' ')}]`;
  }
  return String(value);
}
