import { buildApp } from 'fauxqs';

/**
 * fauxqs with its SQLite persistence, bound to loopback. Its `startFauxqs` helper is the only place
 * that wires persistence, and it binds 0.0.0.0; this does the same wiring (fauxqs 2.4, dist/app.js:
 * create the stores, load the persisted state into them before persistence is assigned, then give
 * every store and loaded queue the persistence manager, and close it before the server closes) around
 * `buildApp`, which takes the stores. The stores are not in the package's exports, so they are
 * loaded from its dist folder, next to the entry point the exports do name.
 */
export async function buildPersistentFauxqs(dataDir: string): Promise<ReturnType<typeof buildApp>> {
  const dist = (path: string) => new URL(path, import.meta.resolve('fauxqs')).href;
  const [{ SqsStore }, { SnsStore }, { S3Store }, { PersistenceManager }] = await Promise.all([
    import(dist('./sqs/sqsStore.js')),
    import(dist('./sns/snsStore.js')),
    import(dist('./s3/s3Store.js')),
    import(dist('./persistence.js')),
  ]);
  const sqsStore = new SqsStore();
  const snsStore = new SnsStore();
  const s3Store = new S3Store();
  const persistence = new PersistenceManager(dataDir);
  persistence.load(sqsStore, snsStore, s3Store);
  sqsStore.persistence = persistence;
  snsStore.persistence = persistence;
  s3Store.persistence = persistence;
  for (const queue of sqsStore.allQueues()) queue.persistence = persistence;
  const app = buildApp({ logger: false, stores: { sqsStore, snsStore, s3Store } });
  app.addHook('preClose', () => persistence.close());
  return app;
}
