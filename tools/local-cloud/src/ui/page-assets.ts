import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { LocalCloudPlugin } from '../plugin.ts';
import { send } from './page-responses.ts';

/**
 * The files of the flow page: the engine's (built by `nx build @shop/local-cloud` into dist/web)
 * and each plugin's script and stylesheet, under `/_local/plugins/<name>/`. The page is sent with
 * its title and the plugins' stylesheets written in, so their panels are styled as they appear.
 */
export interface PageAssets {
  /** True when `path` is one of the page's files (then it is answered). */
  serve(path: string, response: ServerResponse): boolean;
  /** Where a plugin's script is served, when it has one. */
  scriptUrl(plugin: LocalCloudPlugin): string | undefined;
}

const DEFAULT_WEB_DIR = join(import.meta.dirname, '../../dist/web');
const HTML = 'text/html; charset=utf-8';
const SCRIPT = 'text/javascript; charset=utf-8';
const STYLE = 'text/css; charset=utf-8';
/**
 * A plugin's document is the plugin's own file (a rendered API reference, say): it may load from
 * the local cloud's origin and inline data, never from elsewhere, so it works, and is seen to work,
 * offline. Inline scripts and styles stay allowed: single-file renderers inline their bundle.
 */
const DOCUMENT_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "worker-src 'self' blob:",
].join('; ');

interface PageFile {
  file: string;
  type: string;
  /** What to do when the file is missing. */
  missing: string;
  /** The flow page itself: the title, the plugins' stylesheets and the document links written in. */
  isPage?: boolean;
  headers?: Record<string, string>;
}

export function createPageAssets(
  plugins: readonly LocalCloudPlugin[],
  title: string,
  webDir = DEFAULT_WEB_DIR,
): PageAssets {
  const pluginUrl = (plugin: LocalCloudPlugin, file: string) => `/_local/plugins/${plugin.name}/${file}`;
  const files = new Map<string, PageFile>();
  const engineFile = (file: string, type: string): PageFile => ({
    file: join(webDir, file),
    type,
    missing: 'run npx nx build @shop/local-cloud',
  });
  files.set('/', { ...engineFile('index.html', HTML), isPage: true });
  files.set('/_local/app.js', engineFile('app.js', SCRIPT));
  files.set('/_local/app.css', engineFile('app.css', STYLE));
  const styles: string[] = [];
  for (const plugin of plugins) {
    const missing = `build the ${plugin.name} plugin's page`;
    if (plugin.page?.script)
      files.set(pluginUrl(plugin, 'page.js'), { file: plugin.page.script, type: SCRIPT, missing });
    if (plugin.page?.style) {
      files.set(pluginUrl(plugin, 'page.css'), { file: plugin.page.style, type: STYLE, missing });
      styles.push(pluginUrl(plugin, 'page.css'));
    }
  }
  const documentLinks: string[] = [];
  for (const plugin of plugins) {
    for (const document of plugin.page?.documents ?? []) {
      if (
        files.has(document.path) ||
        document.path.startsWith('/_local/') ||
        !document.path.startsWith('/')
      ) {
        throw new Error(
          `The ${plugin.name} plugin's document ${document.path} needs a root path of its own, outside /_local/`,
        );
      }
      files.set(document.path, {
        file: document.file,
        type: document.type,
        missing: `build the ${plugin.name} plugin`,
        headers: { 'content-security-policy': DOCUMENT_POLICY },
      });
      documentLinks.push(
        `<a class="document-link" href="${escapeHtml(document.path)}">${escapeHtml(document.title)}</a>`,
      );
    }
  }
  const links = styles.map((href) => `<link rel="stylesheet" href="${href}" />`).join('\n    ');
  const documents =
    documentLinks.length > 0 ? ` <nav class="documents">${documentLinks.join(' ')}</nav>` : '';
  // The title is written in before the page is sent, so it never shows the engine's first.
  const page = (html: string) =>
    html
      .replace('<title>Local cloud · local flow</title>', `<title>${escapeHtml(title)} · local flow</title>`)
      .replace('<span id="title">Local cloud</span>', `<span id="title">${escapeHtml(title)}</span>`)
      .replace('</h1>', `</h1>${documents}`)
      .replace('</head>', links ? `  ${links}\n  </head>` : '</head>');

  return {
    serve(path, response) {
      const asset = files.get(path);
      if (!asset) return false;
      readFile(asset.file).then(
        (body) => {
          send(response, 200, asset.type, asset.isPage ? page(body.toString()) : body, asset.headers);
        },
        () =>
          send(
            response,
            503,
            'text/plain; charset=utf-8',
            `The flow page is not built (${asset.file} is missing): ${asset.missing}\n`,
          ),
      );
      return true;
    },
    scriptUrl: (plugin) => (plugin.page?.script ? pluginUrl(plugin, 'page.js') : undefined),
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (character) => `&#${character.charCodeAt(0)};`);
}
