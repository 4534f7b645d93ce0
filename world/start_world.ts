/** The starting world, as data. Built into an empty database once; builders take it from there. */

export interface RoomData {
  ref: string;
  key: string;
  desc: string;
  start?: boolean;
}
export interface ExitData {
  from: string;
  to: string;
  key: string;
  aliases: string[];
}
export interface ThingData {
  in: string;
  key: string;
  aliases: string[];
  desc: string;
  portable?: boolean;
}
export interface WorldData {
  rooms: RoomData[];
  exits: ExitData[];
  things: ThingData[];
}

const twoWay = (a: string, b: string, there: [string, string], back: [string, string]): ExitData[] => [
  { from: a, to: b, key: there[0], aliases: [there[1]] },
  { from: b, to: a, key: back[0], aliases: [back[1]] },
];

export const START_WORLD: WorldData = {
  rooms: [
    {
      ref: 'limbo',
      key: 'Limbo',
      start: true,
      desc: 'A grey, quiet nowhere between places. Every new arrival begins here. A faint path leads north.',
    },
    {
      ref: 'courtyard',
      key: 'Courtyard',
      desc: 'The cobbled courtyard of an old school. Ivy climbs the walls; a fountain murmurs in the middle. The library lies east, the great hall west.',
    },
    {
      ref: 'library',
      key: 'Library',
      desc: 'Tall shelves of leather-bound books, a smell of dust and candle wax. A spiral stair climbs up to a gallery.',
    },
    {
      ref: 'gallery',
      key: 'Library Gallery',
      desc: 'A narrow wooden gallery above the library, lined with rare and locked cases.',
    },
    {
      ref: 'hall',
      key: 'Great Hall',
      desc: 'Long tables under a vaulted ceiling, banners hanging from the beams. A door in the south wall leads to the kitchens.',
    },
    {
      ref: 'kitchen',
      key: 'Kitchens',
      desc: 'Copper pots, a roaring hearth and the smell of fresh bread.',
    },
  ],
  exits: [
    ...twoWay('limbo', 'courtyard', ['north', 'n'], ['south', 's']),
    ...twoWay('courtyard', 'library', ['east', 'e'], ['west', 'w']),
    ...twoWay('courtyard', 'hall', ['west', 'w'], ['east', 'e']),
    ...twoWay('library', 'gallery', ['up', 'u'], ['down', 'd']),
    ...twoWay('hall', 'kitchen', ['south', 's'], ['north', 'n']),
  ],
  things: [
    { in: 'courtyard', key: 'fountain', aliases: ['basin'], desc: 'Clear water spills from a stone fish.', portable: false },
    { in: 'library', key: 'old book', aliases: ['book'], desc: 'A heavy book titled "A History of Auditing".' },
    { in: 'gallery', key: 'brass key', aliases: ['key'], desc: 'A small brass key, warm to the touch.' },
    { in: 'hall', key: 'silver goblet', aliases: ['goblet'], desc: 'A polished goblet engraved with a crest.' },
    { in: 'kitchen', key: 'loaf of bread', aliases: ['bread', 'loaf'], desc: 'Still warm.' },
  ],
};
