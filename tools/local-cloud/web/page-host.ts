import type { PluginOnPage } from '../src/ui/page-types.ts';
import { create, element } from './dom.ts';
import type { FlowPageHost, PagePluginMount } from './page-kit.ts';
import { onSelect, selectedSubject, selectSubject } from './subject-panel.ts';

/**
 * The plugins' part of the page: each module is imported once, and its default export mounted
 * with a host of its own; snapshots and messages are then handed to the plugin they are for.
 */
interface Mounted {
  snapshot: ((data: unknown) => void)[];
  message: ((data: unknown) => void)[];
}

const mounted = new Map<string, Mounted>();
/** Messages that came before their plugin's first snapshot: handed over after it, in order. */
const early = new Map<string, unknown[]>();
const snapshotSeen = new Set<string>();

export async function mountPlugins(plugins: PluginOnPage[]): Promise<void> {
  for (const plugin of plugins) {
    if (mounted.has(plugin.name) || !plugin.script) continue;
    const listeners: Mounted = { snapshot: [], message: [] };
    mounted.set(plugin.name, listeners);
    const module = (await import(plugin.script)) as { default?: PagePluginMount };
    if (typeof module.default !== 'function')
      throw new Error(`The page module of ${plugin.name} has no default export to mount it with`);
    module.default(hostFor(plugin.name, listeners));
  }
}

export function deliverSnapshot(plugins: PluginOnPage[]): void {
  for (const plugin of plugins) {
    for (const listener of mounted.get(plugin.name)?.snapshot ?? []) listener(plugin.data);
    snapshotSeen.add(plugin.name);
    for (const data of early.get(plugin.name)?.splice(0) ?? []) deliverMessage(plugin.name, data);
  }
}

export function deliverMessage(plugin: string, data: unknown): void {
  if (!snapshotSeen.has(plugin)) {
    early.set(plugin, [...(early.get(plugin) ?? []), data]);
    return;
  }
  for (const listener of mounted.get(plugin)?.message ?? []) listener(data);
}

function hostFor(plugin: string, listeners: Mounted): FlowPageHost {
  return {
    plugin,
    onSnapshot: (listener) => listeners.snapshot.push(listener),
    onMessage: (listener) => listeners.message.push(listener),
    addPanel({ id, title }) {
      const panel = create(
        'section',
        { className: `panel ${id}`, attrs: { 'aria-labelledby': `${id}-title` } },
        [create('h2', { text: title, attrs: { id: `${id}-title`, tabindex: '-1' } })],
      );
      element('side').append(panel);
      return panel;
    },
    addHeaderNote(id) {
      const note = create('p', { className: 'header-note', attrs: { id, 'aria-live': 'polite' } });
      element('connection').before(note);
      return note;
    },
    addSkipLink(text, targetId) {
      document.body.prepend(create('a', { className: 'skip-link', text, attrs: { href: `#${targetId}` } }));
    },
    select: selectSubject,
    selected: selectedSubject,
    onSelect,
  };
}
