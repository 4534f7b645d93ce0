import path from 'node:path';
import type { Command, CommandPorts } from '../commands/command.ts';
import { characterCmdset, loginCmdset } from '../commands/cmdsets.ts';
import { Dispatcher } from '../commands/dispatcher.ts';
import { AccountManager } from '../typeclasses/account_manager.ts';
import { takeOfflineTheUnplayed } from '../typeclasses/character.ts';
import { defaultTypeclasses } from '../typeclasses/index.ts';
import { ObjectManager } from '../typeclasses/object_manager.ts';
import { DEFAULT_COST, PasswordHasher, type HashLimits } from '../typeclasses/passwords.ts';
import type { TypeclassRegistry } from '../typeclasses/registry.ts';
import { buildWorldOnce } from '../world/builder.ts';
import { START_WORLD, type WorldData } from '../world/start_world.ts';
import { AuditBus } from './audit/bus.ts';
import { plainTextLogSink } from './audit/sinks/text_lines.ts';
import type { AuditReader } from './audit/reader.ts';
import { openAuditTrail, type AuditTrail } from './audit/trail.ts';
import { auditPrunedEvent, disabledAuditParts, serverAuditDisabledEvent, serverStartedEvent, serverStoppedEvent, type ServerProcessKind } from './audit/server_events.ts';
import type { GameConfig } from './config.ts';
import { makeDataDirPrivate, serverSecret } from './data_dir.ts';
import type { GameLogs } from './logging/index.ts';
import type { FrontEnd, FrontEndFactory, FrontEndPorts } from './sessions/front_end.ts';
import type { OsLock } from './os_lock.ts';
import { lockDataDir } from './pid_file.ts';
import { LoginGuard, type LoginGuardSettings } from './sessions/login_guard.ts';
import { SessionLimits } from './sessions/session_limits.ts';
import { SessionManager } from './sessions/session_manager.ts';
import { watchDiskSpace } from './disk_space.ts';
import { startIdleSweep } from './staff/idle.ts';
import { Staff } from './staff/staff.ts';
import { ConsoleSessionStore, LockoutStore, ObjectStore, StaffStore } from './store/index.ts';
import type { ConsoleSessionKeeper } from './console/sessions.ts';
import { ChannelStore } from './store/channel_store.ts';
import { Channels } from './channels/channels.ts';
import { escapeForLog } from './text.ts';

export interface GameOptions {
  world?: WorldData;
  typeclasses?: TypeclassRegistry;
  extraCommands?: readonly Command[];
  loginGuard?: LoginGuardSettings;
  /** How many password hashes run at once and wait (tests make the queue small). */
  hashLimits?: HashLimits;
  /**
   * The data dir's lock is held by whoever started this game (the portal, which outlives
   * reloads); the game then takes none of its own. Default: the game takes it.
   */
  dataDirLockHeld?: boolean;
  /**
   * Characters whose sessions the portal is about to re-attach (a reload, a crash restart):
   * they stay where they are. Every other player's character starts offline.
   */
  stillPlaying?: ReadonlySet<number>;
}

const RUNNING = 'server.running';

/**
 * The wiring: builds every stage from the config and hands each only the ports it uses
 * (front ends, sessions, dispatcher, objects, console), then starts and stops them in order.
 * Nothing is global, so a test can run several games side by side in one process.
 */
export class Game {
  readonly startedAt = new Date();
  readonly store: ObjectStore;
  readonly logs: GameLogs;
  readonly log: { server: ReturnType<GameLogs['get']>; portal: ReturnType<GameLogs['get']> };
  readonly audit: AuditBus;
  readonly typeclasses: TypeclassRegistry;
  readonly objects: ObjectManager;
  readonly accounts: AccountManager;
  readonly sessions: SessionManager;
  readonly dispatcher: Dispatcher;
  readonly loginGuard: LoginGuard;
  /** The web console's logins, kept in the database so a reload does not log operators out. */
  readonly consoleSessions: ConsoleSessionKeeper;
  /** Bans, mutes, the lock-down and reports (server/staff/). */
  readonly staff: Staff;
  private stopIdleSweep: () => void = () => {};
  private stopDiskWatch: () => void = () => {};
  readonly channels: Channels;
  /** The outbox and the audit worker behind it: every sink, every log file (server/audit/trail.ts). */
  readonly auditTrail: AuditTrail;
  /** The queryable audit table, for @audit and the console. */
  readonly auditReader: AuditReader;
  /** Held from construction to the end of shutdown (server/pid_file.ts). */
  private readonly dataDirLock: Pick<OsLock, 'release'>;
  private readonly frontEnds: FrontEnd[] = [];
  private stopping: Promise<void> | null = null;
  /** True once this game serves as the server (announceStart, resumeServing): its stop is a server_stopped. */
  private serving = false;
  private readonly stopListeners: Array<(reason: string) => void> = [];

  constructor(
    readonly config: GameConfig,
    options: GameOptions = {},
  ) {
    // First of all: a second game on this data dir must not open the world at all.
    this.dataDirLock = options.dataDirLockHeld ? { release() {} } : lockDataDir(config.dataDir);
    try {
      makeDataDirPrivate(config.dataDir);
      this.store = new ObjectStore(path.join(config.dataDir, 'game.sqlite3'), (error) =>
        this.log.server.error(`Store: ${escapeForLog(String((error as Error)?.stack ?? error))}`),
      );
      // The audit worker owns every log file and sink; this thread only fills the outbox.
      this.auditTrail = openAuditTrail(config, this.store);
      this.logs = this.auditTrail.logs;
      this.auditReader = this.auditTrail.reader();
      this.log = { server: this.logs.get('mud.server'), portal: this.logs.get('mud.portal') };
      this.audit = new AuditBus(
        (error, event) => this.log.server.error(`Audit sink failed on a ${event.event_type} event: ${escapeForLog(String((error as Error)?.stack ?? error))}`),
        // The trail records what a command did only once the command has succeeded.
        (send) => this.store.whenUnitSucceeds(send),
      );
      if (this.auditTrail.outboxEnabled) this.audit.subscribe(this.auditTrail.sink);
      // Auditing off: the server and portal logs still name connections and new characters.
      else this.audit.subscribe(plainTextLogSink(this.logs, config.logs));
      // Every prune of the trail, scheduled or asked for, is itself on the record (OWASP sensitive_delete).
      this.auditTrail.onPruned = (outcome) => this.audit.emit(auditPrunedEvent(outcome));
      this.typeclasses = options.typeclasses ?? defaultTypeclasses();
      this.accounts = new AccountManager(
        this.store,
        new PasswordHasher({ ...DEFAULT_COST, N: config.scryptN }, options.hashLimits),
        serverSecret(config.dataDir),
      );
      this.objects = new ObjectManager(this.store, this.typeclasses, { accounts: this.accounts, audit: this.audit });
      this.staff = new Staff(new StaffStore(this.store.db), this.store, this.audit);
      const limits = new SessionLimits(config.limits, this.audit);
      // A banned address is refused before any limit counts it, telnet and webclient alike.
      limits.refuseAddress = (address, protocol) => this.staff.refuseConnection(address, protocol);
      this.sessions = new SessionManager({
        config,
        audit: this.audit,
        limits,
        units: this.store,
        dispatch: (session, line) => this.dispatcher.handle(session, line),
        loginOutOfBand: (session, name, password) => this.dispatcher.loginOutOfBand(session, name, password),
      });
      // Lock-outs outlive a restart (migration 9); each change is its own small unit of work.
      const lockouts = new LockoutStore(this.store.db);
      this.loginGuard = new LoginGuard(options.loginGuard, Date.now, {
        load: (now) => this.store.unitOfWork(() => lockouts.load(now)),
        save: (key, until, now) => this.store.unitOfWork(() => lockouts.save(key, until, now)),
        remove: (key) => this.store.unitOfWork(() => lockouts.remove(key)),
      });
      const consoleSessions = new ConsoleSessionStore(this.store.db);
      this.consoleSessions = {
        load: () => this.store.unitOfWork(() => consoleSessions.load()),
        save: (record) => this.store.unitOfWork(() => consoleSessions.save(record)),
        touch: (hash, lastSeen) => this.store.unitOfWork(() => consoleSessions.touch(hash, lastSeen)),
        remove: (hash) => this.store.unitOfWork(() => consoleSessions.remove(hash)),
      };
      this.channels = new Channels(new ChannelStore(this.store), this.sessions);
      const { objects, accounts, typeclasses, sessions, loginGuard, auditTrail, store, staff } = this;
      const commandPorts: CommandPorts = {
        config, objects, accounts, typeclasses, sessions, loginGuard, staff,
        channels: this.channels,
        auditBus: this.audit,
        auditReader: this.auditReader,
        auditStats: () => auditTrail.stats(),
        auditRefusal: () => auditTrail.refusal(),
        auditProof: (seq) => auditTrail.proof(seq),
        log: this.log.server,
        unitOfWork: (work) => store.unitOfWork(work),
        shutdown: (reason) => this.shutdown(reason),
      };
      this.dispatcher = new Dispatcher(commandPorts, loginCmdset(), characterCmdset(options.extraCommands));

      if (this.store.getState(RUNNING) === 'yes') {
        this.log.server.warn('The previous run did not shut down cleanly (crash or kill -9); the database was recovered from its WAL.');
      }
      this.objects.load((record, fallback) =>
        this.log.server.warn(`Object #${record.id} '${escapeForLog(record.key)}' has unknown typeclass '${escapeForLog(record.typeclass)}'; loaded as ${fallback}`),
      );
      if (buildWorldOnce({ objects: this.objects, store: this.store }, options.world ?? START_WORLD)) this.log.server.info(`Built the starting world (${this.objects.count} objects)`);
      const takenOffline = this.store.unitOfWork(() => takeOfflineTheUnplayed(this.objects.all(), options.stillPlaying ?? new Set()));
      if (takenOffline) this.log.server.info(`${takenOffline} character(s) left in the world by the last run (no unpuppet ran) are offline now`);
      this.store.setState(RUNNING, 'yes');
      this.stopIdleSweep = startIdleSweep(this.sessions, config.idleTimeoutMs);
      this.stopDiskWatch = watchDiskSpace([config.dataDir, config.logDir], config.diskWarnBytes, this.log.server);
      this.log.server.info(`Game loaded: ${this.objects.count} objects, ${this.store.countAccounts()} accounts, data in ${config.dataDir}`);
      // The token itself goes to the console only (main.ts), never into a log file.
      if (this.accounts.adminToken()) this.log.server.info('No account is a Developer yet: the one-time admin token is on the console at start (or: npm run admin -- token); claim it in game with `claim <token>`');
    } catch (error) {
      this.dataDirLock.release();
      throw error;
    }
  }

  /** Starts the front ends; resolves with the ports they bound, by name. */
  async listen(factories: readonly FrontEndFactory[]): Promise<Record<string, number>> {
    const ports: Record<string, number> = {};
    const handed: FrontEndPorts = { config: this.config, sessions: this.sessions, log: this.log, startedAt: this.startedAt };
    for (const factory of factories) {
      const frontEnd = factory(handed);
      ports[frontEnd.name] = await frontEnd.listen();
      this.frontEnds.push(frontEnd);
      this.log.server.info(`${frontEnd.name} listening on ${this.config.host}:${ports[frontEnd.name]}`);
    }
    return ports;
  }

  /**
   * The server is up and serving: a `server_started` event (OWASP sys_startup) with the version,
   * pid and a summary of the settings, then an `audit_disabled` one (sys_monitor_disabled) when
   * some of the audit is configured off, at every such start, for as long as it lasts. Start-up
   * calls it (server/main.ts; server/game_main.ts at the portal's first start); a game process
   * that takes over at a reload calls resumeServing() instead: the server did not start again.
   */
  announceStart(kind: ServerProcessKind, ports: Record<string, number> = {}): void {
    this.serving = true;
    this.audit.emit(serverStartedEvent(this.config, kind, ports));
    const off = disabledAuditParts(this.config);
    if (off.length) this.audit.emit(serverAuditDisabledEvent(off));
  }

  /** A game process taking over a running server (a reload, a crash restart): its final stop is the server's. */
  resumeServing(): void {
    this.serving = true;
  }

  onStop(listener: (reason: string) => void): void {
    this.stopListeners.push(listener);
  }

  /**
   * Stops cleanly: every puppet is unpuppeted (its hooks run and are audited), connections are
   * closed, then the database and every log are flushed. Safe to call more than once.
   */
  shutdown(reason = 'shutdown'): Promise<void> {
    this.stopping ??= (async () => {
      this.log.server.info(`Shutting down: ${escapeForLog(reason)}`);
      this.stopIdleSweep();
      this.stopDiskWatch();
      // Every connection is told and closed first, then each is unpuppeted (hooks, audit):
      // in one pass, each unpuppet told the players still connected that someone left, which
      // made stopping a crowded server quadratic (the bench saw 5-9 s for 1000 players).
      const sessions = this.sessions.all();
      for (const session of sessions) session.disconnect(`The server is shutting down (${reason}).`, 'server shutdown');
      for (const session of sessions) session.connectionLost('server shutdown');
      await Promise.allSettled(this.frontEnds.map((f) => f.close()));
      // Refused connections still in a flood are audited while the audit takes events.
      this.sessions.limits.close();
      this.sessions.flushConnectionErrors();
      // The last event of a server's run (OWASP sys_shutdown); a shell tool's game never served.
      // Delivered before the last line, so that `Shutdown complete` ends server.log.
      if (this.serving) {
        this.audit.emit(serverStoppedEvent(reason, this.startedAt, sessions.length));
        await this.auditTrail.flush();
      }
      this.store.setState(RUNNING, 'no');
      this.log.server.info('Shutdown complete');
      // Every sink takes what was committed and the log files close, before the store closes.
      await this.auditTrail.close();
      await this.auditReader.close();
      this.store.close();
      this.dataDirLock.release();
      for (const listener of this.stopListeners) listener(reason);
    })();
    return this.stopping;
  }

  /**
   * Stops for a reload: like shutdown, but nobody is unpuppeted or told, since the portal keeps
   * the connections and the next game process takes them over. Everything committed reaches
   * the sinks and the store is marked cleanly stopped before the next game opens them.
   */
  detach(reason = 'reload'): Promise<void> {
    this.stopping ??= (async () => {
      this.log.server.info(`Handing over to a new game process: ${escapeForLog(reason)}`);
      await Promise.allSettled(this.frontEnds.map((f) => f.close()));
      this.sessions.flushConnectionErrors();
      this.store.setState(RUNNING, 'no');
      await this.auditTrail.close();
      await this.auditReader.close();
      this.store.close();
      for (const listener of this.stopListeners) listener(reason);
    })();
    return this.stopping;
  }
}
