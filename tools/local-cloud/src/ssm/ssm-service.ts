import type { LocalService, LogSink } from '../contracts.ts';
import { type ApiAction, AwsApiError, startJsonProtocolServer } from '../kit/json-protocol-server.ts';
import { offsetPage } from '../kit/offset-page.ts';
import { serviceLog } from '../kit/service-log.ts';

/**
 * The local Parameter Store: the template's `AWS::SSM::Parameter` resources, read-only, behind an
 * endpoint that speaks the SSM API (AWS JSON 1.1) to the real AWS SDK: GetParameter, GetParameters
 * and GetParametersByPath, with AWS's answers and errors (ParameterNotFound, ValidationException).
 * A client that reads a deployed stage's parameters reads the local stage's the same way.
 */
export interface SsmServiceOptions {
  /** Parameter values by name, e.g. `/my-app/dev/data/table/name`. */
  parameters: ReadonlyMap<string, string>;
  log: LogSink;
  region: string;
  accountId: string;
  /** Default 0: an ephemeral port on 127.0.0.1. */
  port?: number;
}

/** AWS's limits: GetParameters takes 10 names, a page of GetParametersByPath holds 10. */
const MAX_NAMES = 10;
const MAX_PAGE = 10;

type Input = Record<string, unknown>;

export async function createSsmService(options: SsmServiceOptions): Promise<LocalService> {
  const log = serviceLog(options.log, 'ssm');
  const created = new Date();
  const parameterOf = (name: string, value: string) => ({
    Name: name,
    Type: 'String',
    Value: value,
    Version: 1,
    LastModifiedDate: created,
    // The ARN leaves out the leading slash of a hierarchical name, as AWS writes it.
    ARN: `arn:aws:ssm:${options.region}:${options.accountId}:parameter/${name.replace(/^\//, '')}`,
    DataType: 'text',
  });
  const find = (name: string) => {
    const value = options.parameters.get(name);
    return value === undefined ? undefined : parameterOf(name, value);
  };
  const actions: Record<string, ApiAction> = {
    GetParameter: (input) => {
      const name = nameOf(input.Name);
      const found = find(name);
      if (!found) throw new AwsApiError('ParameterNotFound', `Parameter ${name} not found.`);
      return { Parameter: found };
    },
    GetParameters: (input) => {
      const names = input.Names;
      if (!Array.isArray(names) || names.length < 1 || names.length > MAX_NAMES) {
        throw validation(`Names must hold 1 to ${MAX_NAMES} parameter names`);
      }
      const asked = [...new Set(names.map(nameOf))];
      return {
        Parameters: asked.flatMap((name) => find(name) ?? []),
        InvalidParameters: asked.filter((name) => !options.parameters.has(name)),
      };
    },
    GetParametersByPath: (input) => getParametersByPath(input, [...options.parameters.keys()].sort(), find),
  };
  const server = await startJsonProtocolServer({
    targetPrefix: 'AmazonSSM',
    serviceName: 'SSM',
    protocolVersion: '1.1',
    port: options.port,
    actions,
    log,
  });
  return { endpoint: server.endpoint, stop: () => server.close() };
}

function getParametersByPath(
  input: Input,
  names: readonly string[],
  find: (name: string) => object | undefined,
) {
  const path = nameOf(input.Path);
  if (!path.startsWith('/')) throw validation('The parameter path must begin with a forward slash (/)');
  const prefix = path.endsWith('/') ? path : `${path}/`;
  const maxResults = input.MaxResults === undefined ? MAX_PAGE : input.MaxResults;
  if (
    typeof maxResults !== 'number' ||
    !Number.isInteger(maxResults) ||
    maxResults < 1 ||
    maxResults > MAX_PAGE
  ) {
    throw validation(`MaxResults must be an integer from 1 to ${MAX_PAGE}`);
  }
  // Without Recursive, only the level right below the path, as AWS reads it.
  const under = names.filter(
    (name) =>
      name.startsWith(prefix) && (input.Recursive === true || !name.slice(prefix.length).includes('/')),
  );
  const paged = offsetPage(under, input.NextToken, maxResults);
  if (!paged) throw validation('The NextToken is not valid');
  return {
    Parameters: paged.page.flatMap((name) => find(name) ?? []),
    ...(paged.nextToken ? { NextToken: paged.nextToken } : {}),
  };
}

function nameOf(name: unknown): string {
  if (typeof name !== 'string' || name.length < 1 || name.length > 2048) {
    throw validation('A parameter name is a string of 1 to 2048 characters');
  }
  return name;
}

const validation = (message: string) => new AwsApiError('ValidationException', message);

/** `https://<api id>.execute-api.<region>.amazonaws.com` (and the stage path after it), as a template spells an API's URL. */
const API_URL = /^https:\/\/[a-z0-9]+\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\.cn)?(?=\/|$)/;

/**
 * Points the parameters that hold an HTTP API's URL at the local API: a client that finds the API
 * through its parameter, as on AWS, reaches the local one. The stage path is kept (`$default`'s is `/`).
 */
export function pointParametersAtLocalApi(parameters: Map<string, string>, localApiUrl: string): void {
  for (const [name, value] of parameters) {
    if (API_URL.test(value)) parameters.set(name, value.replace(API_URL, localApiUrl));
  }
}
