import { AwsApiError } from '../kit/json-protocol-server.ts';

/**
 * An error of the Cognito Identity Provider API, named by its AWS error code
 * (`NotAuthorizedException`, `UsernameExistsException`...), answered with status 400 unless it
 * says otherwise.
 */
export class CognitoError extends AwsApiError {}

/** A request the local user pool does not emulate: refused with what to use instead, never half-served. */
export function notEmulated(what: string, instead: string): CognitoError {
  return new CognitoError(
    'UnsupportedOperationException',
    `${what} is not emulated by the local user pool: ${instead}`,
  );
}

export const incorrectCredentials = () =>
  new CognitoError('NotAuthorizedException', 'Incorrect username or password.');

export const userNotFound = () => new CognitoError('UserNotFoundException', 'User does not exist.');
