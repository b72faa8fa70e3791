import { names } from '@nx/devkit';

export type Trigger = 'http' | 'event' | 'sqs' | 'schedule';

export interface FunctionGeneratorOptions {
  readonly service: string;
  readonly name: string;
  readonly trigger?: Trigger;
  /** http: the route key. */
  readonly route?: string;
  /** event: the contract event the function consumes. */
  readonly event?: string;
  /** sqs: the contract command the function receives. */
  readonly command?: string;
  /** schedule: an EventBridge schedule expression. */
  readonly schedule?: string;
  readonly description?: string;
  /** Regenerate the derived documents after writing (default); off when several run in a row. */
  readonly regenerate?: boolean;
}

/** What the application's contracts and folders offer the generator to choose from. */
export interface Workspace {
  readonly services: readonly string[];
  /** Event type → publishing service. */
  readonly events: ReadonlyMap<string, string>;
  /** Command type → receiving service and its queue. */
  readonly commands: ReadonlyMap<string, { readonly receiver: string; readonly queue: string }>;
}

interface Common {
  readonly service: string;
  /** kebab-case: the handler's file and bundle, `ship-order`. */
  readonly name: string;
  /** camelCase: the use case, `shipOrder`. */
  readonly useCase: string;
  /** PascalCase: the construct ids, `ShipOrder`. */
  readonly typeName: string;
  readonly description: string;
}

export type FunctionPlan = Common &
  (
    | {
        readonly trigger: 'http';
        readonly route: { readonly key: string; readonly method: string; readonly path: string };
        readonly pathParameters: readonly string[];
        readonly status: 200 | 202;
      }
    | { readonly trigger: 'event'; readonly message: string; readonly queue: string }
    | { readonly trigger: 'sqs'; readonly message: string; readonly queue: string }
    | { readonly trigger: 'schedule'; readonly schedule: string }
  );

const ROUTE_KEY = /^(GET|POST|PUT|PATCH|DELETE) (\/[A-Za-z0-9_{}/-]*)$/;
const SCHEDULE = /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^)]+\))$/;

/**
 * The route a name implies, for a service's own entity (the service's name less its plural `s`):
 * `get-order` reads one, `<verb>-order` acts on one.
 */
export function derivedRoute(service: string, name: string): string | undefined {
  const [verb, ...rest] = name.split('-');
  const entity = rest.join('-');
  if (!verb || entity !== service.replace(/s$/, '')) return undefined;
  const id = `{${names(entity).propertyName}Id}`;
  return verb === 'get' ? `GET /${service}/${id}` : `POST /${service}/${id}/${verb}`;
}

/** `ship-order` → `Ships the order.`: a sentence for the contract and the function until one is given. */
function defaultDescription(name: string): string {
  const [verb = '', ...rest] = name.split('-');
  const thirdPerson = /(s|sh|ch|x)$/.test(verb) ? `${verb}es` : `${verb}s`;
  return `${thirdPerson.charAt(0).toUpperCase()}${thirdPerson.slice(1)} the ${rest.join(' ')}.`;
}

export function planFunction(options: FunctionGeneratorOptions, workspace: Workspace): FunctionPlan {
  const { service, name, trigger = 'http' } = options;
  if (!workspace.services.includes(service)) {
    throw new Error(
      `There is no service "${service}" in apps/: pick one of ${workspace.services.join(', ')}.`,
    );
  }
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)+$/.test(name)) {
    throw new Error(`"${name}" is not a handler name: kebab-case, a verb first (ship-order).`);
  }
  const { className, propertyName } = names(name);
  const common: Common = {
    service,
    name,
    useCase: propertyName,
    typeName: className,
    description: options.description ?? defaultDescription(name),
  };
  switch (trigger) {
    case 'http':
      return { ...common, ...httpPlan(options) };
    case 'event': {
      const event = required(
        options.event,
        '--event',
        'the contract event it consumes, a key of EVENTS in libs/contracts/src/events.ts',
      );
      if (!workspace.events.has(event)) {
        throw new Error(
          `There is no event ${event} in libs/contracts: one of ${[...workspace.events.keys()].join(', ')}.`,
        );
      }
      return { ...common, trigger, message: event, queue: name };
    }
    case 'sqs': {
      const command = required(
        options.command,
        '--command',
        'the contract command it receives, a key of COMMANDS in libs/contracts/src/commands.ts',
      );
      const contract = workspace.commands.get(command);
      if (!contract) {
        throw new Error(
          `There is no command ${command} in libs/contracts: one of ${[...workspace.commands.keys()].join(', ')}, or add one with npx nx g @shop/generators:event --kind command.`,
        );
      }
      if (contract.receiver !== service) {
        throw new Error(
          `${command} is received by ${contract.receiver} (libs/contracts): generate its consumer there.`,
        );
      }
      return { ...common, trigger, message: command, queue: contract.queue };
    }
    case 'schedule': {
      const schedule = required(
        options.schedule,
        '--schedule',
        'when it runs: rate(1 hour) or cron(0 3 * * ? *)',
      );
      if (!SCHEDULE.test(schedule)) {
        throw new Error(
          `"${schedule}" is not an EventBridge schedule: rate(5 minutes), rate(1 hour) or cron(0 3 * * ? *).`,
        );
      }
      return { ...common, trigger, schedule };
    }
    default:
      throw new Error(`--trigger is one of http, event, sqs, schedule, not "${String(trigger)}".`);
  }
}

function httpPlan(options: FunctionGeneratorOptions) {
  const routeKey = options.route ?? derivedRoute(options.service, options.name);
  if (!routeKey) {
    throw new Error(
      `No route follows from "${options.name}" in ${options.service}: give one, --route "POST /${options.service}/{id}/${options.name}".`,
    );
  }
  const match = ROUTE_KEY.exec(routeKey);
  if (!match?.[1] || !match[2]) {
    throw new Error(`"${routeKey}" is not a route key: a method and a path, "POST /orders/{orderId}/ship".`);
  }
  return {
    trigger: 'http' as const,
    route: { key: routeKey, method: match[1], path: match[2] },
    pathParameters: [...match[2].matchAll(/\{([A-Za-z0-9_]+)\}/g)].map(
      ([, parameter]) => parameter as string,
    ),
    status: match[1] === 'GET' ? (200 as const) : (202 as const),
  };
}

function required(value: string | undefined, option: string, what: string): string {
  if (!value) throw new Error(`This trigger needs ${option}: ${what}.`);
  return value;
}
