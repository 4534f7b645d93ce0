import type { CharacterCommand } from '../command.ts';

/** A player's own settings: each kept as an attribute of their character, so it survives logins. */
const SETTINGS: Record<string, { attribute: string; help: string }> = {
  prompt: { attribute: 'prompt', help: 'the prompt after each command (and the GA/EOR mark telnet clients key on)' },
};

const onOff = (value: unknown): string => (value === false ? 'off' : 'on');

export const config: CharacterCommand = {
  key: 'config',
  category: 'Account',
  help: 'config [<setting> on|off] — show or change your settings (config prompt off).',
  run({ caller, args, reply }) {
    if (!args) {
      const lines = Object.entries(SETTINGS).map(([name, s]) => `  ${name}: ${onOff(caller.attributes.get(s.attribute, true))} — ${s.help}`);
      return reply(['Your settings:', ...lines].join('\n'));
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
