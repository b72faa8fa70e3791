import { createObservability } from '@shop/shared/observability';

/** This function's logger and metrics: created once per cold start. */
export const observability = createObservability();
