/**
 * What a local user pool is made of, as the template declares it: the sign-in names it takes, its
 * password policy and its app clients with their auth flows and token validity.
 */
export interface PasswordPolicy {
  minimumLength: number;
  requireUppercase: boolean;
  requireLowercase: boolean;
  requireNumbers: boolean;
  requireSymbols: boolean;
  temporaryPasswordValidityDays: number;
}

export interface UserPoolClientDefinition {
  /** 26 lowercase letters and digits, as Cognito's. */
  id: string;
  name: string;
  /** Set when the client has a secret: every call then needs its SECRET_HASH. */
  secret?: string;
  /** `ExplicitAuthFlows` as the template gives them (`ALLOW_USER_PASSWORD_AUTH`...); none: Cognito's default. */
  explicitAuthFlows: string[];
  tokenValidity: { accessSeconds: number; idSeconds: number; refreshSeconds: number };
  /** `PreventUserExistenceErrors: ENABLED`: an unknown user signs in as a wrong password does. */
  preventUserExistenceErrors: boolean;
}

export interface UserPoolDefinition {
  /** `<region>_<9 letters or digits>`, as Cognito's. */
  id: string;
  name: string;
  /** `UsernameAttributes`: the user signs up with one of these instead of a username (e.g. `email`). */
  usernameAttributes: string[];
  /** `AliasAttributes`: a username, and these (once verified) to sign in with too. */
  aliasAttributes: string[];
  autoVerifiedAttributes: string[];
  /** Attributes the schema marks required: sign-up without them is refused. */
  requiredAttributes: string[];
  passwordPolicy: PasswordPolicy;
  /** `AdminCreateUserConfig.AllowAdminCreateUserOnly`: no self sign-up. */
  allowAdminCreateUserOnly: boolean;
  /** `UsernameConfiguration.CaseSensitive`; absent in a template means case-sensitive. */
  usernameCaseSensitive: boolean;
  clients: UserPoolClientDefinition[];
}

/** Cognito's policy when a pool names none. */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = {
  minimumLength: 8,
  requireUppercase: true,
  requireLowercase: true,
  requireNumbers: true,
  requireSymbols: true,
  temporaryPasswordValidityDays: 7,
};

/** Cognito's default validity: one hour for the access and ID tokens, 30 days for the refresh token. */
export const DEFAULT_TOKEN_VALIDITY = { accessSeconds: 3600, idSeconds: 3600, refreshSeconds: 30 * 86_400 };

/** The flows a client allows when its template names none, as Cognito documents. */
export const DEFAULT_AUTH_FLOWS = ['ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];

/** The `iss` of the pool's tokens: the real Cognito URL, which the API's JWT authorizer names. */
export function userPoolIssuer(poolId: string): string {
  return `https://cognito-idp.${poolRegion(poolId)}.amazonaws.com/${poolId}`;
}

export function poolRegion(poolId: string): string {
  return poolId.split('_')[0] ?? '';
}

const POOL_ID = /^[a-z]{2}(-[a-z]+)+-\d_[A-Za-z0-9]{9}$/;
const CLIENT_ID = /^[a-z0-9]{26}$/;

/** Refuses ids a Cognito client would never see, so a test's typo fails at start, not at sign-in. */
export function checkDefinition(pool: UserPoolDefinition): void {
  if (!POOL_ID.test(pool.id)) {
    throw new Error(`User pool id "${pool.id}" is not like Cognito's: <region>_<9 letters or digits>`);
  }
  for (const client of pool.clients) {
    if (!CLIENT_ID.test(client.id)) {
      throw new Error(`App client id "${client.id}" of ${pool.id} is not 26 lowercase letters or digits`);
    }
  }
  const signInWith = pool.usernameAttributes.filter((name) => name !== 'email' && name !== 'phone_number');
  if (signInWith.length > 0) {
    throw new Error(`User pool ${pool.id}: UsernameAttributes may be email and phone_number only`);
  }
}
