/**
 * The fan-out baseline: a bare `net` server that writes what the game writes for the bench's
 * commands, byte for byte, and does nothing else (no telnet, no objects, no database, no logs,
 * no audit). It keeps only who is in which room of the start world, so that
 *   look, a move   the room as Room.returnAppearance renders it (name, description, exits,
 *                  "Also here: <everyone else in the room>", "You see: <things>")
 *   say <text>     `You say, "<text>"` to the speaker and `<name> says, "<text>"` to everyone
 *                  else in the room
 *   a move         also `<name> leaves.` to the room left and `<name> arrives.` to the room
 *                  entered
 *   inventory      `You are not carrying anything.`
 *   create/connect `You become <name>.` and the room (and `<name> has entered the game.` to
 *                  the others there), without a password check
 * all with "\n" sent as CR LF and a CR LF after each message, as the telnet front end does.
 * Output is batched per event-loop turn: everything a socket is owed goes out in one write,
 * after all the input read in that turn is handled.
 *
 * It is what a game with no cost of its own would do for the same load, so the game's
 * throughput against it is the share the game machinery leaves of what the sockets allow; the
 * bench's "bytes to clients/cmd" row shows whether the bytes really are the same.
 * It prints the same start-up lines as server/main.ts; SIGTERM/SIGINT stop it (exit 0).
 * Env: MUD_HOST, MUD_TELNET_PORT (0 = a free port).
 */
import net from 'node:net';
import { ansi, listNames } from '../server/text.ts';
import { START_WORLD } from '../world/start_world.ts';

const host = process.env.MUD_HOST ?? '127.0.0.1';
const port = Number(process.env.MUD_TELNET_PORT ?? 0);
const MAX_PENDING = 64 * 1024;

interface Room {
  key: string;
  desc: string;
  /** Exit names in the order the room lists them. */
  exitNames: string[];
  /** Exit names and aliases to the room they lead to. */
  exits: Map<string, Room>;
  things: string[];
  /** Logged-in players here, in the order they arrived. */
  players: Set<Player>;
}

interface Player {
  socket: net.Socket;
  name: string | null;
  room: Room;
  /** Output owed to this socket, sent at the end of the turn. */
  out: string;
}

const rooms = new Map<string, Room>(
  START_WORLD.rooms.map((r) => [r.ref, { key: r.key, desc: r.desc, exitNames: [], exits: new Map(), things: [], players: new Set() }]),
);
for (const exit of START_WORLD.exits) {
  const from = rooms.get(exit.from)!;
  from.exitNames.push(exit.key);
  for (const name of [exit.key, ...exit.aliases]) from.exits.set(name, rooms.get(exit.to)!);
}
for (const thing of START_WORLD.things) rooms.get(thing.in)!.things.push(thing.key);
const start = rooms.get(START_WORLD.rooms.find((r) => r.start)!.ref)!;

function appearance(room: Room, looker: Player): string {
  const lines = [ansi.roomName(room.key), room.desc];
  lines.push(room.exitNames.length ? `Exits: ${room.exitNames.map((e) => ansi.exitName(e)).join(', ')}` : 'There are no obvious exits.');
  const people: string[] = [];
  for (const p of room.players) if (p !== looker) people.push(p.name!);
  if (people.length) lines.push(`Also here: ${listNames(people)}.`);
  if (room.things.length) lines.push(`You see: ${listNames(room.things)}.`);
  return lines.join('\n');
}

const owed = new Set<Player>();
let flushScheduled = false;

function flush(): void {
  flushScheduled = false;
  for (const p of owed) {
    if (!p.socket.destroyed) p.socket.write(p.out);
    p.out = '';
  }
  owed.clear();
}

/** One message, as the game's session.msg sends it over telnet. */
function send(p: Player, text: string): void {
  p.out += `${text.replaceAll('\n', '\r\n')}\r\n`;
  owed.add(p);
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

function tellRoom(room: Room, text: string, exclude: Player): void {
  for (const p of room.players) if (p !== exclude) send(p, text);
}

function handle(p: Player, line: string): void {
  const trimmed = line.trim();
  if (!trimmed) return;
  const space = trimmed.indexOf(' ');
  const verb = space < 0 ? trimmed : trimmed.slice(0, space);
  const args = space < 0 ? '' : trimmed.slice(space + 1).trim();
  if (p.name === null) {
    const name = args.split(' ')[0];
    if ((verb === 'create' || verb === 'connect') && name) {
      p.name = name;
      if (verb === 'create') send(p, `Welcome, ${name}! Your account is created.\n`);
      tellRoom(p.room, `${name} has entered the game.`, p);
      p.room.players.add(p);
      send(p, `You become ${name}.`);
      send(p, appearance(p.room, p));
      return;
    }
  } else if (verb === 'look' || verb === 'l') {
    send(p, appearance(p.room, p));
    return;
  } else if (verb === 'say') {
    send(p, `You say, "${args}"`);
    tellRoom(p.room, `${p.name} says, "${args}"`, p);
    return;
  } else if (verb === 'inventory' || verb === 'inv' || verb === 'i') {
    send(p, 'You are not carrying anything.');
    return;
  } else if (p.room.exits.has(verb) && !args) {
    const to = p.room.exits.get(verb)!;
    tellRoom(p.room, `${p.name} leaves.`, p);
    p.room.players.delete(p);
    p.room = to;
    tellRoom(to, `${p.name} arrives.`, p);
    to.players.add(p);
    send(p, appearance(to, p));
    return;
  }
  if (verb === 'quit') {
    send(p, 'Goodbye!');
    setImmediate(() => p.socket.end());
    return;
  }
  send(p, `Command '${verb}' is not available. Type "help" for help.`);
}

const sockets = new Set<net.Socket>();
const server = net.createServer({ noDelay: true }, (socket) => {
  sockets.add(socket);
  const p: Player = { socket, name: null, room: start, out: '' };
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('error', () => {});
  socket.on('close', () => {
    sockets.delete(socket);
    p.room.players.delete(p);
    owed.delete(p);
  });
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let from = 0;
    for (let nl = pending.indexOf('\n', from); nl >= 0; nl = pending.indexOf('\n', from)) {
      handle(p, pending.slice(from, nl).replace(/\r$/, ''));
      from = nl + 1;
    }
    pending = pending.slice(from);
    if (pending.length > MAX_PENDING) pending = '';
  });
  send(p, 'Welcome to the fan-out baseline (bench/fanout_server.ts).');
});
server.maxConnections = 5000;

server.listen(port, host, () => {
  const bound = (server.address() as net.AddressInfo).port;
  process.stdout.write(`Telnet listening on ${host}:${bound} (fan-out baseline)\n`);
  process.stdout.write('Fan-out baseline is running.\n');
});

const stop = () => {
  server.close(() => process.exit(0));
  // close() waits for every connection: end them all.
  for (const socket of sockets) socket.destroy();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
