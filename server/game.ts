import path from 'node:path';
import type { Command } from '../commands/command.ts';
import { characterCmdset, loginCmdset } from '../commands/cmdsets.ts';
import { Dispatcher } from '../commands/dispatcher.ts';
import type { Account } from '../typeclasses/account.ts';
import { defaultTypeclasses } from '../typeclasses/index.ts';
import type { DefaultObject } from '../typeclasses/object.ts';
import type { TypeclassRegistry } from '../typeclasses/registry.ts';
import { buildWorldOnce, START_ROOM } from '../world/builder.ts';
import { START_WORLD, type WorldData } from '../world/start_world.ts';
import { AccountManager } from './accounts.ts';
import { AuditBus } from './audit/bus.ts';
import { MASK } from './audit/events.ts';
import { plainTextLogSink } from './audit/sinks/text_lines.ts';
import type { AuditReader } from './audit/reader.ts';
import { openAuditTrail, type AuditTrail } from './audit/trail.ts';
import type { GameConfig } from './config.ts';
import type { GameLogs } from './logging/index.ts';
import { LoginGuard, type LoginGuardSettings } from './login_guard.ts';
import { ObjectManager } from './object_manager.ts';
import type { Session } from './session.ts';
import { SessionManager } from './sessions.ts';
import { ObjectStore } from './store/index.ts';
import { escapeForLog } from './text.ts';

/** A network front end (telnet, web): it turns connections into sessions. */
export interface FrontEnd {
  readonly name: string;
  /** Starts listening; resolves with the port actually bound (port 0 picks a free one). */
  listen(): Promise<number>;
  /** Stops accepting and drops what is still connected. */
  close(): Promise<void>;
}

export type FrontEndFactory = (game: Game) => FrontEnd;

export interface GameOptions {
  world?: WorldData;
  typeclasses?: TypeclassRegistry;
  extraCommands?: readonly Command[];
  loginGuard?: LoginGuardSettings;
}

const RUNNING = 'server.running';

/**
 * The game context: everything a module needs is reached from here and passed in, never from a
 * global, so a test can run several games side by side in one process.
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
  /** The outbox and the audit worker behind it: every sink, every log file (server/audit/trail.ts). */
  readonly auditTrail: AuditTrail;
  /** The queryable audit table, for @audit and the console. */
  readonly auditReader: AuditReader;
  private readonly frontEnds: FrontEnd[] = [];
  private stopping: Promise<void> | null = null;
  private readonly stopListeners: Array<(reason: string) => void> = [];

  constructor(
    readonly config: GameConfig,
    options: GameOptions = {},
  ) {
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
    this.typeclasses = options.typeclasses ?? defaultTypeclasses();
    this.objects = new ObjectManager(this, this.store, this.typeclasses);
    this.accounts = new AccountManager(this.store);
    this.sessions = new SessionManager(this);
    this.dispatcher = new Dispatcher(this, loginCmdset(), characterCmdset(options.extraCommands));
    this.loginGuard = new LoginGuard(options.loginGuard);

    if (this.store.getState(RUNNING) === 'yes') {
      this.log.server.warn('The previous run did not shut down cleanly (crash or kill -9); the database was recovered from its WAL.');
    }
    this.objects.load((record, fallback) =>
      this.log.server.warn(`Object #${record.id} '${escapeForLog(record.key)}' has unknown typeclass '${escapeForLog(record.typeclass)}'; loaded as ${fallback}`),
    );
    if (buildWorldOnce(this, options.world ?? START_WORLD)) this.log.server.info(`Built the starting world (${this.objects.count} objects)`);
    this.store.setState(RUNNING, 'yes');
    this.log.server.info(`Game loaded: ${this.objects.count} objects, ${this.store.countAccounts()} accounts, data in ${config.dataDir}`);
  }

  /** Starts the front ends; resolves with the ports they bound, by name. */
  async listen(factories: readonly FrontEndFactory[]): Promise<Record<string, number>> {
    const ports: Record<string, number> = {};
    for (const factory of factories) {
      const frontEnd = factory(this);
      ports[frontEnd.name] = await frontEnd.listen();
      this.frontEnds.push(frontEnd);
      this.log.server.info(`${frontEnd.name} listening on ${this.config.host}:${ports[frontEnd.name]}`);
    }
    return ports;
  }

  banner(): string {
    return [
      '',
      `Welcome to ${this.config.serverName}!`,
      '',
      '  create <name>        make an account (the game asks for a password)',
      '  connect <name>       log in to your account',
      '  help                 what else you can do',
      '  quit                 leave',
      '',
    ].join('\n');
  }

  startRoom(): DefaultObject {
    const room = this.objects.get(Number(this.store.getState(START_ROOM)));
    if (!room) throw new Error('The start room is gone; set server_state world.start_room to an existing room id');
    return room;
  }

  characterOf(account: Account): DefaultObject | null {
    for (const obj of this.objects.all()) if (obj.record.accountId === account.id) return obj;
    return null;
  }

  createCharacter(account: Account): DefaultObject {
    const start = this.startRoom();
    return this.objects.create({
      typeclass: this.config.defaultCharacterTypeclass,
      key: account.name,
      location: start,
      home: start,
      accountId: account.id,
    });
  }

  /** A command threw: the server log gets the stack, never a secret argument. */
  reportCommandError(session: Session, command: Command<never>, error: unknown): void {
    let text = String((error as Error)?.stack ?? error);
    if (command.secretArgs) {
      // The message may quote what was typed, and masking word by word is guesswork: the
      // message goes, the stack frames (code locations only) stay.
      const frames = text.split('\n').filter((line) => /^\s+at /.test(line));
      text = [`${(error as Error)?.name ?? 'Error'}: ${MASK} (message withheld: the command carries a password)`, ...frames].join('\n');
    }
    const who = session.puppet?.key ?? session.account?.name ?? `session #${session.id}`;
    this.log.server.error(`Command '${command.key}' by ${escapeForLog(who)} failed: ${escapeForLog(text)}`);
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
      // Every connection is told and closed first, then each is unpuppeted (hooks, audit):
      // in one pass, each unpuppet told the players still connected that someone left, which
      // made stopping a crowded server quadratic (the bench saw 5-9 s for 1000 players).
      const sessions = this.sessions.all();
      for (const session of sessions) session.disconnect(`The server is shutting down (${reason}).`, 'server shutdown');
      for (const session of sessions) session.connectionLost('server shutdown');
      await Promise.allSettled(this.frontEnds.map((f) => f.close()));
      this.store.setState(RUNNING, 'no');
      this.log.server.info('Shutdown complete');
      // Every sink takes what was committed and the log files close, before the store closes.
      await this.auditTrail.close();
      this.auditReader.close();
      this.store.close();
      for (const listener of this.stopListeners) listener(reason);
    })();
    return this.stopping;
  }
}
