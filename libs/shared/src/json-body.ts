import { Tokenizer, TokenType } from '@streamparser/json';
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

/** Where the tokenizer is: inside an object (its keys so far) or an array (the element's index). */
type Frame =
  | { kind: 'object'; keys: Set<string>; key?: string; expectingKey: boolean }
  | { kind: 'array'; index: number };

/**
 * The path of the first key that appears twice in one object of a JSON text, if any. JSON.parse
 * silently keeps the last one, while other parsers keep the first: a body whose meaning depends on
 * the parser (`{"unitPrice": 1, "unitPrice": 1250}`) is refused rather than guessed (RFC 8259 §4).
 * A streaming tokenizer with an explicit stack, not a recursive parser: a 64 KiB body of nested
 * brackets must not overflow the call stack. Only called on text JSON.parse accepted.
 */
function firstDuplicateKey(json: string): string | undefined {
  const frames: Frame[] = [];
  let duplicate: string | undefined;
  const tokenizer = new Tokenizer();
  tokenizer.onToken = ({ token, value }) => {
    const top = frames.at(-1);
    switch (token) {
      case TokenType.LEFT_BRACE:
        frames.push({ kind: 'object', keys: new Set(), expectingKey: true });
        break;
      case TokenType.LEFT_BRACKET:
        frames.push({ kind: 'array', index: 0 });
        break;
      case TokenType.RIGHT_BRACE:
      case TokenType.RIGHT_BRACKET:
        frames.pop();
        break;
      case TokenType.COMMA:
        if (top?.kind === 'array') top.index += 1;
        else if (top) top.expectingKey = true;
        break;
      case TokenType.STRING:
        if (top?.kind === 'object' && top.expectingKey) {
          const key = value as string;
          top.expectingKey = false;
          top.key = key;
          if (top.keys.has(key) && duplicate === undefined) {
            duplicate = frames.map((frame) => (frame.kind === 'object' ? frame.key : frame.index)).join('.');
          }
          top.keys.add(key);
        }
        break;
    }
  };
  tokenizer.write(json);
  tokenizer.end();
  return duplicate;
}
