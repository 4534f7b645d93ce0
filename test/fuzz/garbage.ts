/**
 * The seeded garbage both fuzz tests send: random bytes, IAC storms, subnegotiations cut short
 * or never ended, bad UTF-8, long lines, garbage logins and valid commands mixed with garbage.
 * The generator is the only source of randomness, so a seed replays a run.
 */
import { randomBytes, type Rng } from '../support/prng.ts';

export const IAC = 255, SB = 250, SE = 240, WILL = 251, WONT = 252, DO = 253, DONT = 254, GMCP = 201;
export const OPTS = [0, 1, 3, 24, 25, 31, 39, 42, 69, 70, 86, 91, 201, 99, 255];
export const SEED = Number(process.env.MUD_FUZZ_SEED ?? 0x6d75_d1) >>> 0;
export const WAVES = 4;
export const CLIENTS_PER_WAVE = 24;
export const MAX_FRAMES_PER_CLIENT = 90;
/** Sockets not yet logged in are closed after this; the silent clients rely on it. */
export const LOGIN_IDLE_MS = 3000;


export const garbageWord = (r: Rng) => randomBytes(r, 1 + r.int(30)).toString('latin1').replace(/[\r\n\s]/g, 'x');
const LOGIN_COMMANDS = ['look', 'help', 'who', 'l', '?', 'connect', 'create', 'co Nobody wrong-password', 'quit'];
const GAME_WORDS = ['look', 'north', 'south', 'say', 'pose', 'who', 'help', 'inventory', 'get', 'drop', 'whisper', 'éé', '☃'];

/** One hostile frame. The generator is the only source of randomness, so a seed replays a run. */
export function frame(r: Rng): Buffer {
  const opt = r.pick(OPTS);
  switch (r.int(15)) {
    case 0:
      return randomBytes(r, 1 + r.int(512));
    case 1: {
      // IAC storm: IACs mixed with command bytes (SE, NOP, DM, BRK, IP, AO, AYT, EC, EL, GA, SB, WILL...).
      const b = Buffer.allocUnsafe(1 + r.int(600));
      for (let i = 0; i < b.length; i++) b[i] = r.chance(0.5) ? IAC : 236 + r.int(20);
      return b;
    }
    case 2:
      return Buffer.from([IAC, r.pick([WILL, WONT, DO, DONT]), r.chance(0.7) ? opt : r.int(256)]);
    case 3: {
      // IAC DO / WILL flood of one option.
      const one = [IAC, r.pick([DO, WILL, DONT]), r.int(256)];
      return Buffer.from(Array.from({ length: 100 + r.int(3000) }, () => one).flat());
    }
    case 4:
      // Subnegotiation that never ends (no IAC at all, so no SE can close it).
      return Buffer.concat([Buffer.from([IAC, SB, opt]), randomBytes(r, 1000 + r.int(20_000), { noIac: true })]);
    case 5:
      // Truncated subnegotiation: cut before SE, or IAC followed by a non-SE byte.
      return r.chance(0.5)
        ? Buffer.concat([Buffer.from([IAC, SB, opt]), randomBytes(r, r.int(40), { noIac: true }), Buffer.from([IAC])])
        : Buffer.concat([Buffer.from([IAC, SB, opt]), randomBytes(r, r.int(40), { noIac: true }), Buffer.from([IAC, r.int(240)]), Buffer.from('look\r\n')]);
    case 6: {
      // Well-formed subnegotiations with random bodies (NAWS, TTYPE IS, CHARSET, GMCP).
      const body = r.pick([
        Buffer.from([r.int(256), r.int(256), r.int(256), r.int(256)]),
        Buffer.concat([Buffer.from([0]), Buffer.from(garbageWord(r), 'latin1')]),
        Buffer.from(`\x02;UTF-8;${garbageWord(r)}`, 'latin1'),
        Buffer.from(`Core.Hello {"client":${r.chance(0.5) ? '"x"' : garbageWord(r)}}`, 'latin1'),
      ]);
      const escaped = Buffer.from([...body].flatMap((x) => (x === IAC ? [IAC, IAC] : [x])));
      return Buffer.concat([Buffer.from([IAC, SB, r.pick([31, 24, 42, 201, opt])]), escaped, Buffer.from([IAC, SE])]);
    }
    case 7:
      return Buffer.from(`${r.pick(r.chance(0.5) ? LOGIN_COMMANDS : GAME_WORDS)} ${r.chance(0.5) ? r.pick(GAME_WORDS) : ''}\r\n`);
    case 8: {
      // A valid command with garbage spliced in.
      const cmd = Buffer.from(`${r.pick(LOGIN_COMMANDS)} ${r.pick(GAME_WORDS)}`);
      const at = r.int(cmd.length + 1);
      return Buffer.concat([cmd.subarray(0, at), randomBytes(r, r.int(20)), cmd.subarray(at), Buffer.from(r.pick(['\r\n', '\n', '\r', '\r\0', '\n\r']))]);
    }
    case 9:
      // Login attempts with garbage names (and passwords).
      return Buffer.from(`${r.pick(['connect', 'create', 'co', 'cr'])} ${garbageWord(r)} ${r.chance(0.5) ? garbageWord(r) : ''}\r\n`, 'latin1');
    case 10:
      // Invalid and truncated UTF-8.
      return Buffer.concat([Buffer.from('say '), Buffer.from(r.pick([[0xc3], [0xe2, 0x98], [0xf0, 0x9f, 0x98], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xfe, 0xfe]])), Buffer.from('\r\n')]);
    case 11:
      return Buffer.from(Array.from({ length: 1 + r.int(300) }, () => r.pick([13, 10, 0])));
    case 12:
      // Accept compression (the server then deflates what follows) or refuse it mid-stream.
      return Buffer.from([IAC, r.pick([DO, DONT]), 86]);
    case 13:
      return Buffer.from(r.pick([[IAC, SE], [IAC, SB, IAC, SE], [IAC, SB], [IAC], [IAC, IAC], [IAC, 0], [IAC, SB, 24, 1, IAC, SE]]));
    default:
      return Buffer.from(`${'x'.repeat(r.int(6000))}\r\n`);
  }
}
