import { visit } from 'jsonc-parser';
import { MalformedJsonError, UnsupportedMediaTypeError } from './errors.ts';
import type { HttpRequest } from './http.ts';

/**
 * The body of a request as JSON, for the routes that take one: after the size check, the content
 * type must be JSON, the text must parse, and no object may name a key twice. A module of its own
 * so that the functions whose routes take no body do not carry the JSON scanner.
 */
export function readJsonBody(request: HttpRequest): unknown {
  const body = request.text();
  const contentType = request.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new UnsupportedMediaTypeError('Content-Type must be application/json');
  }
  if (body.trim() === '') throw new MalformedJsonError('Request body is empty: send a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new MalformedJsonError('Request body is not valid JSON');
  }
  const duplicate = firstDuplicateKey(body);
  if (duplicate !== undefined) {
    throw new MalformedJsonError('Request body has a duplicate key: send each key once', [
      { path: duplicate, message: 'Duplicate key' },
    ]);
  }
  return value;
}

/**
 * The path of the first key that appears twice in one object of a JSON text, if any. JSON.parse
 * silently keeps the last one, while other parsers keep the first: a body whose meaning depends on
 * the parser (`{"unitPrice": 1, "unitPrice": 1250}`) is refused rather than guessed (RFC 8259 §4).
 */
function firstDuplicateKey(json: string): string | undefined {
  const objects: Set<string>[] = [];
  let duplicate: string | undefined;
  visit(json, {
    onObjectBegin: () => {
      objects.push(new Set());
    },
    onObjectEnd: () => {
      objects.pop();
    },
    onObjectProperty: (key, _offset, _length, _line, _character, pathOf) => {
      const keys = objects.at(-1);
      if (!keys || duplicate !== undefined) return;
      if (keys.has(key)) duplicate = [...pathOf(), key].join('.');
      keys.add(key);
    },
  });
  return duplicate;
}
