import type { JwtAuthorizer } from '../apigateway/jwt-authorizer.ts';
import {
  DEFAULT_PASSWORD_POLICY,
  DEFAULT_TOKEN_VALIDITY,
  type PasswordPolicy,
  type UserPoolClientDefinition,
  type UserPoolDefinition,
  userPoolIssuer,
} from '../cognito/user-pool-config.ts';
import type { GenerateSecretRules } from '../secretsmanager/generate-secret.ts';
import type { TemplateResolver } from './intrinsics.ts';

/**
 * What the templates say about identity: user pools with their app clients, secrets, and the
 * authorizer of each HTTP route. An authorizer the local cloud cannot honour (IAM, a Lambda
 * authorizer, an issuer that is no local user pool) is refused at start rather than skipped, so a
 * route never runs locally with less protection than on AWS.
 */
export interface UserPoolModel extends UserPoolDefinition {
  logicalId: string;
  stackName: string;
  arn: string;
  /** `https://cognito-idp.<region>.amazonaws.com/<id>`: the `iss` of its tokens. */
  issuer: string;
  clients: UserPoolClientModel[];
}

export interface UserPoolClientModel extends UserPoolClientDefinition {
  logicalId: string;
}

export interface SecretModel {
  logicalId: string;
  stackName: string;
  name: string;
  arn: string;
  /** `SecretString`, when the template gives the value. */
  value?: string;
  /** `GenerateSecretString`'s rules, when the value is generated. */
  generate?: GenerateSecretRules;
  /** `SecretStringTemplate` and `GenerateStringKey`: a JSON value with the generated string under that key. */
  generateInto?: { template: string; key: string };
}

/** An HTTP route's JWT authorizer: what the local API Gateway enforces. */
export type RouteAuthorizerModel = JwtAuthorizer;

export class UnsupportedAuthorizerError extends Error {
  override readonly name = 'UnsupportedAuthorizerError';
}

const SECONDS: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86_400 };
const IDENTITY_SOURCE = /^\$request\.(header|querystring)\.[^.\s]+$/;

export function readUserPool(resolver: TemplateResolver, logicalId: string, notes: string[]): UserPoolModel {
  const props = resolver.properties(logicalId);
  const identity = resolver.identity(logicalId);
  const where = `${resolver.stack.stackName}/${logicalId}`;
  if (props.MfaConfiguration === 'ON') {
    throw new Error(
      `${where}: the user pool requires MFA, which the local user pool does not emulate (no MFA challenge); make MFA OPTIONAL for the local stage`,
    );
  }
  if (props.MfaConfiguration === 'OPTIONAL')
    notes.push(`${logicalId}: MFA is not emulated (no user sets it up)`);
  if (props.LambdaConfig) notes.push(`${logicalId}: Cognito Lambda triggers are not run locally`);
  const list = (value: unknown) => (Array.isArray(value) ? value.map(String) : []);
  const schema = (props.Schema ?? []) as { Name?: string; Required?: boolean }[];
  return {
    logicalId,
    stackName: resolver.stack.stackName,
    id: identity.ref,
    arn: String(identity.attributes.Arn),
    issuer: userPoolIssuer(identity.ref),
    name: typeof props.UserPoolName === 'string' ? props.UserPoolName : logicalId,
    usernameAttributes: list(props.UsernameAttributes),
    aliasAttributes: list(props.AliasAttributes),
    autoVerifiedAttributes: list(props.AutoVerifiedAttributes),
    requiredAttributes: schema
      .filter((attribute) => attribute.Required === true)
      .map(({ Name }) => String(Name)),
    passwordPolicy: passwordPolicy(
      (props.Policies as { PasswordPolicy?: Record<string, unknown> })?.PasswordPolicy,
    ),
    allowAdminCreateUserOnly:
      (props.AdminCreateUserConfig as { AllowAdminCreateUserOnly?: unknown })?.AllowAdminCreateUserOnly ===
      true,
    usernameCaseSensitive:
      (props.UsernameConfiguration as { CaseSensitive?: unknown })?.CaseSensitive !== false,
    clients: [],
  };
}

/** A pool's policy; CloudFormation leaves unnamed requirements off, and no policy at all is Cognito's default. */
function passwordPolicy(policy: Record<string, unknown> | undefined): PasswordPolicy {
  if (!policy) return DEFAULT_PASSWORD_POLICY;
  return {
    minimumLength: Number(policy.MinimumLength ?? 8),
    requireUppercase: policy.RequireUppercase === true,
    requireLowercase: policy.RequireLowercase === true,
    requireNumbers: policy.RequireNumbers === true,
    requireSymbols: policy.RequireSymbols === true,
    temporaryPasswordValidityDays: Number(policy.TemporaryPasswordValidityDays ?? 7),
  };
}

/** Adds an app client to its pool; a client of a pool no template declares is refused. */
export function readUserPoolClient(
  resolver: TemplateResolver,
  logicalId: string,
  pools: UserPoolModel[],
): void {
  const props = resolver.properties(logicalId);
  const identity = resolver.identity(logicalId);
  const pool = pools.find((candidate) => candidate.id === props.UserPoolId);
  if (!pool) {
    throw new Error(
      `${resolver.stack.stackName}/${logicalId}: the app client's user pool ${String(props.UserPoolId)} is declared by no template, so no local user pool can sign its users in`,
    );
  }
  const units = (props.TokenValidityUnits ?? {}) as Record<string, string>;
  const validity = (property: string, unit: string | undefined, fallbackUnit: string, fallback: number) =>
    props[property] === undefined ? fallback : Number(props[property]) * (SECONDS[unit ?? fallbackUnit] ?? 1);
  pool.clients.push({
    logicalId,
    id: identity.ref,
    name: typeof props.ClientName === 'string' ? props.ClientName : logicalId,
    ...(identity.attributes.ClientSecret ? { secret: identity.attributes.ClientSecret } : {}),
    explicitAuthFlows: Array.isArray(props.ExplicitAuthFlows) ? props.ExplicitAuthFlows.map(String) : [],
    tokenValidity: {
      accessSeconds: validity(
        'AccessTokenValidity',
        units.AccessToken,
        'hours',
        DEFAULT_TOKEN_VALIDITY.accessSeconds,
      ),
      idSeconds: validity('IdTokenValidity', units.IdToken, 'hours', DEFAULT_TOKEN_VALIDITY.idSeconds),
      refreshSeconds: validity(
        'RefreshTokenValidity',
        units.RefreshToken,
        'days',
        DEFAULT_TOKEN_VALIDITY.refreshSeconds,
      ),
    },
    preventUserExistenceErrors: props.PreventUserExistenceErrors === 'ENABLED',
  });
}

export function readSecret(resolver: TemplateResolver, logicalId: string): SecretModel {
  const props = resolver.properties(logicalId);
  const arn = resolver.identity(logicalId).ref;
  const generate = props.GenerateSecretString as Record<string, unknown> | undefined;
  const rules: GenerateSecretRules | undefined = generate && {
    ...(generate.PasswordLength !== undefined ? { passwordLength: Number(generate.PasswordLength) } : {}),
    ...(generate.ExcludeCharacters !== undefined
      ? { excludeCharacters: String(generate.ExcludeCharacters) }
      : {}),
    ...flag(generate, 'ExcludePunctuation', 'excludePunctuation'),
    ...flag(generate, 'ExcludeUppercase', 'excludeUppercase'),
    ...flag(generate, 'ExcludeLowercase', 'excludeLowercase'),
    ...flag(generate, 'ExcludeNumbers', 'excludeNumbers'),
    ...flag(generate, 'IncludeSpace', 'includeSpace'),
    ...flag(generate, 'RequireEachIncludedType', 'requireEachIncludedType'),
  };
  const into =
    typeof generate?.SecretStringTemplate === 'string' && typeof generate.GenerateStringKey === 'string'
      ? { template: generate.SecretStringTemplate, key: generate.GenerateStringKey }
      : undefined;
  return {
    logicalId,
    stackName: resolver.stack.stackName,
    // The name is what the ARN ends with, before the 6 characters Secrets Manager appends.
    name: arn.replace(/^arn:[^:]*:secretsmanager:[^:]*:[^:]*:secret:/, '').slice(0, -7),
    arn,
    ...(typeof props.SecretString === 'string' ? { value: props.SecretString } : {}),
    ...(rules ? { generate: rules } : {}),
    ...(into ? { generateInto: into } : {}),
  };
}

const flag = (generate: Record<string, unknown>, property: string, rule: keyof GenerateSecretRules) =>
  generate[property] === undefined ? {} : { [rule]: generate[property] === true };

/**
 * The authorizer of a route: none for `NONE` (or no type), the JWT authorizer its `AuthorizerId`
 * names, and a refusal for what the local API Gateway cannot enforce.
 */
export function readRouteAuthorizer(
  resolver: TemplateResolver,
  routeLogicalId: string,
  route: Record<string, unknown>,
): RouteAuthorizerModel | undefined {
  const where = `${resolver.stack.stackName}/${routeLogicalId} (${String(route.RouteKey)})`;
  const type = route.AuthorizationType ?? 'NONE';
  if (type === 'NONE') return undefined;
  if (type !== 'JWT') {
    throw new UnsupportedAuthorizerError(
      `${where}: AuthorizationType ${String(type)} is not enforced by the local API Gateway (JWT authorizers only); the route would run unprotected`,
    );
  }
  const authorizerId = route.AuthorizerId;
  const logicalId = resolver
    .resources()
    .find(
      ([id, resource]) =>
        resource.Type === 'AWS::ApiGatewayV2::Authorizer' && resolver.identity(id).ref === authorizerId,
    )?.[0];
  if (!logicalId)
    throw new UnsupportedAuthorizerError(
      `${where}: its authorizer ${String(authorizerId)} is not in the template`,
    );
  const props = resolver.properties(logicalId);
  if (props.AuthorizerType !== 'JWT') {
    throw new UnsupportedAuthorizerError(
      `${where}: authorizer ${logicalId} is of type ${String(props.AuthorizerType)}, which the local API Gateway does not run (Lambda authorizers are not emulated)`,
    );
  }
  const jwt = (props.JwtConfiguration ?? {}) as { Issuer?: unknown; Audience?: unknown };
  const identitySource = Array.isArray(props.IdentitySource) ? props.IdentitySource.map(String) : [];
  const unreadable = identitySource.find((source) => !IDENTITY_SOURCE.test(source));
  if (identitySource.length === 0 || unreadable !== undefined) {
    throw new UnsupportedAuthorizerError(
      `${where}: the identity source ${unreadable ?? '(none)'} of authorizer ${logicalId} is not a header or query string the local API Gateway reads`,
    );
  }
  const scopes = Array.isArray(route.AuthorizationScopes) ? route.AuthorizationScopes.map(String) : [];
  return {
    type: 'JWT',
    name: typeof props.Name === 'string' ? props.Name : logicalId,
    issuer: String(jwt.Issuer),
    audience: Array.isArray(jwt.Audience) ? jwt.Audience.map(String) : [],
    identitySource,
    ...(scopes.length > 0 ? { scopes } : {}),
  };
}

/** Every JWT authorizer must trust a local user pool: the local cloud has no other issuer's keys. */
export function checkAuthorizerIssuers(
  routes: { routeKey: string; authorizer?: RouteAuthorizerModel }[],
  pools: UserPoolModel[],
  notes: string[],
): void {
  for (const { routeKey, authorizer } of routes) {
    if (!authorizer) continue;
    const pool = pools.find((candidate) => candidate.issuer === authorizer.issuer);
    if (!pool) {
      throw new UnsupportedAuthorizerError(
        `Route ${routeKey}: authorizer ${authorizer.name} trusts the issuer ${authorizer.issuer}, which is no local user pool (${pools.map(({ issuer }) => issuer).join(', ') || 'none declared'}); the local cloud has no keys to check its tokens`,
      );
    }
    if (!authorizer.audience.some((audience) => pool.clients.some((client) => client.id === audience))) {
      notes.push(
        `Route ${routeKey}: no app client of ${pool.name} is in the audience of ${authorizer.name}; every token will be refused`,
      );
    }
  }
}
