import { fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The function bundles' stand-in for `@aws-sdk/credential-provider-node` (tools/bundling/src/handler-build.ts
 * aliases it here): every SDK client's default credentials become the environment's, which is where
 * Lambda puts the function role's credentials. The full chain (profiles, SSO, web identity, IMDS)
 * is never used on Lambda, and its nested STS and SSO clients were 61 KiB of every bundle.
 * A bundle run without credentials in its environment fails on its first call, with the SDK's
 * CredentialsProviderError saying so.
 */
export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
