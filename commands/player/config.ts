import type { SessionTransport } from '../../server/sessions/transport.ts';
import type { CharacterCommand } from '../command.ts';

/** A player's own settings: each kept as an attribute of their character, so it survives logins. */
const SETTINGS: Record<string, { attribute: string; help: string }> = {
  prompt: { attribute: 'prompt', help: 'the prompt after each command (and the GA/EOR mark telnet clients key on)' },
};

const onOff = (value: unknown): string => (value === false ? 'off' : 'on');

/** What the client told us about itself (Evennia's `option` lists the same: client, screen width). */
function describeConnection(transport: SessionTransport): string {
  const client = transport.clientName ? `client ${transport.clientName}` : 'client unnamed';
  const width = transport.width ? `${transport.width} columns wide` : 'width not told';
  return `${transport.protocol}, ${client}, ${width}`;
}

export const config: CharacterCommand = {
  key: 'config',
  category: 'Account',
  help: 'config [<setting> on|off] — show or change your settings (config prompt off), and what the game knows of your client.',
  run({ caller, args, reply, session }) {
    if (!args) {
      const lines = Object.entries(SETTINGS).map(([name, s]) => `  ${name}: ${onOff(caller.attributes.get(s.attribute, true))} — ${s.help}`);
      return reply(['Your settings:', ...lines, `Your connection: ${describeConnection(session.transport)}.`].join('\n'));
    }
    const [name = '', value = '', ...rest] = args.toLowerCase().split(/\s+/);
    const setting = SETTINGS[name];
    if (!setting) return reply(`There is no setting '${name}' (known: ${Object.keys(SETTINGS).join(', ')}).`);
    if (!value) return reply(`${name}: ${onOff(caller.attributes.get(setting.attribute, true))}`);
    if (rest.length || (value !== 'on' && value !== 'off')) return reply(`Usage: config ${name} on|off`);
    caller.attributes.set(setting.attribute, value === 'on');
    reply(`${name} is ${value} now.`);
  },
};
