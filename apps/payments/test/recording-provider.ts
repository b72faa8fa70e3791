import type { PaymentProvider } from '../src/domain/ports.ts';

type Request<O extends keyof PaymentProvider> = Parameters<PaymentProvider[O]>[0];

/** One operation of the provider port, answered by `answer`, with every request it was given. */
export function aRecordingProvider<O extends keyof PaymentProvider>(
  operation: O,
  answer: PaymentProvider[O],
) {
  const requests: Request<O>[] = [];
  const respond = answer as (request: Request<O>) => ReturnType<PaymentProvider[O]>;
  const provider = {
    [operation]: (request: Request<O>) => {
      requests.push(request);
      return respond(request);
    },
  } as unknown as Pick<PaymentProvider, O>;
  return { provider, requests };
}
