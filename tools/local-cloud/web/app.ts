import type { FlowSnapshot, PageMessage } from '../src/ui/page-types.ts';
import { diagramShown, drawEdges, light, renderDiagram, showDepths } from './diagram.ts';
import { element } from './dom.ts';
import { showNotices } from './notices.ts';
import { deliverMessage, deliverSnapshot, mountPlugins } from './page-host.ts';
import { scheduleDetails, selectedSubject, showSubjectPanel } from './subject-panel.ts';
import { addTicker } from './ticker.ts';

/**
 * The flow page: draws the diagram the local cloud derives from its templates, mounts the plugins'
 * panels, then follows the server-sent stream. It never polls: the server pushes activity, queue
 * depths and the plugins' messages; the page reads a subject's details only when that subject is
 * selected or something happens to it.
 */
function apply(message: PageMessage): void {
  switch (message.kind) {
    case 'pulse':
      light(message.nodes, message.failed === true);
      addTicker(message.text, message.failed === true, message.time);
      return;
    case 'touched':
      if (message.subjectId === selectedSubject()) scheduleDetails();
      return;
    case 'queues':
      showDepths(message.queues);
      return;
    case 'plugin':
      deliverMessage(message.plugin, message.data);
      return;
    case 'notices':
      showNotices(message.notices);
      return;
  }
}

async function loadSnapshot(): Promise<void> {
  const response = await fetch('/_local/snapshot');
  if (!response.ok) throw new Error(`The snapshot answered ${response.status}`);
  const snapshot = (await response.json()) as FlowSnapshot;
  if (!diagramShown()) {
    renderDiagram(snapshot.diagram);
    showSubjectPanel(snapshot.subjects);
  }
  await mountPlugins(snapshot.plugins);
  showDepths(snapshot.queues);
  showNotices(snapshot.notices);
  deliverSnapshot(snapshot.plugins);
}

function connect(): void {
  const connection = element('connection');
  const events = new EventSource('/_local/events');
  // The snapshot is read once the stream is open, so nothing that happens in between is missed;
  // the page says it is live once the snapshot is shown.
  events.addEventListener('open', () => {
    loadSnapshot().then(
      () => {
        connection.textContent = 'Live';
        connection.className = 'connection live';
      },
      (error: unknown) => {
        connection.textContent = `Could not load the state: ${(error as Error).message}`;
      },
    );
  });
  events.addEventListener('error', () => {
    connection.textContent = 'Reconnecting to the local cloud…';
    connection.className = 'connection down';
  });
  events.addEventListener('message', (message) => apply(JSON.parse(message.data) as PageMessage));
}

window.addEventListener('resize', () => drawEdges());
connect();
