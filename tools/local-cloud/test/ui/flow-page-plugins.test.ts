import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as apigateway from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../src/cloud.ts';
import type { LocalCloudPlugin } from '../../src/plugin.ts';
import type { FlowSnapshot, SubjectDetails } from '../../src/ui/page-types.ts';
import { synthesizeIdentityStack } from '../fixtures/identity-stack.ts';
import { temporaryFolders } from '../fixtures/temporary-folders.ts';

/**
 * The flow page's seam, on a stack the engine has never seen and a plugin of the test's own: the
 * plugin's files, snapshot data, endpoints and messages reach the page, its subject is followed
 * through the requests that name it, and nothing of it can take a path of the API.
 */
const folders = temporaryFolders();
const folder = folders.make;
const assemblyDir = folder('flow-page-plugins-');
const pageDir = folder('ticket-page-');
let cloud: LocalCloud;

const referenceHtml =
  '<html><head><title>Tickets</title></head><body><h1>Tickets</h1><img src="https://cdn.example.com/logo.svg"></body></html>\n';

const ticketsPlugin: LocalCloudPlugin = {
  name: 'tickets',
  subject: { name: 'ticket', pattern: /\btkt_\d{4}\b/ },
  page: {
    title: 'Ticket desk',
    script: join(pageDir, 'tickets.js'),
    style: join(pageDir, 'tickets.css'),
    documents: [
      {
        path: '/tickets.json',
        file: join(pageDir, 'tickets.json'),
        type: 'application/json',
        title: 'Ticket API',
      },
      {
        path: '/ticket-reference',
        file: join(pageDir, 'ticket-reference.html'),
        type: 'text/html; charset=utf-8',
        title: 'Ticket reference',
      },
    ],
    start: ({ pages, apiUrl }) => ({
      snapshot: async () => ({ open: 3 }),
      endpoints: [
        {
          method: 'POST',
          path: '/_local/tickets/announce',
          answer: async ({ body }) => {
            pages.send({ announced: body });
            return { status: 202, body: { sent: true } };
          },
        },
        {
          method: 'GET',
          path: /^\/_local\/tickets\/(\w+)$/,
          answer: async ({ params }) => ({ status: 200, body: { params, apiUrl } }),
        },
        // Outside /_local/: an API route, which a plugin never answers.
        { method: 'GET', path: '/me', answer: async () => ({ status: 200, body: 'the plugin' }) },
      ],
    }),
  },
};

beforeAll(async () => {
  writeFileSync(join(pageDir, 'tickets.js'), 'export default function mount() {}\n');
  writeFileSync(join(pageDir, 'tickets.css'), '.tickets { color: black; }\n');
  writeFileSync(join(pageDir, 'tickets.json'), '{"openapi":"3.1.0"}\n');
  writeFileSync(join(pageDir, 'ticket-reference.html'), referenceHtml);
  synthesizeIdentityStack(assemblyDir, ({ api, echo }) => {
    api.addRoutes({
      path: '/tickets/{ticketId}',
      methods: [apigateway.HttpMethod.GET],
      integration: new HttpLambdaIntegration('Ticket', echo),
      authorizer: new apigateway.HttpNoneAuthorizer(),
    });
  });
  cloud = await startLocalCloud({ assemblyDir, port: 0, log: () => undefined, plugins: [ticketsPlugin] });
});

afterAll(async () => {
  await cloud?.stop();
  folders.removeAll();
});

const json = async (path: string, init?: RequestInit) => {
  const response = await fetch(`${cloud.url}${path}`, init);
  return { status: response.status, body: (await response.json()) as unknown };
};

describe("a plugin's part of the flow page", () => {
  it("links the plugin's stylesheet from the page and serves its module and stylesheet at its own paths", async () => {
    const page = await (await fetch(`${cloud.url}/`)).text();
    expect(page).toContain('<link rel="stylesheet" href="/_local/plugins/tickets/page.css" />');
    expect(page).toContain('<title>Ticket desk · local flow</title>');
    const script = await fetch(`${cloud.url}/_local/plugins/tickets/page.js`);
    expect(script.headers.get('content-type')).toContain('text/javascript');
    expect(await script.text()).toContain('export default function mount');
    expect(await (await fetch(`${cloud.url}/_local/plugins/tickets/page.css`)).text()).toContain('.tickets');
  });

  it('serves its documents at their own paths and links them from the header', async () => {
    const page = await (await fetch(`${cloud.url}/`)).text();
    expect(page).toContain(
      '<nav class="documents"><a class="document-link" href="/tickets.json">Ticket API</a> ' +
        '<a class="document-link" href="/ticket-reference">Ticket reference</a></nav>',
    );
    const document = await fetch(`${cloud.url}/tickets.json`);
    expect(document.headers.get('content-type')).toBe('application/json');
    expect(await document.json()).toEqual({ openapi: '3.1.0' });
  });

  it('serves an HTML document as it is, with a policy that lets it load nothing from another origin', async () => {
    const reference = await fetch(`${cloud.url}/ticket-reference`);
    expect(reference.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await reference.text()).toBe(referenceHtml);
    const policy = reference.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("img-src 'self' data:");
    expect(policy).not.toMatch(/https?:|\*/);
  });

  it('refuses to start with a document on a path of the API', async () => {
    const onRoute: LocalCloudPlugin = {
      name: 'shadow',
      page: {
        documents: [
          {
            path: '/tickets/tkt_0001',
            file: join(pageDir, 'tickets.json'),
            type: 'application/json',
            title: 'x',
          },
        ],
      },
    };
    await expect(
      startLocalCloud({ assemblyDir, port: 0, log: () => undefined, plugins: [onRoute] }),
    ).rejects.toThrow(
      "The shadow plugin's document /tickets/tkt_0001 takes the path of the API route GET /tickets/{ticketId}",
    );
  });

  it('puts its title, its subject and what its server side adds in the snapshot', async () => {
    const { body } = await json('/_local/snapshot');
    expect(body).toMatchObject({
      title: 'Ticket desk',
      subjects: ['ticket'],
      plugins: [{ name: 'tickets', script: '/_local/plugins/tickets/page.js', data: { open: 3 } }],
    } satisfies Partial<FlowSnapshot>);
  });

  it('answers its JSON endpoints under /_local/, and a malformed body with a 400 before the plugin sees it', async () => {
    expect(await json('/_local/tickets/tkt_0042')).toEqual({
      status: 200,
      body: { params: ['tkt_0042'], apiUrl: cloud.url },
    });
    const malformed = await json('/_local/tickets/announce', { method: 'POST', body: '{"a":' });
    expect(malformed.status).toBe(400);
  });

  it('never answers a path of the API, even one its plugin names', async () => {
    // GET /me is the API's, behind its JWT authorizer.
    expect((await fetch(`${cloud.url}/me`)).status).toBe(401);
  });

  it("streams what the plugin sends, and follows the plugin's subject through a request that names it", async () => {
    const stream = openStream();
    try {
      await stream.opened;
      expect((await json('/_local/tickets/announce', { method: 'POST', body: '{"a":1}' })).status).toBe(202);
      await stream.until('"kind":"plugin","plugin":"tickets","data":{"announced":{"a":1}}');
      expect((await fetch(`${cloud.url}/tickets/tkt_0007`)).status).toBe(200);
      await stream.until('"kind":"touched","subjectId":"tkt_0007"');
      await stream.until('"subjectId":"tkt_0007","time"');
    } finally {
      stream.close();
    }
    const { body } = await json('/_local/subjects/tkt_0007');
    expect(body).toMatchObject({ subjectId: 'tkt_0007', subject: 'ticket', logs: expect.any(Array) });
    expect((body as SubjectDetails).execution).toBeUndefined();
  });

  it('shows a notice in the snapshot and on the open pages until it is cleared', async () => {
    const stream = openStream();
    try {
      await stream.opened;
      cloud.notices.show({ id: 'build:tickets', title: 'tickets did not build', text: 'x.ts:1:1: ERROR' });
      await stream.until(
        '"kind":"notices","notices":[{"id":"build:tickets","title":"tickets did not build","text":"x.ts:1:1: ERROR"}]',
      );
      expect((await json('/_local/snapshot')).body).toMatchObject({
        notices: [{ id: 'build:tickets', title: 'tickets did not build' }],
      });
      cloud.notices.clear('build:tickets');
      await stream.until('"kind":"notices","notices":[]');
    } finally {
      stream.close();
    }
    expect((await json('/_local/snapshot')).body).toMatchObject({ notices: [] });
  });
});

/** The page's event stream, read as text until it holds what is awaited (or fails after 10 s). */
function openStream() {
  const abort = new AbortController();
  let text = '';
  let wake: () => void = () => undefined;
  const opened = fetch(`${cloud.url}/_local/events`, { signal: abort.signal }).then((response) => {
    const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
    const pump = async (): Promise<void> => {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) return;
      text += chunk.value;
      wake();
      return pump();
    };
    pump().catch(() => undefined);
  });
  return {
    opened,
    async until(wanted: string) {
      const deadline = Date.now() + 10_000;
      while (!text.includes(wanted)) {
        if (Date.now() > deadline)
          throw new Error(`The stream never said ${wanted}; it said:\n${text.slice(-2_000)}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 100);
        });
      }
    },
    close: () => abort.abort(),
  };
}
