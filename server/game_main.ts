/**
 * The game process of the two-process server (started by the portal, server/portal/main.ts,
 * never by hand). It loads the code on disk, says so, and waits: the portal tells it when to
 * open the store and take over the connections (once the previous game has handed over), when
 * to hand over itself (a reload) and when to stop. Its link to the portal is file descriptor 4,
 * a Unix socketpair. The webclient's sessions come over the link like telnet's; the console,
 * /metrics and /health are served on a private socket the portal passes those requests to.
 */
import fs from 'node:fs';
import net from 'node:net';
import { LinkChannel } from './link/channel.ts';
import type { GameToPortal, PortalToGame } from './link/protocol.ts';

const LINK_FD = 4;
const channel = new LinkChannel<PortalToGame, GameToPortal>(new net.Socket({ fd: LINK_FD, readable: true, writable: true }));

async function exit(code: number): Promise<never> {
  await channel.end();
  process.exit(code);
}

/** Everything the game is, imported now so that a syntax error fails the load, not the switch. */
async function loadCode() {
  // Tests simulate new code that does not compile with a file, never by editing source.
  const broken = process.env.MUD_TEST_BROKEN_GAME_FILE;
  if (broken && fs.existsSync(broken)) throw new SyntaxError(fs.readFileSync(broken, 'utf8').trim() || 'simulated syntax error');
  const [{ loadConfig }, { Game }, { GameLink }, { consoleForPortal }, { reloadCommand }] = await Promise.all([
    import('./config.ts'),
    import('./game.ts'),
    import('./link/game_side.ts'),
    import('./front_ends.ts'),
    import('../commands/admin/reload.ts'),
  ]);
  return { loadConfig, Game, GameLink, consoleForPortal, reloadCommand };
}

type Code = Awaited<ReturnType<typeof loadCode>>;
type Game = InstanceType<Code['Game']>;

let game: Game | null = null;
let link: InstanceType<Code['GameLink']> | null = null;
/** How this game is leaving, once it is: asked to hand over, or to stop (by the portal, or itself). */
let stopMode: 'handover' | 'stop' | null = null;

async function start(code: Code, message: Extract<PortalToGame, { t: 'start' }>): Promise<void> {
  // Tests simulate a game that loads but cannot start (say, a store that cannot be opened) with a file.
  const failing = process.env.MUD_TEST_FAILING_START_FILE;
  if (failing && fs.existsSync(failing)) throw new Error(fs.readFileSync(failing, 'utf8').trim() || 'simulated start failure');
  // The portal owns the public ports; this process listens on none of them.
  const config = code.loadConfig();
  const reload = code.reloadCommand((by, sessionId) => channel.send({ t: 'reload', by, sessionId }));
  // The portal holds the data dir's lock for as long as it runs, across reloads.
  // Characters whose connections the portal kept are re-attached as they were; a reload moves nobody.
  const stillPlaying = new Set([...message.sessions, ...message.lost.map((l) => l.snapshot)].flatMap((s) => (s.puppetId == null ? [] : [s.puppetId])));
  game = new code.Game(config, { extraCommands: [reload], dataDirLockHeld: true, stillPlaying });
  // As the single-process server does (main.ts): the token only on the console, never in a log.
  const token = game.accounts.adminToken();
  if (token) process.stdout.write(`No admin yet. Log in, then type: claim ${token}   (one-time admin token; npm run admin -- token shows it again)\n`);
  game.onStop((reason) => {
    // A handover exits on its own, once it has said so.
    if (stopMode === 'handover') return;
    // @shutdown (or a failure) stopped the game: the whole server goes, not just this process.
    if (stopMode === null) channel.send({ t: 'shutdown', reason });
    void exit(0);
  });
  const { staff } = game;
  link = new code.GameLink(
    {
      sessions: game.sessions,
      accounts: game.accounts,
      objects: game.objects,
      audit: game.audit,
      auditTrail: game.auditTrail,
      log: game.log.server,
      refuseConnection: (address, protocol) => staff.refuseConnection(address, protocol),
    },
    channel,
  );
  link.start(message);
  // The console, /metrics and /health, for the portal to pass requests to (web/private_port.ts).
  const gameLink = link;
  if (config.webEnabled) await game.listen([code.consoleForPortal(game, () => gameLink.reloadStats)]);
  // The portal's first game starts the server; one after a reload or a crash carries it on.
  if (message.reload === null) game.announceStart('game', { telnet: config.telnetPort, web: config.webPort });
  else game.resumeServing();
  channel.send({ t: 'ready' });
}

/** A reload: finish what runs, flush and close everything, leave the connections to the portal. */
async function handover(): Promise<void> {
  if (!game || !link) return exit(0);
  stopMode = 'handover';
  const unsettled = await link.settle();
  await game.detach('reload');
  channel.send({ t: 'handed', unsettled });
  await exit(0);
}

async function main(): Promise<void> {
  // Ctrl-C reaches every process of the terminal: the portal decides, this one waits to be told.
  process.on('SIGINT', () => {});
  // The portal re-reads certificates; a SIGHUP sent to the whole process group must not end this one.
  process.on('SIGHUP', () => {});
  // A reload is the portal's to make: SIGUSR2 sent here by mistake must not end this process
  // (Node's default), which the portal would take for a crash.
  process.on('SIGUSR2', () => game?.log.server.warn(`SIGUSR2 reached the game process (pid ${process.pid}) and was ignored: a reload is asked of the portal (npm run reload, or SIGUSR2 to the portal's pid).`));
  // SIGTERM to this process stops the whole server, through the portal.
  process.on('SIGTERM', () => {
    if (channel.isOpen) channel.send({ t: 'shutdown', reason: 'SIGTERM' });
    else void (game ? game.shutdown('SIGTERM') : exit(0));
  });
  process.on('uncaughtException', (error) => {
    process.stderr.write(`game: fatal: ${error.stack ?? error.message}\n`);
    game?.log.server.error(`Uncaught exception in the game process: ${error.stack ?? error.message}`);
    // Flush what was committed and leave: the portal restarts a game that re-attaches everyone.
    stopMode = 'handover';
    const timer = setTimeout(() => process.exit(1), 3000);
    void (game ? game.detach('uncaught exception') : Promise.resolve()).finally(() => {
      clearTimeout(timer);
      process.exit(1);
    });
  });

  let code: Code;
  try {
    code = await loadCode();
  } catch (error) {
    channel.send({ t: 'failed', error: String((error as Error)?.stack ?? error) });
    return exit(1);
  }
  channel.on('message', (message) => {
    switch (message.t) {
      case 'start':
        start(code, message).catch((error) => {
          process.stderr.write(`game: cannot start: ${(error as Error)?.stack ?? error}\n`);
          channel.send({ t: 'failed', error: String((error as Error)?.stack ?? error) });
          stopMode = 'stop';
          void exit(1);
        });
        return;
      case 'handover':
        void handover();
        return;
      case 'stop':
        stopMode = 'stop';
        if (game) void game.shutdown(message.reason);
        else void exit(0);
        return;
      default:
        link?.handle(message);
    }
  });
  // The portal is gone (killed): its connections went with it, so everyone is logged out.
  channel.on('close', () => {
    if (stopMode) return;
    stopMode = 'stop';
    if (game) void game.shutdown('portal gone');
    else process.exit(0);
  });
  channel.send({ t: 'loaded', pid: process.pid });
}

void main();
