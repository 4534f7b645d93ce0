import { MASK, type AuditEvent, type AuditEventType } from '../server/audit/events.ts';
import type { Account } from '../typeclasses/account.ts';
import type { DefaultObject } from '../typeclasses/object.ts';
import type { Game } from '../server/game.ts';
import type { Session } from '../server/sessions/session.ts';

/** What every command gets when it runs. */
export interface BaseContext {
  game: Game;
  session: Session;
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
  run(ctx: Ctx): void | Promise<void>;
}

export type CharacterCommand = Command<CharacterContext>;
export type LoginCommand = Command<LoginContext>;

/** A command's one-line usage: the first line of its help. */
export function usage(command: Command<never>): string {
  return command.help.split('\n', 1)[0]!;
}

/** A command's arguments as every trail may show them: `***` when they carry a password. */
export function maskedArgs(command: Command<never>, args: string): string {
  return args && command.secretArgs ? MASK : args;
}
