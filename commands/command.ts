import type { AuditBus } from '../server/audit/bus.ts';
import type { AuditEvent, AuditEventType } from '../server/audit/events.ts';
import type { AuditReader } from '../server/audit/reader.ts';
import type { AuditTrailStats, ProofOutcome } from '../server/audit/trail.ts';
import type { Channels } from '../server/channels/channels.ts';
import type { GameConfig } from '../server/config.ts';
import type { GameLogger } from '../server/logging/index.ts';
import type { LoginGuard } from '../server/sessions/login_guard.ts';
import type { Session } from '../server/sessions/session.ts';
import type { SessionManager } from '../server/sessions/session_manager.ts';
import type { Staff } from '../server/staff/staff.ts';
import type { Account, Permission } from '../typeclasses/account.ts';
import type { AccountManager } from '../typeclasses/account_manager.ts';
import type { DefaultObject } from '../typeclasses/object.ts';
import type { ObjectManager } from '../typeclasses/object_manager.ts';
import type { TypeclassRegistry } from '../typeclasses/registry.ts';
import type { CommandSet } from './dispatcher.ts';

/** What the game hands every command, each by name: never the whole game, never SQL. */
export interface CommandPorts {
  readonly config: GameConfig;
  readonly objects: ObjectManager;
  readonly accounts: AccountManager;
  readonly typeclasses: TypeclassRegistry;
  readonly sessions: SessionManager;
  /** The game's channels (`public`, and those Builders make). */
  readonly channels: Channels;
  readonly loginGuard: LoginGuard;
  /** Bans, mutes, the lock-down and reports (server/staff/). */
  readonly staff: Staff;
  /** The bus itself, for an event whose actor is not the session's (use `audit` otherwise). */
  readonly auditBus: Pick<AuditBus, 'emit'>;
  /** The audit table's one read path (server/audit/reader.ts). */
  readonly auditReader: AuditReader;
  /** The sinks' state, for @audit/stats. */
  auditStats(): AuditTrailStats;
  /** Record `seq` of the JSONL trail with its inclusion proof against a signed checkpoint (@audit/proof). */
  auditProof(seq: number): Promise<ProofOutcome>;
  /** Null while commands may run; the line to tell the player while the audit backlog is full. */
  auditRefusal(): string | null;
  /** The server log (mud.server). */
  readonly log: GameLogger;
  /** Runs `work` as one unit of work: after an `await` a command is outside its own. */
  unitOfWork<T>(work: () => T): T;
  /** Stops the server cleanly (@shutdown). */
  shutdown(reason: string): Promise<void>;
}

/** What every command gets when it runs. */
export interface BaseContext extends CommandPorts {
  session: Session;
  /** The command sets the dispatcher looks commands up in (what `help` lists). */
  cmdsets: { readonly login: CommandSet<BaseContext>; readonly character: CommandSet<CharacterContext> };
  /** What the player typed after the command word, trimmed. */
  args: string;
  /** `/switches` typed after the command word (`@typeclass/noinit` → ['noinit']). */
  switches: string[];
  /** Sends text to the person who typed the command. */
  reply(text: string): void;
  /** States what happened as an audit event, with this session as the actor and its room. */
  audit(type: AuditEventType, fields?: Partial<Pick<AuditEvent, 'target' | 'payload' | 'success'>>): void;
}

/** A command run by a logged-in player's character. */
export interface CharacterContext extends BaseContext {
  account: Account;
  caller: DefaultObject;
  room: DefaultObject | null;
  /** Names the object a builder command acted on, for the admin trail. */
  noteTarget(target: DefaultObject | Account): void;
  /**
   * Refuses a privileged use of a command the lock let through (`@set` of an audit counter by a
   * Builder): tells the player `why` and audits `access_denied` (arguments masked).
   */
  deny(needs: Permission, why: string): void;
}

export type LoginContext = BaseContext;

/**
 * One command: its syntax and help live with its code. `help`'s first line is the usage line
 * players see in the `help` index.
 */
export interface Command<Ctx extends BaseContext = CharacterContext> {
  key: string;
  aliases?: readonly string[];
  /** `cmd:all()` or `cmd:perm(Builder)`; defaults to everyone. */
  lock?: string;
  category?: string;
  help: string;
  /** The arguments carry a password: counted, but masked in every trail. */
  secretArgs?: boolean;
  /**
   * The `/switches` it takes; the dispatcher refuses any other with this list, for every
   * command alike. Omitted: it takes none.
   */
  switches?: readonly string[];
  /** The command talks to others (say, pose, whisper): refused while the account is muted. */
  speech?: boolean;
  run(ctx: Ctx): void | Promise<void>;
}

export type CharacterCommand = Command<CharacterContext>;
export type LoginCommand = Command<LoginContext>;

/** A command's one-line usage: the first line of its help. */
export function usage(command: Command<never>): string {
  return command.help.split('\n', 1)[0]!;
}
