/**
 * Keeps one game process attached to the portal's connections: starts it, reloads it (a fresh
 * process on the code now on disk), and restarts it after a crash, with a backoff, until it
 * crashes too often. The order of a reload is what keeps every command exactly once:
 *   1. the new process loads the code while the old one still plays (a syntax error stops
 *      here: nothing has changed, the Admins are told);
 *   2. lines start to wait in the portal; the old game finishes the commands it has, flushes
 *      its audit trail, closes the store and exits, unpuppeting nobody;
 *   3. the new game opens the store, re-puppets every session from the portal's snapshot and
 *      says ready; the waiting lines go to it, in order.
 */
import type { AuditLag, GameToPortal, ReloadCounters, ReloadRequest } from '../link/protocol.ts';
import { cleanInput, shorten } from '../text.ts';
import type { PortalSessions } from './connections.ts';
import { GameProcess } from './game_process.ts';

export type GameState = 'starting' | 'running' | 'reloading' | 'down' | 'stopping';
/** `ms`: from the request to the new game taking lines; `pausedMs`: how long lines waited. */
export type ReloadResult = { ok: true; ms: number; pausedMs?: number } | { ok: false; error: string };

/** Generous: a cold tsx cache compiles the whole game on a busy machine. */
const LOAD_TIMEOUT_MS = 60_000;
const START_TIMEOUT_MS = 60_000;
const HANDOVER_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;
/** `npm run status` should answer at once: a game busier than this is reported as not answering. */
const STATS_TIMEOUT_MS = 1000;
/** More crashes than this within the window and the portal stops restarting the game. */
const MAX_CRASHES = 3;
const CRASH_WINDOW_MS = 60_000;
const BACKOFF_MS = [200, 1000, 3000];

export const LINES = {
  reloading: 'The game is reloading...',
  back: 'The game is back.',
  crashed: 'The game stopped unexpectedly; it is restarting and you stay connected.',
  down: 'The game could not be started; you stay connected while an operator fixes it.',
  crashLoop: 'The game keeps crashing, so it stays down until an operator fixes it; you stay connected.',
};

export interface SupervisorPorts {
  readonly sessions: PortalSessions;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** The game asked for the whole server to stop (@shutdown, SIGTERM to the game process). */
  stopRequested(reason: string): void;
  readonly env?: NodeJS.ProcessEnv;
}

export class GameSupervisor {
  state: GameState = 'starting';
  current: GameProcess | null = null;
  readonly counters: ReloadCounters = { reloads: 0, crashRestarts: 0 };
  lastReloadMs: number | null = null;
  lastPauseMs: number | null = null;
  private pending: GameProcess | null = null;
  private crashes: number[] = [];
  /** The last 'stats' question's number, to pair each answer with its question. */
  private asked = 0;

  constructor(private readonly ports: SupervisorPorts) {}

  /** The game taking lines now (and so the web port's /admin, /metrics, /health); null mid-switch. */
  get serving(): GameProcess | null {
    return this.ports.sessions.attached ? this.current : null;
  }

  /** The first game; throws with its error if it cannot start. */
  async boot(): Promise<void> {
    const result = await this.switchTo(null, { quiet: true });
    if (!result.ok) throw new Error(result.error);
  }

  /** A fresh game process on the code now on disk; everyone stays connected. */
  reload(request: ReloadRequest): Promise<ReloadResult> {
    if (this.state === 'reloading' || this.state === 'starting') return Promise.resolve({ ok: false, error: 'a reload is already under way' });
    if (this.state === 'stopping') return Promise.resolve({ ok: false, error: 'the server is stopping' });
    return this.switchTo(request, { quiet: request.via === 'crash' });
  }

  /** Stops the game for good (everyone told and unpuppeted by it); resolves once it has exited. */
  async stop(reason: string): Promise<void> {
    this.state = 'stopping';
    this.pending?.kill();
    const game = this.current;
    if (!game) return;
    game.leaving = true;
    game.send({ t: 'stop', reason });
    await this.exitOrKill(game, STOP_TIMEOUT_MS);
  }

  private async switchTo(request: ReloadRequest | null, { quiet }: { quiet: boolean }): Promise<ReloadResult> {
    const before = this.state;
    if (before !== 'starting') this.state = 'reloading';
    const { sessions } = this.ports;
    const next = this.spawn();
    this.pending = next;
    try {
      await this.waitFor(next, 'loaded', LOAD_TIMEOUT_MS);
    } catch (error) {
      this.pending = null;
      next.leaving = true;
      next.kill();
      this.state = this.current ? 'running' : 'down';
      const why = (error as Error).message;
      if (this.current) {
        this.ports.log('error', `Reload failed: the new game did not load, so the game goes on as it was: ${why}`);
        this.current.send({ t: 'admins', text: `The reload failed: the new code did not load, so the game goes on with the code it had.\n${excerpt(why)}` });
        // The portal has no audit trail: the game still playing records the failed reload.
        if (request) this.current.send({ t: 'reload_failed', reload: request, error: firstLine(why) });
      } else {
        // The code on disk does not load: trying it again would not help. Down until fixed.
        this.ports.log('error', `The new game did not load, so the game is down (players stay connected) until it is fixed and reloaded: ${why}`);
        if (before !== 'starting') sessions.broadcast(LINES.down);
      }
      return { ok: false, error: why };
    }

    const switchedAt = Date.now();
    if (!quiet) sessions.broadcast(LINES.reloading);
    sessions.detach();
    const old = this.current;
    if (old) {
      old.leaving = true;
      old.send({ t: 'handover' });
      await this.waitFor(old, 'handed', HANDOVER_TIMEOUT_MS).catch((error) => this.ports.log('warn', `The old game did not hand over cleanly: ${(error as Error).message}`));
      await this.exitOrKill(old, 5000);
      this.current = null;
    }

    const { sessions: snapshot, meanwhile } = sessions.snapshot();
    const counted = countedWith(this.counters, request);
    next.send({ t: 'start', sessions: snapshot, ...meanwhile, reload: request, counters: counted });
    try {
      await this.waitFor(next, 'ready', START_TIMEOUT_MS);
    } catch (error) {
      this.pending = null;
      next.leaving = true;
      next.kill();
      this.state = 'down';
      const why = (error as Error).message;
      // It loaded, so the code is not the trouble: after a crash, the next try may well work
      // (a store that was briefly busy), with the crash backoff and limit.
      if (request?.via === 'crash') {
        this.afterCrash(`the restarted game failed to start: ${why}`);
        return { ok: false, error: why };
      }
      this.ports.log('error', `The new game failed to start; the game is down (players stay connected): ${why}`);
      if (before !== 'starting') sessions.broadcast(LINES.down);
      return { ok: false, error: why };
    }
    this.pending = null;
    this.current = next;
    this.state = 'running';
    sessions.attach(next.channel);
    Object.assign(this.counters, counted);
    if (!request) return { ok: true, ms: Date.now() - next.startedAt };
    sessions.broadcast(LINES.back);
    const ms = Date.now() - request.requestedAt;
    const pausedMs = Date.now() - switchedAt;
    this.lastReloadMs = ms;
    this.lastPauseMs = pausedMs;
    this.ports.log('info', `Game reloaded in ${ms} ms, lines waited ${pausedMs} ms (${request.via}${request.by ? ` by ${request.by}` : ''}), ${snapshot.length} sessions kept`);
    return { ok: true, ms, pausedMs };
  }

  private spawn(): GameProcess {
    const game = new GameProcess(this.ports.env);
    game.on('message', (message) => this.onMessage(game, message));
    game.on('exit', (how) => this.onExit(game, how));
    return game;
  }

  private onMessage(game: GameProcess, message: GameToPortal): void {
    switch (message.t) {
      case 'reload':
        if (game !== this.current) return;
        void this.reload({ by: message.by, sessionId: message.sessionId, via: '@reload', requestedAt: Date.now() }).then((result) => {
          if (!result.ok && result.error === 'a reload is already under way') this.current?.send({ t: 'admins', text: 'A reload is already under way.' });
        });
        return;
      case 'shutdown':
        this.ports.stopRequested(message.reason);
        return;
      case 'stats':
        // Taken by the auditLag() that asked.
        return;
      default:
        this.ports.sessions.fromGame(message);
    }
  }

  /** The attached game died without being asked to: a reload the portal starts itself. */
  private onExit(game: GameProcess, how: string): void {
    if (game !== this.current || game.leaving) return;
    this.current = null;
    this.ports.sessions.detach();
    if (this.state === 'stopping') return;
    // A reload already under way takes over: its new game simply finds no old one to wait for.
    this.afterCrash(`game process ${how}${game.lastWords ? `: ${lastLine(game.lastWords)}` : ''}`, this.state === 'reloading');
  }

  /**
   * The game is gone without being asked to: counted, and restarted after a backoff, unless it
   * has crashed too often (then down until an operator reloads) or a reload already takes over.
   */
  private afterCrash(cause: string, reloadUnderWay = false): void {
    const now = Date.now();
    this.crashes = [...this.crashes.filter((t) => now - t < CRASH_WINDOW_MS), now];
    if (this.crashes.length > MAX_CRASHES) {
      this.state = 'down';
      this.ports.log('error', `The game crashed ${this.crashes.length} times within ${CRASH_WINDOW_MS / 1000} s (last: ${cause}); not restarting it. Fix it, then npm run reload.`);
      this.ports.sessions.broadcast(LINES.crashLoop);
      return;
    }
    if (reloadUnderWay) return;
    this.state = 'down';
    const delay = BACKOFF_MS[Math.min(this.crashes.length - 1, BACKOFF_MS.length - 1)]!;
    this.ports.log('error', `The game crashed (${cause}); restarting it in ${delay} ms`);
    this.ports.sessions.broadcast(LINES.crashed);
    const requestedAt = now;
    setTimeout(() => {
      if (this.state !== 'down') return;
      void this.reload({ by: null, via: 'crash', requestedAt, cause });
    }, delay);
  }

  /** The message `type` from `game`; rejects with its reason if it fails, exits or times out first. */
  private waitFor(game: GameProcess, type: 'loaded' | 'ready' | 'handed', timeoutMs: number): Promise<void> {
    return awaitMessage(game, `'${type}'`, timeoutMs, (message) => (message.t === type ? true : message.t === 'failed' ? new Error(message.error) : undefined)).then(() => {});
  }

  /**
   * What the attached game says of its audit trail's lag (for `npm run status`), or why that is
   * unknown: no game attached (down, mid-reload), or no answer within `timeoutMs`.
   */
  async auditLag(timeoutMs = STATS_TIMEOUT_MS): Promise<AuditLag | { unknown: string }> {
    const game = this.serving;
    if (!game) return { unknown: 'no game attached' };
    const ask = ++this.asked;
    const answer = awaitMessage(game, `'stats' answer`, timeoutMs, (message) => (message.t === 'stats' && message.ask === ask ? message.audit : undefined));
    game.send({ t: 'stats', ask });
    return answer.catch(() => ({ unknown: game.exited ? 'the game exited before it answered' : `the game did not answer within ${timeoutMs / 1000} s` }));
  }

  private async exitOrKill(game: GameProcess, timeoutMs: number): Promise<void> {
    const timer = setTimeout(() => game.kill('SIGKILL'), timeoutMs);
    await game.whenExited();
    clearTimeout(timer);
  }
}

/**
 * The first message of `game`'s that `pick` takes (an Error it returns rejects); rejects too if
 * the game exits, or `timeoutMs` passes, first. `what` names the awaited message in the error.
 */
function awaitMessage<T>(game: GameProcess, what: string, timeoutMs: number, pick: (message: GameToPortal) => T | Error | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no ${what} from the game after ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: GameToPortal) => {
      const picked = pick(message);
      if (picked !== undefined) done(picked);
    };
    const onExit = (how: string) => done(new Error(`the game process ${how} before it sent ${what}${game.lastWords ? `:\n${game.lastWords}` : ''}`));
    game.on('message', onMessage);
    game.once('exit', onExit);
    if (game.exited) onExit('had exited');
    function done(outcome: T | Error) {
      clearTimeout(timer);
      game.off('message', onMessage);
      game.off('exit', onExit);
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    }
  });
}

/** The counts once this start has succeeded: a reload or a crash restart more, the first start neither. */
function countedWith(counters: ReloadCounters, request: ReloadRequest | null): ReloadCounters {
  if (!request) return { ...counters };
  if (request.via === 'crash') return { ...counters, crashRestarts: counters.crashRestarts + 1 };
  return { ...counters, reloads: counters.reloads + 1 };
}

function lastLine(text: string): string {
  return text.split('\n').filter(Boolean).at(-1) ?? '';
}

/** Characters of a failed reload's error kept for its audit event. */
const MAX_ERROR_EXCERPT = 200;

/**
 * An error's message alone, for the audit trail: its first line (no stack, no paths of ours),
 * without control characters, shortened. The text logs escape it again when they write it.
 */
function firstLine(text: string): string {
  return shorten(cleanInput(text.split('\n').find((line) => line.trim()) ?? '').trim(), MAX_ERROR_EXCERPT);
}

/** The first lines of an error: the message and where, not the whole stack. */
function excerpt(text: string): string {
  return text.split('\n').slice(0, 4).join('\n');
}
