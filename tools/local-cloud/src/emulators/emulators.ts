import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import kinesalite from 'kinesalite';
import type { LocalService } from '../contracts.ts';
import { listenOnLoopback } from '../kit/http-server.ts';
import { type LocalFauxqs, startLocalFauxqs } from './local-fauxqs.ts';

/**
 * The real-protocol emulators, started in this process on loopback: dynalite (DynamoDB), fauxqs
 * (SQS) and kinesalite (Kinesis). dynalite and kinesalite both default to port 4567, so a port is
 * always passed (0: any free one). With `persistDir`, the tables, the queues' messages and the
 * stream's records survive a restart (even a killed process: each emulator writes as it goes).
 */
export interface Emulators {
  dynamodb: LocalService;
  sqs: LocalFauxqs;
  kinesis: LocalService;
  stop(): Promise<void>;
}

export interface EmulatorOptions {
  persistDir?: string;
  /**
   * The region and account in the ARNs dynalite and kinesalite answer with, and in fauxqs's queue
   * URLs. Default us-east-1 and 000000000000.
   */
  region?: string;
  accountId?: string;
}

export async function startEmulators(options: EmulatorOptions = {}): Promise<Emulators> {
  const persistPath = (name: string) => {
    if (!options.persistDir) return undefined;
    const path = join(options.persistDir, name);
    mkdirSync(path, { recursive: true });
    return path;
  };
  const dynamoPath = persistPath('dynamodb');
  const kinesisPath = persistPath('kinesis');
  const sqsPath = persistPath('sqs');
  const arns = { region: options.region ?? 'us-east-1', accountId: options.accountId ?? '000000000000' };
  const dynamo = await listen(
    withArnsOf(arns, () =>
      dynalite({
        createTableMs: 0,
        deleteTableMs: 0,
        updateTableMs: 0,
        ...(dynamoPath ? { path: dynamoPath } : {}),
      }),
    ),
  );
  const kinesis = await listen(
    withArnsOf(arns, () =>
      kinesalite({
        createStreamMs: 0,
        deleteStreamMs: 0,
        updateStreamMs: 0,
        ...(kinesisPath ? { path: kinesisPath } : {}),
      }),
    ),
  );
  const sqs = await startLocalFauxqs({ ...arns, ...(sqsPath ? { persistDir: sqsPath } : {}) });

  const services = {
    dynamodb: { endpoint: endpointOf(dynamo), stop: () => close(dynamo) },
    kinesis: { endpoint: endpointOf(kinesis), stop: () => close(kinesis) },
    sqs,
  };
  return {
    ...services,
    async stop() {
      await Promise.allSettled(Object.values(services).map((service) => service.stop()));
    },
  };
}

/**
 * dynalite and kinesalite take the region and account of their ARNs from the environment, once, as
 * they create their database: from the developer's shell, unless set here for that moment.
 */
function withArnsOf<T>(arns: { region: string; accountId: string }, create: () => T): T {
  const saved = { AWS_REGION: process.env.AWS_REGION, AWS_ACCOUNT_ID: process.env.AWS_ACCOUNT_ID };
  process.env.AWS_REGION = arns.region;
  process.env.AWS_ACCOUNT_ID = arns.accountId;
  try {
    return create();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

function endpointOf(server: Server): string {
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function listen(server: Server): Promise<Server> {
  await listenOnLoopback(server);
  return server;
}

/**
 * Lets the requests in flight finish before the server (and, for dynalite, its database) closes:
 * cutting them off left dynalite answering them from a closed database, an unhandled "Database is
 * closed". Connections still open after the grace period are cut.
 */
function close(server: Server, graceMs = 2_000): Promise<void> {
  return new Promise((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections(), 25);
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearInterval(idle);
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}
