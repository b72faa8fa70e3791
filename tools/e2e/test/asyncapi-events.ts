import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import { parse } from 'yaml';

/**
 * Holds every event that crosses the local bus (and so the queues and the stream its rules feed) and
 * every message a consumer takes from a queue to docs/api/asyncapi.yaml: an event's detail-type, or a
 * command's type, names a message there, and the whole of it matches that message's payload schema.
 */
interface AsyncApiDocument {
  components: { messages: Record<string, { payload: object }> };
}

const document = parse(
  readFileSync(new URL('../../../docs/api/asyncapi.yaml', import.meta.url), 'utf8'),
) as AsyncApiDocument;
const ajv = new Ajv({ strict: false, allErrors: true });
// ajv-formats is CommonJS: its plugin is the module's default export.
formats.default(ajv);
const validators = new Map<string, ValidateFunction>(
  Object.entries(document.components.messages).map(([name, message]) => [name, ajv.compile(message.payload)]),
);

/** Why the event breaks the document, or undefined when it keeps to it. */
export function asyncApiProblem(event: unknown): string | undefined {
  const fields = (event ?? {}) as { 'detail-type'?: unknown; source?: unknown };
  const type = String(fields['detail-type']);
  const source = String(fields.source);
  const validate = validators.get(type);
  if (!validate) return `${type} from ${source} is no message of asyncapi.yaml`;
  if (validate(event)) return undefined;
  const errors = (validate.errors ?? []).map(
    (error: ErrorObject) => `${error.instancePath || '(event)'} ${error.message}`,
  );
  return `${type} from ${source} is unlike its message in asyncapi.yaml: ${errors.join('; ')}`;
}

/** Why a queue message breaks the document: an event as a rule delivered it, or a command. */
export function queueMessageProblem(body: string): string | undefined {
  let message: unknown;
  try {
    message = JSON.parse(body);
  } catch {
    return `a queue message is not JSON: ${body.slice(0, 80)}`;
  }
  const fields = (message ?? {}) as { 'detail-type'?: unknown; type?: unknown };
  if (fields['detail-type'] !== undefined) return asyncApiProblem(message);
  const type = String(fields.type);
  const validate = validators.get(type);
  if (!validate) return `a queue message of type ${type} is no message of asyncapi.yaml`;
  if (validate(message)) return undefined;
  const errors = (validate.errors ?? []).map(
    (error: ErrorObject) => `${error.instancePath || '(message)'} ${error.message}`,
  );
  return `${type} on a queue is unlike its message in asyncapi.yaml: ${errors.join('; ')}`;
}
