/**
 * Channels (Evennia's Channel typeclass, in small): named, game-wide conversations with locks
 * (who may listen, who may talk) and their last lines kept, so someone who joins or logs in
 * later catches up. Every character is on `public` unless they leave it; what a character is on
 * is its `channels` attribute. Telling the listeners is here; auditing is the command's job.
 */
import { parseLock, type Lock } from '../../commands/locks.ts';
import type { Account } from '../../typeclasses/account.ts';
import type { DefaultObject } from '../../typeclasses/object.ts';
import type { Session } from '../sessions/session.ts';
import type { SessionManager } from '../sessions/session_manager.ts';
import type { ChannelLine, ChannelRecord, ChannelStore } from '../store/channel_store.ts';

export type { ChannelLine, ChannelRecord } from '../store/channel_store.ts';

/** The channels a character is on when it never chose. */
const DEFAULT_CHANNELS = ['public'];
const MEMBERSHIP = 'channels';

/** A channel lock: `all()` or `perm(Builder)`, the lock functions commands use. */
export function channelLock(text: string): Lock {
  return parseLock(`cmd:${text.trim()}`);
}

/** `[public] Anna: hello`, as every listener sees it. */
export const channelText = (channel: ChannelRecord, line: Pick<ChannelLine, 'speaker' | 'text'>): string =>
  `[${channel.key}] ${line.speaker}: ${line.text}`;

export class Channels {
  private channels: ChannelRecord[];

  constructor(
    private readonly store: ChannelStore,
    private readonly sessions: Pick<SessionManager, 'loggedIn'>,
  ) {
    this.channels = store.all();
  }

  list(): readonly ChannelRecord[] {
    return this.channels;
  }

  /** By key or alias, any case. */
  find(name: string): ChannelRecord | null {
    const lower = name.trim().toLowerCase();
    return this.channels.find((c) => c.key.toLowerCase() === lower || c.aliases.some((a) => a.toLowerCase() === lower)) ?? null;
  }

  canListen(account: Account | null, channel: ChannelRecord): boolean {
    return channelLock(channel.listenLock).allows(account);
  }

  canSend(account: Account | null, channel: ChannelRecord): boolean {
    return channelLock(channel.sendLock).allows(account);
  }

  isOn(character: DefaultObject, channel: ChannelRecord): boolean {
    return this.memberships(character).includes(channel.key.toLowerCase()) && this.canListen(character.account, channel);
  }

  /** The channels `character` is on (and may listen to), in the order they were made. */
  joined(character: DefaultObject): ChannelRecord[] {
    return this.channels.filter((c) => this.isOn(character, c));
  }

  join(character: DefaultObject, channel: ChannelRecord): void {
    const names = this.memberships(character);
    if (!names.includes(channel.key.toLowerCase())) character.attributes.set(MEMBERSHIP, [...names, channel.key.toLowerCase()]);
  }

  leave(character: DefaultObject, channel: ChannelRecord): void {
    character.attributes.set(MEMBERSHIP, this.memberships(character).filter((n) => n !== channel.key.toLowerCase()));
  }

  /** Characters on the channel who are online now. */
  who(channel: ChannelRecord): DefaultObject[] {
    const seen = new Set<DefaultObject>();
    for (const s of this.sessions.loggedIn()) if (s.puppet && this.isOn(s.puppet, channel)) seen.add(s.puppet);
    return [...seen];
  }

  /** Keeps the line and tells everyone on the channel who is online (GMCP Comm.Channel.Text too). */
  speak(channel: ChannelRecord, speaker: DefaultObject, text: string): void {
    const line: ChannelLine = { ts: new Date().toISOString(), speaker: speaker.key, speakerId: speaker.id, text };
    this.store.append(channel, line);
    const shown = channelText(channel, line);
    for (const session of this.sessions.loggedIn()) {
      if (!session.puppet || !this.isOn(session.puppet, channel)) continue;
      session.msg(shown);
      session.oob('Comm.Channel.Text', { channel: channel.key, talker: speaker.key, text: shown });
    }
  }

  history(channel: ChannelRecord, n = channel.keepLines): ChannelLine[] {
    return this.store.last(channel.id, Math.max(1, Math.min(n, channel.keepLines)));
  }

  /** At login: GMCP Comm.Channel.List, and the last lines of each channel the character is on. */
  catchUp(session: Session): void {
    const character = session.puppet;
    if (!character) return;
    session.oob('Comm.Channel.List', this.gmcpList(character));
    for (const channel of this.joined(character)) {
      const lines = this.history(channel);
      if (!lines.length) continue;
      session.msg([`Last on [${channel.key}]:`, ...lines.map((l) => `  ${l.ts.slice(11, 19)} ${channelText(channel, l)}`)].join('\n'));
      // The same lines for chat tabs (Mudlet's, the webclient's), marked as history, with their time.
      if (session.wantsOob('Comm.Channel.Text')) {
        for (const l of lines) session.oob('Comm.Channel.Text', { channel: channel.key, talker: l.speaker, text: `${l.ts.slice(11, 19)} ${channelText(channel, l)}`, history: true });
      }
    }
  }

  /** Comm.Channel.List: the channels one may listen to, with the command that talks on each. */
  gmcpList(character: DefaultObject): Array<{ name: string; caption: string; command: string }> {
    return this.channels
      .filter((c) => this.canListen(character.account, c))
      .map((c) => ({ name: c.key, caption: c.description || c.key, command: c.aliases[0] ?? c.key }));
  }

  create(key: string, aliases: string[], description: string): ChannelRecord {
    const channel = this.store.create(key, aliases, description);
    this.channels = [...this.channels, channel];
    this.listChanged();
    return channel;
  }

  destroy(channel: ChannelRecord): void {
    this.store.destroy(channel.id);
    this.channels = this.channels.filter((c) => c.id !== channel.id);
    this.listChanged();
  }

  update(channel: ChannelRecord, changes: Partial<Pick<ChannelRecord, 'listenLock' | 'sendLock' | 'keepLines' | 'description'>>): ChannelRecord {
    const next = { ...channel, ...changes };
    this.store.update(next);
    this.channels = this.channels.map((c) => (c.id === channel.id ? next : c));
    this.listChanged();
    return next;
  }

  /** A channel came, went or changed its lock or caption: chat tabs (Comm.Channel.List) follow at once. */
  private listChanged(): void {
    for (const session of this.sessions.loggedIn()) if (session.puppet) session.oob('Comm.Channel.List', this.gmcpList(session.puppet));
  }

  private memberships(character: DefaultObject): string[] {
    return character.attributes.get<string[]>(MEMBERSHIP, DEFAULT_CHANNELS);
  }
}
