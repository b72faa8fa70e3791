import { describe, expect, it } from 'vitest';
import { type Contracts, exampleOf, parseFields, planMessage } from '../src/event/plan.ts';

// Names no contract has: the contract-names check would flag a real one written here.
const contracts: Contracts = {
  services: ['orders', 'payments', 'invoices'],
  events: ['ParcelLost'],
  commandQueues: new Map([['CollectParcel', 'collection-requests']]),
};

describe('the plan of a generated message', () => {
  it('gives an event the order id as its data, and a description from its name, when they are left out', () => {
    expect(planMessage({ name: 'ParcelDelivered', publisher: 'orders' }, contracts)).toEqual({
      kind: 'event',
      type: 'ParcelDelivered',
      publisher: 'orders',
      description: 'The parcel was delivered.',
      fields: [{ name: 'orderId', kind: 'id' }],
    });
  });

  it('sends a command to a queue named after what it is about, unless one is given', () => {
    const options = { name: 'WeighParcel', kind: 'command', sender: 'orders', receiver: 'invoices' } as const;
    expect(planMessage(options, contracts)).toMatchObject({
      queue: 'parcel-requests',
      description: 'Weigh the parcel.',
    });
  });

  it('reads fields as name:kind, and gives each kind an example that fits it', () => {
    const fields = parseFields(
      'orderId:id, weighedAt:timestamp,fee:amount,currency:currency,label:string,grams:int',
    );
    expect(exampleOf(fields)).toEqual({
      orderId: 'ord_01JD3V5Q3Z8N2X4G7K9M1P6R0T',
      weighedAt: '2026-12-03T10:00:00.000Z',
      fee: 2500,
      currency: 'EUR',
      label: 'label-1',
      grams: 1,
    });
  });

  it.each([
    [
      { name: 'ParcelLost', publisher: 'orders' },
      'ParcelLost is already an event of libs/contracts/src/events.ts',
    ],
    [
      { name: 'CollectParcel', kind: 'command' },
      'CollectParcel is already a command of libs/contracts/src/commands.ts',
    ],
    [{ name: 'DeliverParcel', publisher: 'orders' }, 'does not read as a fact: an event says what happened'],
    [{ name: 'parcel-delivered', publisher: 'orders' }, 'is not a message name: PascalCase'],
    [{ name: 'ParcelDelivered' }, 'This kind of message needs --publisher: the service that publishes it'],
    [{ name: 'ParcelDelivered', publisher: 'shipping' }, 'There is no service "shipping" in the contracts'],
    [
      { name: 'ParcelDelivered', publisher: 'orders', fields: 'orderId:uuid' },
      'The field orderId has no kind "uuid"',
    ],
    [
      { name: 'ParcelDelivered', publisher: 'orders', fields: 'orderId:id,orderId:id' },
      'The field orderId is given twice',
    ],
    [{ name: 'ParcelDelivered', publisher: 'orders', fields: 'OrderId:id' }, '"OrderId:id" is not a field'],
    [
      { name: 'ParcelWeighed', kind: 'command', sender: 'orders', receiver: 'invoices' },
      'reads as a fact: a command says what to do',
    ],
    [
      { name: 'WeighParcel', kind: 'command', sender: 'orders', receiver: 'orders' },
      '--sender and --receiver are both orders',
    ],
    [
      {
        name: 'WeighParcel',
        kind: 'command',
        sender: 'orders',
        receiver: 'invoices',
        queue: 'collection-requests',
      },
      'The queue collection-requests carries CollectParcel already',
    ],
  ] as const)('refuses %o, saying why', (options, message) => {
    expect(() => planMessage(options, contracts)).toThrow(message);
  });
});
