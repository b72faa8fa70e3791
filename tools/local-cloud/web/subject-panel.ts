import type { SubjectDetails } from '../src/ui/page-types.ts';
import { create, element } from './dom.ts';

/**
 * The details panel: the selected subject's log lines and its workflow execution's history, read
 * when it is selected and again when something happens to it. Shown when a plugin has a subject.
 */
let selected: string | undefined;
let subjectName = 'subject';
let detailsTimer: number | undefined;
const selectListeners: ((subjectId: string) => void)[] = [];

const capitalized = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

/** Shows the panel, worded for the first subject the plugins follow. */
export function showSubjectPanel(subjects: string[]): void {
  const [first] = subjects;
  element('details').hidden = first === undefined;
  if (first === undefined || selected) return;
  subjectName = first;
  const article = /^[aeiou]/i.test(first) ? 'an' : 'a';
  element('details-title').textContent = `${capitalized(first)} details`;
  element('details-empty').textContent =
    `Select ${article} ${first} to see its log lines and workflow history.`;
}

export function selectedSubject(): string | undefined {
  return selected;
}

export function onSelect(listener: (subjectId: string) => void): void {
  selectListeners.push(listener);
}

export function selectSubject(subjectId: string): void {
  selected = subjectId;
  for (const listener of selectListeners) listener(subjectId);
  element('details-title').textContent = `${capitalized(subjectName)} ${subjectId}`;
  loadDetails();
}

/** Activity comes in bursts: one read per burst is enough. */
export function scheduleDetails(): void {
  if (detailsTimer !== undefined) return;
  detailsTimer = window.setTimeout(() => {
    detailsTimer = undefined;
    loadDetails();
  }, 300);
}

async function loadDetails(): Promise<void> {
  if (!selected) return;
  const subjectId = selected;
  const response = await fetch(`/_local/subjects/${encodeURIComponent(subjectId)}`);
  if (!response.ok || subjectId !== selected) return;
  const details = (await response.json()) as SubjectDetails;
  element('details-empty').hidden = true;
  element('details-body').hidden = false;
  element('log-lines').replaceChildren(
    ...(details.logs.length === 0
      ? [create('li', { className: 'muted', text: `No log lines kept for this ${subjectName}.` })]
      : details.logs.map((line) =>
          create('li', { className: `level-${line.level.toLowerCase()}` }, [
            create('time', { text: line.time.slice(11, 23), attrs: { datetime: line.time } }),
            create('span', { className: 'level', text: line.level }),
            create('span', { className: 'source', text: line.source }),
            create('span', { text: line.message }),
          ]),
        )),
  );
  element('history-title').textContent = details.execution
    ? `Workflow history: ${details.execution.stateMachine} (${details.execution.status})`
    : 'Workflow history';
  element('history').replaceChildren(
    ...(details.execution
      ? details.execution.history.map((event) =>
          create('li', { className: event.error ? 'failed' : '' }, [
            create('span', { className: 'event-type', text: event.type }),
            ` ${event.name ?? ''}${event.error ? ` ${event.error}` : ''}`,
          ]),
        )
      : [create('li', { className: 'muted', text: `No workflow execution for this ${subjectName} yet.` })]),
  );
}
