import { actorOf, auditEvent, MASK, targetOf } from '../server/audit/events.ts';
import { Exit } from '../typeclasses/exit.ts';
import { PasswordQueueFullError } from '../typeclasses/passwords.ts';
import type { Account } from '../typeclasses/account.ts';
import type { DefaultObject } from '../typeclasses/object.ts';
import { SessionClosedError, type Session } from '../server/sessions/session.ts';
import { escapeForLog, maskedArgs } from '../server/text.ts';
import { type BaseContext, type CharacterCommand, type CharacterContext, type Command, type CommandPorts, type LoginCommand } from './command.ts';
import { parseLock, type Lock } from './locks.ts';
import { loginOutOfBand } from './account/login.ts';
import { channelCommand } from './player/channels.ts';

interface Entry<Ctx extends BaseContext> {
  command: Command<Ctx>;
  lock: Lock;
}

/** A command set, indexed by every key and alias, lower-cased. */
export class CommandSet<Ctx extends BaseContext> {
  private readonly byName = new Map<string, Entry<Ctx>>();
  readonly commands: readonly Command<Ctx>[];

  constructor(commands: readonly Command<Ctx>[]) {
    this.commands = commands;
    for (const command of commands) {
      const entry = { command, lock: parseLock(command.lock) };
      for (const name of [command.key, ...(command.aliases ?? [])]) {
        const lower = name.toLowerCase();
        if (this.byName.has(lower)) throw new Error(`Two commands answer to '${name}'`);
        this.byName.set(lower, entry);
      }
    }
  }

  get(name: string): Entry<Ctx> | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** The commands `account` may use, by their locks as compiled once here. */
  allowedFor(account: Account | null): Command<Ctx>[] {
    return this.commands.filter((command) => this.get(command.key)!.lock.allows(account));
  }
}

interface ParsedLine {
  /** The command word as typed, without switches. */
  word: string;
  switches: string[];
  args: string;
}

/** Splits `@typeclass/noinit box = x` into word, switches and args; `'hi` and `:waves` too. */
export function parseLine(line: string, glued: (symbol: string) => boolean): ParsedLine | null {
  const text = line.trim();
  if (!text) return null;
  const first = text[0]!;
  if (!/[\p{L}\p{N}@_]/u.test(first) && glued(first)) {
    return { word: first, switches: [], args: text.slice(1).trim() };
  }
  const space = text.search(/\s/);
  const head = space < 0 ? text : text.slice(0, space);
  const args = space < 0 ? '' : text.slice(space + 1).trim();
  const [word, ...switches] = head.split('/');
  return { word: word || head, switches: switches.filter(Boolean).map((s) => s.toLowerCase()), args };
}

/**
 * Finds the command for a line in the merged command sets (login commands, or the character's
 * commands plus the exits of its room), checks its lock, calls the caller's `atPreCmd` and runs
 * it inside one unit of work, so a command's writes commit together when it returns.
 */
export class Dispatcher {
  private readonly cmdsets: BaseContext['cmdsets'];

  constructor(
    private readonly ports: CommandPorts,
    readonly loginCommands: CommandSet<BaseContext>,
    readonly characterCommands: CommandSet<CharacterContext>,
  ) {
    this.cmdsets = { login: loginCommands, character: characterCommands };
  }

  async handle(session: Session, line: string): Promise<void> {
    // A full audit backlog refuses commands (MUD_AUDIT_ON_FULL=refuse): the game must not act
    // unaudited. Leaving stays possible.
    const refused = this.ports.auditRefusal();
    if (refused && !/^\s*quit\s*$/i.test(line)) {
      session.msg(refused);
      return;
    }
    const account = session.account;
    const caller = session.puppet;
    if (!account || !caller) {
      const parsed = parseLine(line, (s) => !!this.loginCommands.get(s));
      if (!parsed) return;
      const entry = this.loginCommands.get(parsed.word);
      if (!entry) return this.unknown(session, parsed.word);
      return this.run(session, entry.command as LoginCommand, this.baseContext(session, parsed), () => {});
    }
    const parsed = parseLine(line, (s) => !!this.characterCommands.get(s));
    if (!parsed) return;
    const room = caller.location;
    let command: CharacterCommand | undefined;
    const entry = this.characterCommands.get(parsed.word);
    if (entry) {
      if (!entry.lock.allows(account)) {
        // A refused privileged command is a probe worth knowing about (a Player trying
        // @shutdown or @password sysop = …): audited, with its arguments masked as if it ran.
        this.ports.auditBus.emit(
          auditEvent('access_denied', actorOf(session), {
            by: caller,
            location: caller.location?.key ?? null,
            success: false,
            payload: deniedPayload(entry.command, parsed, account, entry.lock.needs),
          }),
        );
        session.msg(`You are not allowed to use '${entry.command.key}': it needs ${entry.lock.needs} permission.`);
        return;
      }
      // A muted account's say, pose or whisper is still a command (counted, in the command log),
      // but says nothing to anyone (channels check the same in talk()).
      const mutedLine = entry.command.speech ? this.ports.staff.mutedLine(account) : null;
      command = mutedLine ? { ...entry.command, run: ({ reply }) => reply(mutedLine) } : entry.command;
    } else {
      // An exit by its first word ("north", not "north/x"), or by the whole line for a name of
      // several words ("iron gate"); never by dbref.
      const byWord = parsed.switches.length ? null : room?.exitNamed(parsed.word);
      const exit = byWord ?? room?.exitNamed(line.trim());
      if (exit instanceof Exit) command = exitCommand(exit);
      // Then a channel by name or alias: `pub hello`.
      const channel = exit ? null : this.ports.channels.find(parsed.word);
      if (channel && !parsed.switches.length && this.ports.channels.canListen(account, channel)) command = channelCommand(channel);
    }
    if (!command) return this.unknown(session, parsed.word);
    const run = command;
    let target: DefaultObject | Account | null = null;
    let denied = false;
    const ctx: CharacterContext = {
      ...this.baseContext(session, parsed),
      account,
      caller,
      room,
      noteTarget: (obj) => (target = obj),
      deny: (needs, why) => {
        denied = true;
        ctx.audit('access_denied', { success: false, payload: deniedPayload(run, parsed, account, needs) });
        ctx.reply(why);
      },
    };
    const privileged = entry?.lock.needs && PRIVILEGED.has(entry.lock.needs) ? entry.lock.needs : null;
    await this.run(session, run, ctx, () => caller.atPreCmd(run, parsed.args, parsed.switches), (ok) => {
      // A refused privileged use has its access_denied event; it did not "run".
      if (!privileged || denied) return;
      ctx.audit('builder_command', {
        success: ok,
        target: target ? targetOf(target) : null,
        // `permission`: what the command's lock needs; `level`: what the actor holds.
        payload: { command: run.key, args: maskedArgs(run, parsed.args), switches: parsed.switches, permission: privileged, level: account.permissionLevel },
      });
    });
  }

  /**
   * GMCP Char.Login.Credentials: the same login attempt `connect` makes (lock-out, audit
   * events), in its own unit of work, answered with Char.Login.Result. The password is in no
   * line, so in no command trail; a failure is logged without it.
   */
  async loginOutOfBand(session: Session, name: string, password: string): Promise<void> {
    const ctx = this.baseContext(session, { word: 'Char.Login.Credentials', switches: [], args: '' });
    try {
      if (this.ports.auditRefusal()) return session.oob('Char.Login.Result', { success: false, message: this.ports.auditRefusal() });
      await loginOutOfBand(ctx, name, password);
    } catch (error) {
      if (error instanceof SessionClosedError) return;
      this.ports.log.error(`GMCP login on session #${session.id} failed: ${escapeForLog((error as Error)?.name ?? 'Error')} (message withheld: it may carry a password)`);
      session.oob('Char.Login.Result', { success: false, message: 'Internal error.' });
    }
  }

  private baseContext(session: Session, parsed: ParsedLine): BaseContext {
    const { ports } = this;
    return {
      ...ports,
      cmdsets: this.cmdsets,
      session,
      args: parsed.args,
      switches: parsed.switches,
      reply: (text) => session.msg(text),
      audit: (type, fields) =>
        ports.auditBus.emit(auditEvent(type, actorOf(session), { by: session.puppet, location: session.puppet?.location?.key ?? null, ...fields })),
    };
  }

  private unknown(session: Session, word: string): void {
    session.msg(`Command '${word}' is not available. Type "help" for help.`);
  }

  private async run<Ctx extends BaseContext>(
    session: Session,
    command: Command<Ctx>,
    ctx: Ctx,
    preCmd: () => void,
    done: (ok: boolean) => void = () => {},
  ): Promise<void> {
    const unknownSwitch = unknownSwitchLine(command, ctx.switches);
    if (unknownSwitch) {
      // Nothing ran, but a privileged command tried and refused is in the trail all the same
      // (as a failed builder_command, the typed switches in its payload).
      done(false);
      return session.msg(unknownSwitch);
    }
    try {
      // Two units: the caller's pre-command hook (an audited character counts the command)
      // stands even if the command itself then fails and is undone.
      this.ports.unitOfWork(preCmd);
      await this.ports.unitOfWork(() => command.run(ctx));
      done(true);
    } catch (error) {
      done(false);
      if (error instanceof SessionClosedError) return;
      // Too many passwords being hashed (create, password, @password): nothing broke, say so.
      if (error instanceof PasswordQueueFullError) return session.msg(error.message);
      this.reportError(session, command, error);
      session.msg(`Sorry, '${command.key}' failed with an internal error; the operators can find it in the server log.`);
    }
  }

  /** A command threw: the server log gets the stack, never a secret argument. */
  private reportError(session: Session, command: Command<never>, error: unknown): void {
    let text = String((error as Error)?.stack ?? error);
    if (command.secretArgs) {
      // The message may quote what was typed, and masking word by word is guesswork: the
      // message goes, the stack frames (code locations only) stay.
      const frames = text.split('\n').filter((line) => /^\s+at /.test(line));
      text = [`${(error as Error)?.name ?? 'Error'}: ${MASK} (message withheld: the command carries a password)`, ...frames].join('\n');
    }
    const who = session.puppet?.key ?? session.account?.name ?? `session #${session.id}`;
    this.ports.log.error(`Command '${command.key}' by ${escapeForLog(who)} failed: ${escapeForLog(text)}`);
  }
}

/** What an `access_denied` event records: the command as typed (arguments masked), what it needs, what the actor has. */
function deniedPayload(command: { key: string; secretArgs?: boolean }, parsed: ParsedLine, account: Account, needs: string): Record<string, unknown> {
  return { command: command.key, switches: parsed.switches, args: maskedArgs(command, parsed.args), needs, level: account.permissionLevel };
}

/**
 * `Unknown switch /foo for @audit. Try: /search, /moves, …` — said, never silently ignored, for
 * every command in one place: a typo in a switch must not quietly run something else.
 */
export function unknownSwitchLine(command: Pick<Command<never>, 'key' | 'switches'>, typed: readonly string[]): string | null {
  const known = command.switches ?? [];
  const unknown = typed.find((s) => !known.includes(s));
  if (unknown === undefined) return null;
  const tryThese = known.length ? `Try: ${known.map((s) => `/${s}`).join(', ')}.` : `It takes no switches.`;
  return `Unknown switch /${unknown} for ${command.key}. ${tryThese}`;
}

/** Commands whose lock needs one of these are builder/admin actions, audited as such. */
const PRIVILEGED = new Set(['Builder', 'Admin', 'Developer']);

/** An exit in the room acts as a command named by its key and aliases. */
function exitCommand(exit: Exit): CharacterCommand {
  return {
    key: exit.key,
    help: `${exit.key} — go through this exit.`,
    run: ({ caller }) => void exit.traverse(caller),
  };
}
