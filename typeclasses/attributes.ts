import type { ObjectStore } from '../server/store/index.ts';

/**
 * Persistent `db`-style attributes of one object (Evennia's `obj.db`): key → JSON value.
 * Values are parsed once and cached; every `set` writes through to the store, inside whatever
 * unit of work the running command opened. Mutating a returned array or object does not persist
 * it: call `set` again with the new value.
 */
export class Attributes {
  private readonly parsed = new Map<string, unknown>();

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
    this.parsed.set(key, value ?? null);
    this.raw.delete(key);
  }

  delete(key: string): boolean {
    if (!this.has(key)) return false;
    this.store.deleteAttribute(this.objectId, key);
    this.parsed.delete(key);
    this.raw.delete(key);
    return true;
  }

  keys(): string[] {
    return [...new Set([...this.parsed.keys(), ...this.raw.keys()])].sort();
  }
}
