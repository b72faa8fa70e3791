import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The messages of libs/contracts and the services they name, as the generators find them. */
export interface ContractsOnDisk {
  /** `SERVICES` of envelope.ts: the services that may publish, send or receive. */
  readonly services: readonly string[];
  /** Event type → its publisher. */
  readonly events: ReadonlyMap<string, string>;
  /** Command type → its receiver and queue. */
  readonly commands: ReadonlyMap<string, { readonly receiver: string; readonly queue: string }>;
}

/**
 * Reads the contracts from the files on disk (Node runs their TypeScript), not from the package
 * the generator was installed with: a generator run earlier in the same session may have added to them.
 */
export async function readContracts(root: string): Promise<ContractsOnDisk> {
  const contract = (file: string) => import(pathToFileURL(join(root, 'libs/contracts/src', file)).href);
  const { SERVICES } = (await contract('envelope.ts')) as { SERVICES: readonly string[] };
  const { EVENTS } = (await contract('events.ts')) as { EVENTS: Record<string, { publisher: string }> };
  const { COMMANDS } = (await contract('commands.ts')) as {
    COMMANDS: Record<string, { receiver: string; queue: string }>;
  };
  return {
    services: SERVICES,
    events: new Map(Object.entries(EVENTS).map(([type, { publisher }]) => [type, publisher])),
    commands: new Map(
      Object.entries(COMMANDS).map(([type, { receiver, queue }]) => [type, { receiver, queue }]),
    ),
  };
}
