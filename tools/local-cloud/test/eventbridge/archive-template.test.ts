import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { afterAll, describe, expect, it } from 'vitest';
import { localModelOf } from '../fixtures/local-cloud-app.ts';

/** The archives of a synthesized template, as the local EventBridge keeps them. */
const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function modelOf(addArchives: (bus: events.EventBus) => void) {
  const outdir = mkdtempSync(join(tmpdir(), 'archive-template-'));
  folders.push(outdir);
  const app = new App({ outdir });
  const stack = new Stack(app, 'Data', { env: { region: 'eu-west-1' }, stackName: 'data-test' });
  addArchives(new events.EventBus(stack, 'EventBus', { eventBusName: 'shop-test-events' }));
  app.synth();
  return localModelOf(outdir);
}

describe('the archives of a template', () => {
  it("reads each archive's name, bus, pattern and retention, with the ARN EventBridge gives it", () => {
    const model = modelOf((bus) => {
      bus.archive('DomainEvents', {
        archiveName: 'shop-test-events',
        description: 'Every domain event',
        eventPattern: { source: events.Match.prefix('serverless-commerce.') },
        retention: Duration.days(7),
      });
      // No pattern (CDK leaves an empty one out): every event of the bus.
      bus.archive('Everything', { archiveName: 'shop-test-everything', eventPattern: {} });
    });

    expect(model.archives).toEqual([
      {
        name: 'shop-test-events',
        arn: 'arn:aws:events:eu-west-1:000000000000:archive/shop-test-events',
        sourceArn: 'arn:aws:events:eu-west-1:000000000000:event-bus/shop-test-events',
        pattern: { source: [{ prefix: 'serverless-commerce.' }] },
        retentionDays: 7,
        description: 'Every domain event',
      },
      expect.objectContaining({
        name: 'shop-test-everything',
        sourceArn: 'arn:aws:events:eu-west-1:000000000000:event-bus/shop-test-events',
      }),
    ]);
    expect(model.archives[1]).not.toHaveProperty('pattern');
  });
});
