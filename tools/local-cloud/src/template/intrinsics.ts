import { queueUrl } from '../sqs/queue-url.ts';
import type { AssemblyStack, CloudFormationResource } from './cloud-assembly.ts';
import {
  apiResourceId,
  eventSourceMappingUuid,
  secretArnSuffix,
  secretNameSuffix,
  userPoolClientId,
  userPoolClientSecret,
  userPoolId,
} from './local-ids.ts';

/**
 * Resolves CloudFormation intrinsic functions in a synthesized template the way a deployment would,
 * but to local names: a table's `Ref` is its name, a queue's `Ref` its URL on the local SQS
 * endpoint, an `Fn::GetAtt [X, Arn]` a local ARN. SSM parameters written by one stack resolve the
 * `AWS::SSM::Parameter::Value<String>` parameters of the stacks after it, which is how the service
 * stacks find the data stack's resources (there are no CloudFormation exports).
 */
export interface LocalEnvironment {
  region: string;
  accountId: string;
  /** The base of every queue URL: the local SQS endpoint. */
  sqsEndpoint: string;
  /** SSM parameters published so far (name → value), shared by every stack. */
  ssmParameters: Map<string, string>;
}

export interface ResourceIdentity {
  /** What `Ref` returns. */
  ref: string;
  /** What `Fn::GetAtt` returns, by attribute name. */
  attributes: Record<string, string>;
}

/** Removes the key it is the value of, as `AWS::NoValue` does. */
const NO_VALUE = Symbol('AWS::NoValue');

export class UnsupportedIntrinsicError extends Error {
  override readonly name = 'UnsupportedIntrinsicError';
}

export class TemplateResolver {
  readonly stack: AssemblyStack;
  readonly #env: LocalEnvironment;
  readonly #identities = new Map<string, ResourceIdentity>();
  readonly #resolving = new Set<string>();

  constructor(stack: AssemblyStack, env: LocalEnvironment) {
    this.stack = stack;
    this.#env = env;
  }

  /** The resources of this stack that exist under their conditions. */
  resources(): [string, CloudFormationResource][] {
    return Object.entries(this.stack.template.Resources).filter(
      ([, resource]) => !resource.Condition || this.condition(resource.Condition),
    );
  }

  resource(logicalId: string): CloudFormationResource {
    const resource = this.stack.template.Resources[logicalId];
    if (!resource) throw new Error(`${this.stack.stackName}: no resource ${logicalId}`);
    return resource;
  }

  /** A resource's properties with every intrinsic resolved. */
  properties(logicalId: string): Record<string, unknown> {
    return (this.resolve(this.resource(logicalId).Properties ?? {}) as Record<string, unknown>) ?? {};
  }

  /** Resolves every intrinsic function in a value. */
  resolve(value: unknown): unknown {
    const resolved = this.#resolve(value);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** Resolves a value that must be a string (a name, an ARN, a URL). */
  resolveString(value: unknown, what: string): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string') {
      throw new Error(
        `${this.stack.stackName}: ${what} did not resolve to a string: ${JSON.stringify(resolved)}`,
      );
    }
    return resolved;
  }

  identity(logicalId: string): ResourceIdentity {
    const known = this.#identities.get(logicalId);
    if (known) return known;
    if (this.#resolving.has(logicalId))
      throw new Error(`${this.stack.stackName}: ${logicalId} refers to itself`);
    this.#resolving.add(logicalId);
    try {
      const identity = this.#identify(logicalId, this.resource(logicalId));
      this.#identities.set(logicalId, identity);
      return identity;
    } finally {
      this.#resolving.delete(logicalId);
    }
  }

  condition(name: string): boolean {
    const expression = this.stack.template.Conditions?.[name];
    if (expression === undefined) throw new Error(`${this.stack.stackName}: no condition ${name}`);
    return this.#evaluate(expression);
  }

  #identify(logicalId: string, resource: CloudFormationResource): ResourceIdentity {
    const { region, accountId } = this.#env;
    const props = resource.Properties ?? {};
    // Where the resource is declared: what the ids AWS would make up are derived from.
    const seed = `${this.stack.stackName}/${logicalId}`;
    const named = (property: string, fallback = `${this.stack.stackName}-${logicalId}`): string =>
      props[property] === undefined
        ? fallback
        : this.resolveString(props[property], `${logicalId}.${property}`);
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table': {
        const name = named('TableName');
        const arn = `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
        return { ref: name, attributes: { Arn: arn, StreamArn: `${arn}/stream/local` } };
      }
      case 'AWS::SQS::Queue': {
        const name = named(
          'QueueName',
          `${this.stack.stackName}-${logicalId}${props.FifoQueue ? '.fifo' : ''}`,
        );
        const url = queueUrl(this.#env.sqsEndpoint, accountId, name);
        return {
          ref: url,
          attributes: { Arn: `arn:aws:sqs:${region}:${accountId}:${name}`, QueueName: name, QueueUrl: url },
        };
      }
      case 'AWS::Kinesis::Stream': {
        const name = named('Name');
        return { ref: name, attributes: { Arn: `arn:aws:kinesis:${region}:${accountId}:stream/${name}` } };
      }
      case 'AWS::Events::EventBus': {
        const name = named('Name');
        return {
          ref: name,
          attributes: { Name: name, Arn: `arn:aws:events:${region}:${accountId}:event-bus/${name}` },
        };
      }
      case 'AWS::Events::Rule': {
        const name = named('Name');
        return { ref: name, attributes: { Arn: `arn:aws:events:${region}:${accountId}:rule/${name}` } };
      }
      case 'AWS::Lambda::Function': {
        const name = named('FunctionName');
        return { ref: name, attributes: { Arn: `arn:aws:lambda:${region}:${accountId}:function:${name}` } };
      }
      case 'AWS::Lambda::Alias': {
        const functionName = this.resolveString(props.FunctionName, `${logicalId}.FunctionName`);
        const alias = this.resolveString(props.Name, `${logicalId}.Name`);
        const arn = `${functionName.startsWith('arn:') ? functionName : `arn:aws:lambda:${region}:${accountId}:function:${functionName}`}:${alias}`;
        return { ref: arn, attributes: { AliasArn: arn } };
      }
      case 'AWS::Lambda::EventSourceMapping': {
        const uuid = eventSourceMappingUuid(seed);
        return {
          ref: uuid,
          attributes: {
            Id: uuid,
            EventSourceMappingArn: `arn:aws:lambda:${region}:${accountId}:event-source-mapping:${uuid}`,
          },
        };
      }
      case 'AWS::StepFunctions::StateMachine': {
        const name = named('StateMachineName');
        const arn = `arn:aws:states:${region}:${accountId}:stateMachine:${name}`;
        return { ref: arn, attributes: { Arn: arn, Name: name } };
      }
      case 'AWS::SSM::Parameter':
        return { ref: named('Name', logicalId), attributes: { Type: 'String' } };
      case 'AWS::SNS::Topic': {
        const name = named('TopicName');
        const arn = `arn:aws:sns:${region}:${accountId}:${name}`;
        return { ref: arn, attributes: { TopicArn: arn, TopicName: name } };
      }
      case 'AWS::S3::Bucket': {
        const name = named('BucketName', `${this.stack.stackName}-${logicalId}`.toLowerCase());
        return { ref: name, attributes: { Arn: `arn:aws:s3:::${name}`, DomainName: `${name}.s3.localhost` } };
      }
      case 'AWS::Logs::LogGroup': {
        const name = named('LogGroupName', `/local/${this.stack.stackName}/${logicalId}`);
        return { ref: name, attributes: { Arn: `arn:aws:logs:${region}:${accountId}:log-group:${name}:*` } };
      }
      case 'AWS::IAM::Role': {
        const name = named('RoleName', `${this.stack.stackName}-${logicalId}`);
        return { ref: name, attributes: { Arn: `arn:aws:iam::${accountId}:role/${name}`, RoleId: name } };
      }
      case 'AWS::IAM::ManagedPolicy': {
        const arn = `arn:aws:iam::${accountId}:policy/${named('ManagedPolicyName')}`;
        return { ref: arn, attributes: { PolicyArn: arn } };
      }
      case 'AWS::Cognito::UserPool': {
        // The pool is in its stack's region, which CDK also writes into the issuer an authorizer names.
        const poolRegion = this.stack.region ?? region;
        const id = userPoolId(poolRegion, seed);
        const providerName = `cognito-idp.${poolRegion}.amazonaws.com/${id}`;
        return {
          ref: id,
          attributes: {
            Arn: `arn:aws:cognito-idp:${poolRegion}:${accountId}:userpool/${id}`,
            ProviderName: providerName,
            ProviderURL: `https://${providerName}`,
            UserPoolId: id,
          },
        };
      }
      case 'AWS::Cognito::UserPoolClient': {
        const id = userPoolClientId(seed);
        return {
          ref: id,
          attributes: {
            ClientId: id,
            Name: named('ClientName', logicalId),
            ...(props.GenerateSecret === true ? { ClientSecret: userPoolClientSecret(seed) } : {}),
          },
        };
      }
      case 'AWS::SecretsManager::Secret': {
        const name = named('Name', `${logicalId}-${secretNameSuffix(seed)}`);
        const arn = `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${secretArnSuffix(seed)}`;
        return { ref: arn, attributes: { Id: arn } };
      }
      case 'AWS::ApiGatewayV2::Authorizer': {
        const id = apiResourceId(seed);
        return { ref: id, attributes: { AuthorizerId: id } };
      }
      case 'AWS::ApiGatewayV2::Api': {
        const id = logicalId.toLowerCase().slice(0, 10);
        return { ref: id, attributes: { ApiId: id, ApiEndpoint: `http://127.0.0.1` } };
      }
      default:
        // Resources the local cloud does not run (alarms, policies, dashboards, ...) still get a
        // stable identity, so templates that mention them resolve.
        return {
          ref: logicalId,
          attributes: new Proxy({} as Record<string, string>, {
            get: (_, attribute) => `arn:aws:local:${region}:${accountId}:${logicalId}/${String(attribute)}`,
          }),
        };
    }
  }

  #parameter(name: string): string {
    if (name === 'AWS::Region') return this.#env.region;
    if (name === 'AWS::AccountId') return this.#env.accountId;
    if (name === 'AWS::Partition') return 'aws';
    if (name === 'AWS::URLSuffix') return 'amazonaws.com';
    if (name === 'AWS::StackName') return this.stack.stackName;
    if (name === 'AWS::StackId')
      return `arn:aws:cloudformation:${this.#env.region}:${this.#env.accountId}:stack/${this.stack.stackName}/local`;
    const parameter = this.stack.template.Parameters?.[name];
    if (parameter) {
      if (parameter.Type.startsWith('AWS::SSM::Parameter::Value')) {
        const parameterName = String(parameter.Default);
        const value = this.#env.ssmParameters.get(parameterName);
        if (value === undefined) {
          if (parameterName.startsWith('/cdk-bootstrap/')) return 'local';
          throw new Error(
            `${this.stack.stackName}: SSM parameter ${parameterName} (template parameter ${name}) is not written by any stack before it`,
          );
        }
        return value;
      }
      if (parameter.Default !== undefined) return String(parameter.Default);
      throw new Error(`${this.stack.stackName}: template parameter ${name} has no default`);
    }
    if (this.stack.template.Resources[name]) return this.identity(name).ref;
    throw new Error(`${this.stack.stackName}: Ref to unknown ${name}`);
  }

  #resolve(value: unknown): unknown {
    if (Array.isArray(value))
      return value.map((item) => this.#resolve(item)).filter((item) => item !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [only] = entries;
    if (
      entries.length === 1 &&
      only &&
      (only[0] === 'Ref' || only[0].startsWith('Fn::') || only[0] === 'Condition')
    ) {
      return this.#intrinsic(only[0], only[1]);
    }
    const result: Record<string, unknown> = {};
    for (const [key, item] of entries) {
      const resolved = this.#resolve(item);
      if (resolved !== NO_VALUE) result[key] = resolved;
    }
    return result;
  }

  #intrinsic(name: string, argument: unknown): unknown {
    switch (name) {
      case 'Ref':
        return argument === 'AWS::NoValue' ? NO_VALUE : this.#parameter(String(argument));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument)
          ? (argument as string[])
          : String(argument).split(/\.(.*)/s);
        return this.identity(String(logicalId)).attributes[String(attribute)];
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        const resolved = this.#resolve(parts);
        if (!Array.isArray(resolved)) throw new UnsupportedIntrinsicError('Fn::Join of a non-list');
        return resolved.join(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(argument)
          ? (argument as [string, Record<string, unknown>])
          : [String(argument), {}];
        const resolvedVariables = this.#resolve(variables) as Record<string, unknown>;
        return text.replace(/\$\{([^!}][^}]*)\}/g, (_, expression: string) => {
          if (expression in resolvedVariables) return String(resolvedVariables[expression]);
          if (expression.includes('.') && !expression.startsWith('AWS::')) {
            const [logicalId, attribute] = expression.split(/\.(.*)/s);
            return String(this.identity(String(logicalId)).attributes[String(attribute)]);
          }
          return this.#parameter(expression);
        });
      }
      case 'Fn::Select': {
        const [index, list] = argument as [unknown, unknown];
        const resolvedList = this.#resolve(list);
        if (!Array.isArray(resolvedList)) throw new UnsupportedIntrinsicError('Fn::Select of a non-list');
        return resolvedList[Number(this.#resolve(index))];
      }
      case 'Fn::Split': {
        const [separator, text] = argument as [string, unknown];
        return String(this.#resolve(text)).split(separator);
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = argument as [string, unknown, unknown];
        return this.#resolve(this.condition(condition) ? whenTrue : whenFalse);
      }
      case 'Fn::FindInMap': {
        const [map, top, second] = this.#resolve(argument) as [string, string, string];
        return this.stack.template.Mappings?.[map]?.[top]?.[second];
      }
      case 'Fn::Base64':
        return Buffer.from(String(this.#resolve(argument))).toString('base64');
      case 'Fn::GetAZs':
        return [`${this.#env.region}a`, `${this.#env.region}b`, `${this.#env.region}c`];
      case 'Fn::Equals':
      case 'Fn::Not':
      case 'Fn::And':
      case 'Fn::Or':
      case 'Condition':
        return this.#evaluate({ [name]: argument });
      default:
        throw new UnsupportedIntrinsicError(
          `${this.stack.stackName}: ${name} is not supported by the local cloud (Fn::ImportValue in particular: stacks share values through SSM parameters)`,
        );
    }
  }

  #evaluate(expression: unknown): boolean {
    const [entry] = Object.entries(expression as Record<string, unknown>);
    if (!entry) throw new Error('Empty condition');
    const [name, argument] = entry;
    switch (name) {
      case 'Fn::Equals': {
        const [left, right] = this.#resolve(argument) as [unknown, unknown];
        return JSON.stringify(left) === JSON.stringify(right);
      }
      case 'Fn::Not':
        return !this.#evaluate((argument as unknown[])[0]);
      case 'Fn::And':
        return (argument as unknown[]).every((item) => this.#evaluate(item));
      case 'Fn::Or':
        return (argument as unknown[]).some((item) => this.#evaluate(item));
      case 'Condition':
        return this.condition(String(argument));
      default:
        throw new UnsupportedIntrinsicError(
          `${this.stack.stackName}: condition function ${name} is not supported`,
        );
    }
  }
}
