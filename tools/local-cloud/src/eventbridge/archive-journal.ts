import { JsonLinesJournal } from '../kit/json-lines-journal.ts';
import type { ArchivedEvent, KeptArchives } from './event-archive.ts';
import type { ReplayRecord } from './replays.ts';

/** Keeps archived events and replays as they happen, so that a restart finds them (`--persist`). */
export interface ArchiveJournal {
  /** Called before PutEvents answers, as for the delivery journal. */
  archived(events: ArchivedEvent[]): void;
  /** Every change of a replay's state: the last one written is the one a restart reads. */
  replay(record: ReplayRecord): void;
}

type Line =
  | { kind: 'created'; archive: string; createdAt: number }
  | ({ kind: 'archived' } & ArchivedEvent)
  | { kind: 'replay'; replay: ReplayRecord };

/**
 * The archives and replays of the local EventBridge in a JSON-lines file under `--persist`: on AWS an
 * archive outlives any client, and a replay's name stays taken. On open, the file is read back and
 * rewritten with what the caller still keeps (events past their retention are gone).
 */
export class ArchiveFile implements ArchiveJournal {
  private readonly file: JsonLinesJournal<Line>;

  static open(dir: string): { journal: ArchiveFile; kept: KeptArchives; replays: ReplayRecord[] } {
    const file = new JsonLinesJournal<Line>(dir, 'archives.jsonl');
    const kept: KeptArchives = { createdAt: {}, events: [] };
    const replays = new Map<string, ReplayRecord>();
    for (const line of file.read()) {
      if (line.kind === 'created') kept.createdAt[line.archive] = line.createdAt;
      else if (line.kind === 'archived') {
        kept.events.push({ archive: line.archive, receivedAt: line.receivedAt, event: line.event });
      } else replays.set(line.replay.name, line.replay);
    }
    return { journal: new ArchiveFile(file), kept, replays: [...replays.values()] };
  }

  private constructor(file: JsonLinesJournal<Line>) {
    this.file = file;
  }

  /** Replaces the file with what the restarted service keeps. */
  rewrite(kept: KeptArchives, replays: readonly ReplayRecord[]): void {
    this.file.rewrite([
      ...Object.entries(kept.createdAt).map(
        ([archive, createdAt]): Line => ({ kind: 'created', archive, createdAt }),
      ),
      ...kept.events.map((archived): Line => ({ kind: 'archived', ...archived })),
      ...replays.map((replay): Line => ({ kind: 'replay', replay })),
    ]);
  }

  archived(events: ArchivedEvent[]): void {
    if (events.length > 0) this.file.append(events.map((archived) => ({ kind: 'archived', ...archived })));
  }

  replay(record: ReplayRecord): void {
    this.file.append([{ kind: 'replay', replay: record }]);
  }
}
