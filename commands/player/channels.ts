import type { ChannelRecord } from '../../server/channels/channels.ts';
import { channelLock, channelText } from '../../server/channels/channels.ts';
import type { AuditTarget } from '../../server/audit/events.ts';
import { listNames } from '../../server/text.ts';
import type { CharacterCommand, CharacterContext } from '../command.ts';

const channelTarget = (channel: ChannelRecord): AuditTarget => ({ kind: 'channel', id: channel.id, name: channel.key });

/** `<alias> <text>`: a line on a channel, kept in its history and audited as a chat event. */
export function talk(ctx: CharacterContext, channel: ChannelRecord, text: string): void {
  const { caller, account, channels, reply } = ctx;
  if (!channels.canListen(account, channel)) return reply(`There is no channel '${channel.key}' you may use.`);
  if (!channels.isOn(caller, channel)) return reply(`You are not on [${channel.key}]; "channel/join ${channel.key}" joins it.`);
  if (!channels.canSend(account, channel)) return reply(`You may not talk on [${channel.key}].`);
  if (!text) return reply(`Say what on [${channel.key}]?`);
  const muted = ctx.staff.mutedLine(account);
  if (muted) return reply(muted);
  channels.speak(channel, caller, text);
  ctx.audit('channel', { target: channelTarget(channel), payload: { channel: channel.key, text } });
}

/** The command a channel's name and aliases answer to (the dispatcher asks after commands and exits). */
export function channelCommand(channel: ChannelRecord): CharacterCommand {
  return {
    key: channel.key,
    category: 'Communication',
    help: `${channel.aliases[0] ?? channel.key} <text> — talk on [${channel.key}].`,
    run: (ctx) => talk(ctx, channel, ctx.args),
  };
}

export const channelsList: CharacterCommand = {
  key: 'channels',
  aliases: ['comlist'],
  category: 'Communication',
  help: 'channels — the channels there are, which you are on, and how to talk on each.',
  run({ caller, account, channels, reply }) {
    const rows = channels
      .list()
      .filter((c) => channels.canListen(account, c))
      .map((c) => {
        const on = channels.isOn(caller, c) ? 'on ' : 'off';
        const aliases = c.aliases.length ? ` (${c.aliases.join(', ')})` : '';
        return `  [${on}] ${c.key}${aliases} — ${c.description || 'no description'}; ${channels.who(c).length} listening`;
      });
    if (!rows.length) return reply('There are no channels you may use.');
    reply(['Channels (talk with "<name or alias> <text>"; channel/join, channel/leave):', ...rows].join('\n'));
  },
};

const SWITCHES = ['join', 'leave', 'who', 'history'] as const;

export const channel: CharacterCommand = {
  key: 'channel',
  aliases: ['chan'],
  category: 'Communication',
  switches: SWITCHES,
  help:
    'channel/join|leave|who <channel>, channel/history <channel> [N] — join or leave a channel, see who is on it, read its last lines.\n' +
    'channel <channel> = <text> talks on it, as "<alias> <text>" does.',
  run(ctx) {
    const { caller, account, channels, args, switches, reply } = ctx;
    const [sw, ...more] = switches;
    if (more.length) return reply(`One switch at a time: channel/${sw} or channel/${more[0]}.`);
    if (!sw) {
      const at = args.indexOf('=');
      if (at < 0) return reply('Usage: channel/join|leave|who <channel>, channel/history <channel> [N], channel <channel> = <text>');
      const target = channels.find(args.slice(0, at));
      if (!target || !channels.canListen(account, target)) return reply(`There is no channel '${args.slice(0, at).trim()}' you may use.`);
      return talk(ctx, target, args.slice(at + 1).trim());
    }
    const [name = '', count] = args.split(/\s+/);
    const target = name ? channels.find(name) : null;
    if (!target || !channels.canListen(account, target)) return reply(name ? `There is no channel '${name}' you may use.` : `Usage: channel/${sw} <channel>`);
    switch (sw) {
      case 'join':
        if (channels.isOn(caller, target)) return reply(`You are already on [${target.key}].`);
        channels.join(caller, target);
        reply(`You join [${target.key}].`);
        return showHistory(ctx, target, 5);
      case 'leave':
        if (!channels.isOn(caller, target)) return reply(`You are not on [${target.key}].`);
        channels.leave(caller, target);
        return reply(`You leave [${target.key}].`);
      case 'who': {
        const names = channels.who(target).map((c) => c.key);
        return reply(names.length ? `On [${target.key}] now: ${listNames(names)}.` : `Nobody is listening to [${target.key}] now.`);
      }
      case 'history': {
        const n = count === undefined ? target.keepLines : Number(count);
        if (!Number.isInteger(n) || n < 1) return reply('Usage: channel/history <channel> [N], N a whole number from 1');
        return showHistory(ctx, target, n, true);
      }
    }
  },
};

function showHistory(ctx: CharacterContext, target: ChannelRecord, n: number, always = false): void {
  const lines = ctx.channels.history(target, n);
  if (!lines.length) return always ? ctx.reply(`Nothing has been said on [${target.key}] yet.`) : undefined;
  ctx.reply([`Last ${lines.length === 1 ? 'line' : `${lines.length} lines`} on [${target.key}]:`, ...lines.map((l) => `  ${l.ts.slice(11, 19)} ${channelText(target, l)}`)].join('\n'));
}

const NAME = /^[A-Za-z][\w-]{0,29}$/;

export const channelCreate: CharacterCommand = {
  key: '@ccreate',
  lock: 'cmd:perm(Builder)',
  category: 'Building',
  help: '@ccreate <name>[;<alias>;...] [= <description>] — make a channel (everyone may listen and talk until @cset says otherwise).',
  run({ caller, channels, args, reply }) {
    const at = args.indexOf('=');
    const names = (at < 0 ? args : args.slice(0, at)).split(';').map((n) => n.trim()).filter(Boolean);
    const description = at < 0 ? '' : args.slice(at + 1).trim();
    if (!names.length) return reply('Usage: @ccreate <name>[;<alias>;...] [= <description>]');
    const bad = names.find((n) => !NAME.test(n));
    if (bad) return reply(`'${bad}' cannot name a channel: a letter, then letters, digits, - or _ (30 at most).`);
    const taken = names.find((n) => channels.find(n));
    if (taken) return reply(`There is already a channel called '${taken}'.`);
    const made = channels.create(names[0]!, names.slice(1), description);
    channels.join(caller, made);
    reply(`Created channel [${made.key}]${made.aliases.length ? ` (aliases ${made.aliases.join(', ')})` : ''}; you are on it.`);
  },
};

export const channelDestroy: CharacterCommand = {
  key: '@cdestroy',
  lock: 'cmd:perm(Builder)',
  category: 'Building',
  help: '@cdestroy <channel> — remove a channel and its history.',
  run({ channels, args, reply }) {
    const target = args ? channels.find(args) : null;
    if (!target) return reply(args ? `There is no channel '${args}'.` : 'Usage: @cdestroy <channel>');
    if (target.key.toLowerCase() === 'public') return reply('[public] is the channel everyone is on; it stays.');
    channels.destroy(target);
    reply(`Destroyed channel [${target.key}].`);
  },
};

export const channelSet: CharacterCommand = {
  key: '@cset',
  lock: 'cmd:perm(Builder)',
  category: 'Building',
  help:
    '@cset <channel>/listen|send = all()|perm(<level>), @cset <channel>/keep = <lines>, @cset <channel>/desc = <text> — who may listen, who may talk, how many lines are kept.',
  run({ channels, args, reply }) {
    const m = /^([^/=]+)\/(\w+)\s*=\s*(.*)$/.exec(args);
    if (!m) return reply('Usage: @cset <channel>/listen|send|keep|desc = <value>');
    const [, name, what, value] = m as unknown as [string, string, string, string];
    const target = channels.find(name);
    if (!target) return reply(`There is no channel '${name.trim()}'.`);
    switch (what.toLowerCase()) {
      case 'listen':
      case 'send': {
        try {
          channelLock(value);
        } catch {
          return reply(`'${value}' is not a channel lock: use all() or perm(Player|Builder|Admin).`);
        }
        const field = what.toLowerCase() === 'listen' ? 'listenLock' : 'sendLock';
        channels.update(target, { [field]: value.trim() });
        return reply(`[${target.key}] ${what.toLowerCase()} lock is ${value.trim()} now.`);
      }
      case 'keep': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1 || n > 1000) return reply('The number of lines kept is a whole number from 1 to 1000.');
        channels.update(target, { keepLines: n });
        return reply(`[${target.key}] keeps its last ${n} lines now.`);
      }
      case 'desc':
        channels.update(target, { description: value.trim() });
        return reply(`[${target.key}] description set.`);
      default:
        return reply(`Unknown switch /${what} for '@cset' (known: /listen, /send, /keep, /desc).`);
    }
  },
};
