import type { ObjectStore } from '../server/store/index.ts';
import type { DefaultObject } from '../typeclasses/object.ts';
import { START_ROOM, type ObjectManager } from '../typeclasses/object_manager.ts';
import type { WorldData } from './start_world.ts';

const BUILT = 'world.built';

/** What the builder is handed: the objects to create, and the store's state keys and unit of work. */
export interface BuilderPorts {
  readonly objects: ObjectManager;
  readonly store: Pick<ObjectStore, 'getState' | 'setState' | 'unitOfWork'>;
}

/**
 * Builds `world` into the database the first time the server starts on it, in one unit of work.
 * Later starts find the marker and leave the world, and every builder's change, as it is.
 * Returns whether it built anything.
 */
export function buildWorldOnce({ objects, store }: BuilderPorts, world: WorldData): boolean {
  if (store.getState(BUILT)) return false;
  store.unitOfWork(() => {
    const rooms = new Map<string, DefaultObject>();
    for (const room of world.rooms) {
      const obj = objects.create({ typeclass: 'typeclasses/room.Room', key: room.key, attributes: { desc: room.desc } });
      rooms.set(room.ref, obj);
      if (room.start) store.setState(START_ROOM, String(obj.id));
    }
    const at = (ref: string): DefaultObject => {
      const room = rooms.get(ref);
      if (!room) throw new Error(`World data names an unknown room '${ref}'`);
      return room;
    };
    for (const exit of world.exits) {
      objects.create({ typeclass: 'typeclasses/exit.Exit', key: exit.key, aliases: exit.aliases, location: at(exit.from), destination: at(exit.to), home: at(exit.from) });
    }
    for (const thing of world.things) {
      objects.create({
        typeclass: 'typeclasses/object.DefaultObject',
        key: thing.key,
        aliases: thing.aliases,
        location: at(thing.in),
        home: at(thing.in),
        attributes: { desc: thing.desc, ...(thing.portable === false ? { portable: false } : {}) },
      });
    }
    if (!store.getState(START_ROOM)) store.setState(START_ROOM, String(rooms.values().next().value!.id));
    store.setState(BUILT, new Date().toISOString());
  });
  return true;
}
