import type { PageNotice } from '../src/ui/page-types.ts';
import { create, element } from './dom.ts';

/** The notices at the top of the page, as the local cloud lists them now; none hides the area. */
export function showNotices(notices: readonly PageNotice[]): void {
  const area = element('notices');
  area.replaceChildren(
    ...notices.map((notice) =>
      create('div', { className: 'notice', attrs: { 'data-notice-id': notice.id } }, [
        create('strong', { text: notice.title }),
        ...(notice.text ? [create('pre', { text: notice.text })] : []),
      ]),
    ),
  );
  area.hidden = notices.length === 0;
}
