/**
 * The local cloud's queue URLs: `<SQS endpoint>/<account>/<queue name>`, such as
 * `http://127.0.0.1:4566/000000000000/work-queue`. AWS's are `https://sqs.<region>.amazonaws.com/
 * <account>/<name>`; locally the host is the endpoint itself, so a client that sends to the queue URL
 * (the SDKs do, unless told `useQueueUrlAsEndpoint: false`) reaches the local SQS. fauxqs's own
 * `sqs.<region>.localhost` host does not resolve everywhere.
 */
export function queueUrl(endpoint: string, accountId: string, name: string): string {
  return `${endpoint.replace(/\/+$/, '')}/${accountId}/${name}`;
}

/**
 * The account and name a queue URL names, whatever its host and port (a URL handed out before a
 * `--persist` restart names the same queue), or undefined for text that is not a queue URL.
 */
export function parseQueueUrl(url: string): { accountId: string; name: string } | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const match = /^\/(\d{12})\/([\w-]{1,80}(?:\.fifo)?)$/.exec(path);
  if (!match) return undefined;
  const [, accountId = '', name = ''] = match;
  return { accountId, name };
}
