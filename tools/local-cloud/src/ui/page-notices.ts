import type { PageNotice } from './page-types.ts';

/**
 * What the flow page shows above everything until it is cleared, said by whoever runs the cloud
 * (`npm start`'s watcher: a function whose new code did not build). One notice per id: showing an
 * id again replaces its notice. Every change reaches the open pages as the whole list.
 */
export interface PageNotices {
  show(notice: PageNotice): void;
  clear(id: string): void;
  list(): PageNotice[];
}

export function createPageNotices(changed: (notices: PageNotice[]) => void): PageNotices {
  const notices = new Map<string, PageNotice>();
  const list = () => [...notices.values()];
  return {
    show(notice) {
      notices.set(notice.id, notice);
      changed(list());
    },
    clear(id) {
      if (notices.delete(id)) changed(list());
    },
    list,
  };
}
