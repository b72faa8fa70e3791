import { openApiProblem } from './openapi-responses.ts';

export interface ApiAnswer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: the API's bodies, held to openapi.json by every call.
  body: any;
}

/**
 * A call of the API at `baseUrl` as a customer makes it: JSON, with the customer's access token
 * (`token()`), or the `authorization` header given (`''`: none at all). Every answer is held to
 * docs/api/openapi.json: one that breaks it fails the test.
 */
export function apiCall(baseUrl: string, token: () => Promise<string>) {
  return async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiAnswer> => {
    const authorization = headers.authorization ?? `Bearer ${await token()}`;
    const { authorization: _given, ...others } = headers;
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(authorization === '' ? {} : { authorization }),
        ...others,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    const answer = {
      status: response.status,
      headers: response.headers,
      body: text ? JSON.parse(text) : undefined,
    };
    const problem = openApiProblem(method, path, answer.status, answer.body);
    if (problem) throw new Error(`The API broke its contract: ${problem}`);
    return answer;
  };
}
