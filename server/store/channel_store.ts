/**
 * Channels and their last lines (migration 6). Writes go into the turn's transaction, so a line
 * is on disk in the same COMMIT as its audit event, before anyone is told.
 */
import type Database from 'better-sqlite3';
import type { ObjectStore } from './object_store.ts';

export interface ChannelRecord {
  id: number;
  key: string;
  aliases: string[];
  description: string;
  listenLock: string;
  sendLock: string;
  keepLines: number;
}

export interface ChannelLine {
  ts: string;
  speaker: string;
  speakerId: number | null;
  text: string;
}

interface ChannelRow {
  id: number;
  key: string;
  aliases: string;
  description: string;
  listen_lock: string;
  send_lock: string;
  keep_lines: number;
}

const toChannel = (row: ChannelRow): ChannelRecord => ({
  id: row.id,
  key: row.key,
  aliases: JSON.parse(row.aliases) as string[],
  description: row.description,
  listenLock: row.listen_lock,
  sendLock: row.send_lock,
  keepLines: row.keep_lines,
});

export class ChannelStore {
  private readonly stmt;

  constructor(private readonly store: ObjectStore) {
    const db: Database.Database = store.db;
    this.stmt = {
      all: db.prepare<[], ChannelRow>('SELECT * FROM channels ORDER BY id'),
      insert: db.prepare<[string, string, string, string, string]>(
        'INSERT INTO channels (key, key_lower, aliases, description, created_at) VALUES (?, ?, ?, ?, ?)',
      ),
      byId: db.prepare<[number], ChannelRow>('SELECT * FROM channels WHERE id = ?'),
      delete: db.prepare<[number]>('DELETE FROM channels WHERE id = ?'),
      update: db.prepare('UPDATE channels SET listen_lock = @listenLock, send_lock = @sendLock, keep_lines = @keepLines, description = @description WHERE id = @id'),
      lastSeq: db.prepare<[number], { seq: number | null }>('SELECT MAX(seq) AS seq FROM channel_lines WHERE channel_id = ?'),
      append: db.prepare<[number, number, string, string, number | null, string]>(
        'INSERT INTO channel_lines (channel_id, seq, ts, speaker, speaker_id, text) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      trim: db.prepare<[number, number]>('DELETE FROM channel_lines WHERE channel_id = ? AND seq <= ?'),
      last: db.prepare<[number, number], { ts: string; speaker: string; speaker_id: number | null; text: string }>(
        'SELECT ts, speaker, speaker_id, text FROM (SELECT * FROM channel_lines WHERE channel_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq',
      ),
    };
  }

  all(): ChannelRecord[] {
    return this.stmt.all.all().map(toChannel);
  }

  create(key: string, aliases: string[], description: string): ChannelRecord {
    return this.store.inTurn(() => {
      const id = Number(this.stmt.insert.run(key, key.toLowerCase(), JSON.stringify(aliases), description, new Date().toISOString()).lastInsertRowid);
      return toChannel(this.stmt.byId.get(id)!);
    });
  }

  destroy(id: number): void {
    this.store.inTurn(() => this.stmt.delete.run(id));
  }

  update(channel: ChannelRecord): void {
    this.store.inTurn(() => this.stmt.update.run(channel));
  }

  /** Appends a line and drops those older than the channel's last `keepLines`. */
  append(channel: ChannelRecord, line: ChannelLine): void {
    this.store.inTurn(() => {
      const seq = (this.stmt.lastSeq.get(channel.id)?.seq ?? 0) + 1;
      this.stmt.append.run(channel.id, seq, line.ts, line.speaker, line.speakerId, line.text);
      this.stmt.trim.run(channel.id, seq - channel.keepLines);
    });
  }

  /** The last `n` lines, oldest first. */
  last(channelId: number, n: number): ChannelLine[] {
    return this.stmt.last.all(channelId, n).map((r) => ({ ts: r.ts, speaker: r.speaker, speakerId: r.speaker_id, text: r.text }));
  }
}
