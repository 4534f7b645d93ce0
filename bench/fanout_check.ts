/**
 * `npx tsx bench/fanout_check.ts`: checks that the fan-out baseline (bench/fanout_server.ts)
 * writes what the game writes for the bench's commands. Plays the same script (logins, look,
 * say, inventory, moves between the start world's rooms, with four players) against the real
 * server and against the baseline, and compares everything each client received after its
 * banner, byte for byte. Exits 1 on any difference. Run it after changing what look, say,
 * inventory or moving print, or the start world.
 */
import net from 'node:net';
import { serverEnv, spawnServer } from '../test/support/server_process.ts';
import { cleanupTempDirs, tempDir } from '../test/support/temp_dir.ts';
import { sleep } from '../test/support/wait.ts';

const NAMES = ['Load0', 'Load1', 'Load2', 'Load3'];
/** [player, command]: says and moves while the others are in the same room and in others. */
const SCRIPT: Array<[number, string]> = [
  [0, 'look'],
  [1, 'say r1c1n0'],
  [2, 'inventory'],
  [0, 'north'],
  [1, 'north'],
  [0, 'look'],
  [1, 'east'],
  [2, 'say r1c2n1'],
  [1, 'west'],
  [1, 'west'],
  [0, 'say r1c0n2'],
  [3, 'look'],
  [1, 'east'],
  [0, 'south'],
  [3, 'inventory'],
];

/** What each player received from its login on, as latin1 text. */
async function play(script: string): Promise<string[]> {
  const server = await spawnServer(serverEnv(tempDir('mud-fanout-check-'), { MUD_WEB: 'off' }), { script });
  const received = NAMES.map(() => [] as Buffer[]);
  const sockets: net.Socket[] = [];
  try {
    for (const [i, name] of NAMES.entries()) {
      const socket = net.connect(server.telnetPort, '127.0.0.1');
      socket.on('data', (d: Buffer) => received[i]!.push(d));
      sockets.push(socket);
      await sleep(100);
      received[i]!.length = 0; // the banners differ (the baseline does no telnet negotiation)
      socket.write(`create ${name} bench-pass-123\r\n`);
      await sleep(300); // a create hashes the password
    }
    for (const [who, command] of SCRIPT) {
      sockets[who]!.write(`${command}\r\n`);
      await sleep(100);
    }
  } finally {
    for (const socket of sockets) socket.destroy();
    server.child.kill('SIGTERM');
    await server.exited;
  }
  return received.map((chunks) => Buffer.concat(chunks).toString('latin1'));
}

try {
  const game = await play('server/main.ts');
  const fanout = await play('bench/fanout_server.ts');
  let differ = 0;
  for (const [i, name] of NAMES.entries()) {
    if (game[i] === fanout[i]) continue;
    differ++;
    process.stdout.write(`${name} received different bytes:\n  game     ${JSON.stringify(game[i])}\n  fan-out  ${JSON.stringify(fanout[i])}\n`);
  }
  const bytes = (all: string[]) => all.reduce((n, s) => n + s.length, 0);
  process.stdout.write(`${differ ? 'DIFFERENT' : 'same'}: ${NAMES.length} players, ${SCRIPT.length} commands; game ${bytes(game)} bytes, fan-out ${bytes(fanout)} bytes\n`);
  process.exitCode = differ ? 1 : 0;
} finally {
  cleanupTempDirs();
}
