/**
 * What a plugin's browser module gets from the flow page (`@shop/local-cloud/page`). The module's
 * default export mounts its panels with the host the page passes it, once, before the first
 * snapshot is handed to it:
 *
 *   export default function mount(host: FlowPageHost) {
 *     const panel = host.addPanel({ id: 'tickets', title: 'Tickets' });
 *     host.onSnapshot((data) => ...);   // what the plugin's server side added to the snapshot
 *     host.onMessage((data) => ...);    // what it sent since (PluginPageContext.pages.send)
 *   }
 */
export { create, element } from './dom.ts';

export interface FlowPageHost {
  /** The plugin's name. */
  readonly plugin: string;
  /** At the first load of the page and after each reconnection to the local cloud. */
  onSnapshot(listener: (data: unknown) => void): void;
  onMessage(listener: (data: unknown) => void): void;
  /**
   * A panel beside the diagram: a section headed by an h2 with the id `<id>-title` (focusable, so a
   * skip link can lead to it). Each panel goes below those added before it.
   */
  addPanel(options: { id: string; title: string }): HTMLElement;
  /** A live line in the page's header, e.g. who the page is signed in as. */
  addHeaderNote(id: string): HTMLElement;
  /** A link first in the page's tab order, leading to the element with `targetId`. */
  addSkipLink(text: string, targetId: string): void;
  /** Shows a subject's log lines and workflow execution in the page's details panel. */
  select(subjectId: string): void;
  selected(): string | undefined;
  onSelect(listener: (subjectId: string) => void): void;
}

export type PagePluginMount = (host: FlowPageHost) => void;
