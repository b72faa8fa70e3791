import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LocalSchedules } from '../eventbridge/schedules.ts';
import { sendJson } from './page-responses.ts';

const RUN = /^\/_local\/schedules\/([^/]+)\/run$/;

/**
 * The scheduled rules for a developer: `GET /_local/schedules` lists them with their next run,
 * `POST /_local/schedules/<rule name>/run` sends a rule's Scheduled Event now (202, with the event),
 * without waiting for its targets, as a scheduled run would not. Returns whether it took the request.
 */
export function answerSchedules(
  schedules: LocalSchedules,
  method: string,
  path: string,
  request: IncomingMessage,
  response: ServerResponse,
): boolean {
  if (path === '/_local/schedules' && (method === 'GET' || method === 'HEAD')) {
    sendJson(response, 200, { schedules: schedules.list() });
    return true;
  }
  const name = RUN.exec(path)?.[1];
  if (name === undefined || method !== 'POST') return false;
  request.resume();
  const ruleName = decodeURIComponent(name);
  const event = schedules.run(ruleName);
  if (event) {
    sendJson(response, 202, { rule: ruleName, event });
    return true;
  }
  const known = schedules.list().map((schedule) => schedule.name);
  sendJson(response, 404, {
    error: {
      code: 'NotFound',
      message: `No enabled scheduled rule is named ${ruleName} (${known.length > 0 ? `scheduled rules: ${known.join(', ')}` : 'the templates have none'})`,
    },
  });
  return true;
}
