import type { ObjectStore } from '../server/store/index.ts';

/**
 * Persistent `db`-style attributes of one object (Evennia's `obj.db`): key → JSON value.
 * Values are parsed once and cached; every `set` writes through to the store, inside whatever
 * unit of work the running command opened. Mutating a returned array or object does not persist
 * it: call `set` again with the new value.
 */
export class Attributes {
  private readonly parsed = new Map<string, unknown>();
  /** List attributes read so far, and the sequence number of each one's newest item. */
  private readonly lists = new Map<string, { items: unknown[]; lastSeq: number }>();

  constructor(
    private readonly store: ObjectStore,
    private readonly objectId: number,
    private readonly raw: Map<string, string> = new Map(),
  ) {}

  has(key: string): boolean {
    return this.parsed.has(key) || this.raw.has(key);
  }

  /** The stored value, or `fallback` when the attribute was never set (a migrated object). */
  get<T>(key: string, fallback: T): T {
    if (this.parsed.has(key)) return this.parsed.get(key) as T;
    const json = this.raw.get(key);
    if (json === undefined) return fallback;
    const value = JSON.parse(json) as T;
    this.parsed.set(key, value);
    this.raw.delete(key);
    return value;
  }

  set(key: string, value: unknown): void {
    const json = JSON.stringify(value ?? null);
    this.store.setAttribute(this.objectId, key, json);
    this.rememberForRollback(key);
    this.parsed.set(key, value ?? null);
    this.raw.delete(key);
  }

  delete(key: string): boolean {
    if (!this.has(key)) return false;
    this.store.deleteAttribute(this.objectId, key);
    this.rememberForRollback(key);
    this.parsed.delete(key);
    this.raw.delete(key);
    return true;
  }

  /** If the running command fails, its SQL is undone: put the cached value back to match. */
  private rememberForRollback(key: string): void {
    const [hadParsed, parsed, raw] = [this.parsed.has(key), this.parsed.get(key), this.raw.get(key)];
    this.store.onRollback(() => {
      if (hadParsed) this.parsed.set(key, parsed);
      else this.parsed.delete(key);
      if (raw !== undefined) this.raw.set(key, raw);
      else this.raw.delete(key);
    });
  }

  keys(): string[] {
    return [...new Set([...this.parsed.keys(), ...this.raw.keys()])].sort();
  }

  /**
   * A list attribute (stored one row per item), oldest first; empty when never appended to.
   * Read once from the store, then kept in step by `append`. Do not mutate the result.
   */
  list<T>(key: string): readonly T[] {
    return this.loadList(key).items as T[];
  }

  /**
   * Appends to a list attribute, keeping only the newest `keep` items: one row written, the
   * oldest dropped, however long the list is (a whole-list JSON rewrite grew with it).
   */
  append(key: string, item: unknown, options: { keep: number }): void {
    const list = this.loadList(key);
    const seq = ++list.lastSeq;
    this.store.appendListItem(this.objectId, key, seq, JSON.stringify(item ?? null), seq - options.keep);
    list.items.push(item ?? null);
    const dropped = list.items.length > options.keep ? list.items.splice(0, list.items.length - options.keep) : [];
    this.store.onRollback(() => {
      list.items.pop();
      list.items.unshift(...dropped);
      list.lastSeq = seq - 1;
    });
  }

  /** Names of the list attributes this object has in the store. */
  listKeys(): string[] {
    return this.store.listKeys(this.objectId).sort();
  }

  private loadList(key: string): { items: unknown[]; lastSeq: number } {
    let list = this.lists.get(key);
    if (!list) {
      const rows = this.store.listItems(this.objectId, key);
      list = { items: rows.map((row) => JSON.parse(row.value) as unknown), lastSeq: rows.at(-1)?.seq ?? 0 };
      this.lists.set(key, list);
    }
    return list;
  }
}
