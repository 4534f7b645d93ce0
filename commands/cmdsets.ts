import { loginCommands } from './account/login.ts';
import { setPassword } from './admin/set_password.ts';
import { shutdown } from './admin/shutdown.ts';
import { users } from './admin/users.ts';
import { ban, bans, lockdown, unban, unlock } from './admin/bans.ts';
import { boot, mute, unmute, wall } from './admin/moderation.ts';
import { perm } from './admin/permissions.ts';
import { report, reports } from './admin/reports.ts';
import { createObject, destroy, dig, open } from './builder/building.ts';
import { describe, rename, setAttribute } from './builder/editing.ts';
import { examine, find } from './builder/inspection.ts';
import { teleport } from './builder/teleport.ts';
import { typeclass } from './builder/typeclass.ts';
import type { BaseContext, CharacterContext } from './command.ts';
import { CommandSet } from './dispatcher.ts';
import { claim, password, quit } from './player/account.ts';
import { config } from './player/config.ts';
import { channel, channelCreate, channelDestroy, channelSet, channelsList } from './player/channels.ts';
import { pose, say, whisper } from './player/communication.ts';
import { help } from './player/help.ts';
import { drop, get, give, inventory } from './player/items.ts';
import { look } from './player/look.ts';
import { go, home } from './player/movement.ts';
import { who } from './player/who.ts';
import { audit } from './audit/audit.ts';
import type { CharacterCommand } from './command.ts';

/** What a connection can do before logging in. */
export function loginCmdset(): CommandSet<BaseContext> {
  return new CommandSet(loginCommands);
}

/** What a puppeted character can do; `extra` lets a game (or a test) add commands of its own. */
export function characterCmdset(extra: readonly CharacterCommand[] = []): CommandSet<CharacterContext> {
  return new CommandSet<CharacterContext>([
    look, say, pose, whisper, who, inventory, get, drop, give, go, home, help, password, claim, config, quit,
    channelsList, channel, channelCreate, channelDestroy, channelSet,
    dig, open, createObject, describe, rename, setAttribute, examine, find, teleport, destroy, typeclass,
    users, shutdown, setPassword, audit,
    report, boot, ban, unban, bans, mute, unmute, wall, lockdown, perm, unlock, reports,
    ...extra,
  ]);
}
