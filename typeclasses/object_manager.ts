import type { ObjectRecord, ObjectStore } from '../server/store/index.ts';
import { Attributes } from './attributes.ts';
import type { DefaultObject } from './object.ts';
import type { TypeclassConstructor, TypeclassRegistry } from './registry.ts';
import type { World } from './world.ts';

/** The server_state key naming the room new characters start in (set by world/builder.ts). */
export const START_ROOM = 'world.start_room';

export interface CreateObjectOptions {
  typeclass: string;
  key: string;
  aliases?: string[];
  location?: DefaultObject | null;
  destination?: DefaultObject | null;
  home?: DefaultObject | null;
  accountId?: number | null;
  /** Attributes set before `atObjectCreation` runs (a room's desc, say). */
  attributes?: Record<string, unknown>;
}

type Instantiable = new (world: World, record: ObjectRecord, attributes: Attributes) => DefaultObject;

/**
 * The live world: every object is loaded once at start-up and kept in memory (Evennia's idmapper
 * does the same), so reads never touch SQL; every change writes through to the store.
 */
export class ObjectManager {
  private readonly byId = new Map<number, DefaultObject>();
  /** What every object is handed: this manager, the accounts and the audit bus. */
  private readonly world: World;

  constructor(
    private readonly store: ObjectStore,
    private readonly registry: TypeclassRegistry,
    ports: Omit<World, 'objects'>,
  ) {
    this.world = { objects: this, accounts: ports.accounts, audit: ports.audit };
  }

  /** Loads the persisted world. An object whose typeclass is gone loads as its nearest base. */
  load(onUnknownTypeclass: (record: ObjectRecord, fallback: string) => void): void {
    const attributes = this.store.loadAttributes();
    for (const record of this.store.loadObjects()) {
      let cls: TypeclassConstructor;
      if (this.registry.has(record.typeclass)) cls = this.registry.resolve(record.typeclass);
      else {
        const fallback = record.destinationId !== null ? 'typeclasses/exit.Exit' : 'typeclasses/object.DefaultObject';
        onUnknownTypeclass(record, fallback);
        cls = this.registry.resolve(fallback);
      }
      this.instantiate(cls, record, new Attributes(this.store, record.id, attributes.get(record.id)));
    }
    for (const obj of this.byId.values()) this.location(obj)?.contents.push(obj);
  }

  get(id: number | null | undefined): DefaultObject | null {
    return id == null ? null : (this.byId.get(id) ?? null);
  }

  get count(): number {
    return this.byId.size;
  }

  all(): IterableIterator<DefaultObject> {
    return this.byId.values();
  }

  /** Where new characters start, and where `home` leads an object without a home. */
  startRoom(): DefaultObject {
    const room = this.get(Number(this.store.getState(START_ROOM)));
    if (!room) throw new Error('The start room is gone; set server_state world.start_room to an existing room id');
    return room;
  }

  /** Objects matching `name` by key, alias or dbref ("#12"), among `candidates` or everywhere. */
  search(name: string, candidates?: Iterable<DefaultObject>): DefaultObject[] {
    const found: DefaultObject[] = [];
    for (const obj of candidates ?? this.byId.values()) if (obj.answersTo(name)) found.push(obj);
    return found;
  }

  /** Objects whose key contains `fragment`, case-insensitively (for @find). */
  searchKeys(fragment: string): DefaultObject[] {
    const wanted = fragment.toLowerCase();
    return [...this.byId.values()].filter((obj) => obj.key.toLowerCase().includes(wanted));
  }

  /** Creates, persists and places a new object, then runs its `atObjectCreation` hook. */
  create(options: CreateObjectOptions): DefaultObject {
    const cls = this.registry.resolve(options.typeclass);
    return this.store.unitOfWork(() => {
      const record = this.store.insertObject({
        key: options.key,
        aliases: options.aliases ?? [],
        typeclass: options.typeclass,
        locationId: options.location?.id ?? null,
        destinationId: options.destination?.id ?? null,
        homeId: options.home?.id ?? null,
        accountId: options.accountId ?? null,
      });
      const obj = this.instantiate(cls, record, new Attributes(this.store, record.id));
      this.store.onRollback(() => this.byId.delete(obj.id));
      for (const [key, value] of Object.entries(options.attributes ?? {})) obj.attributes.set(key, value);
      this.place(obj, null, options.location ?? null);
      this.store.onRollback(() => this.place(obj, options.location ?? null, null));
      obj.atObjectCreation();
      // GMCP Char.Items: who watches the place it was made in (a room, a builder's hands) sees it.
      options.location?.itemChanged('Add', obj);
      return obj;
    });
  }

  /** Changes where `obj` is, keeping both rooms' contents in step and the row on disk. */
  setLocation(obj: DefaultObject, destination: DefaultObject | null): void {
    const source = this.location(obj);
    this.place(obj, source, destination);
    this.save(obj);
    this.store.onRollback(() => this.place(obj, destination, source));
  }

  /** Moves `obj` between two contents lists, in memory only. */
  private place(obj: DefaultObject, from: DefaultObject | null, to: DefaultObject | null): void {
    if (from) {
      const at = from.contents.indexOf(obj);
      if (at >= 0) from.contents.splice(at, 1);
    }
    obj.record.locationId = to?.id ?? null;
    to?.contents.push(obj);
  }

  /** Persists a change to an object's own fields (key, aliases, destination, home…). */
  save(obj: DefaultObject): void {
    this.store.updateObject(obj.record);
  }

  /**
   * Removes `obj`; exits leading to it are removed with it. Objects whose home it was are
   * re-homed to the start room, and what it contained goes to its location, else to the
   * thing's home, else to the start room. Never to `obj` itself: a thing made in a room has
   * that room as its home, and was left pointing at the deleted row, which failed the foreign
   * key at its next save. (The start room itself is never destroyed: @destroy refuses it.)
   * Returns how many objects were re-homed.
   */
  destroy(obj: DefaultObject): number {
    return this.store.unitOfWork(() => {
      let rehomed = 0;
      const start = this.startRoom();
      for (const other of this.byId.values()) {
        if (other === obj || other.record.homeId !== obj.id) continue;
        other.record.homeId = start.id;
        this.save(other);
        rehomed++;
        this.store.onRollback(() => (other.record.homeId = obj.id));
      }
      for (const inner of [...obj.contents]) {
        if (inner.isExit) this.destroy(inner);
        else this.setLocation(inner, obj.location ?? inner.home ?? start);
      }
      for (const other of [...this.byId.values()]) {
        if (other.record.destinationId === obj.id) this.destroy(other);
      }
      obj.location?.itemChanged('Remove', obj);
      this.setLocation(obj, null);
      this.store.deleteObject(obj.id);
      this.byId.delete(obj.id);
      this.store.onRollback(() => this.byId.set(obj.id, obj));
      return rehomed;
    });
  }

  /**
   * Re-binds `obj` to another typeclass in place (Evennia's swap_typeclass): same instance, id,
   * location and attributes, so every reference to it stays valid. With `runStartHooks` the new
   * class's `atObjectCreation` runs as for a new object; without it (`/noinit`) the object is
   * migrated as is and reads missing attributes as their defaults.
   */
  swapTypeclass(obj: DefaultObject, path: string, options: { runStartHooks: boolean }): void {
    const cls = this.registry.resolve(path);
    this.store.unitOfWork(() => {
      const [oldPrototype, oldPath] = [Object.getPrototypeOf(obj) as object, obj.record.typeclass];
      this.store.onRollback(() => {
        Object.setPrototypeOf(obj, oldPrototype);
        obj.record.typeclass = oldPath;
      });
      Object.setPrototypeOf(obj, cls.prototype);
      obj.record.typeclass = path;
      this.save(obj);
      if (options.runStartHooks) obj.atObjectCreation();
    });
  }

  private location(obj: DefaultObject): DefaultObject | null {
    return this.get(obj.record.locationId);
  }

  private instantiate(cls: TypeclassConstructor, record: ObjectRecord, attributes: Attributes): DefaultObject {
    const obj = new (cls as unknown as Instantiable)(this.world, record, attributes);
    this.byId.set(record.id, obj);
    return obj;
  }
}
