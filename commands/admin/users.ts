import { pad } from '../../server/text.ts';
import { ADMIN } from '../builder/syntax.ts';
import type { CharacterCommand } from '../command.ts';

export const users: CharacterCommand = {
  key: '@users',
  aliases: ['@accounts'],
  lock: ADMIN,
  category: 'Admin',
  help: '@users — list accounts with permission, last login, address and protocol.',
  run({ sessions, accounts, reply }) {
    const online = new Set(sessions.loggedIn().map((s) => s.account!.id));
    const header = `${pad('Account', 20)} ${pad('Permission', 10)} ${pad('Last login (UTC)', 20)} ${pad('Address', 16)} Protocol`;
    const rows = accounts.all().map((a) => {
      const when = a.record.lastLogin ? a.record.lastLogin.slice(0, 19).replace('T', ' ') : 'never';
      const name = `${a.name}${online.has(a.id) ? ' *' : ''}`;
      return `${pad(name, 20)} ${pad(a.permissionLevel, 10)} ${pad(when, 20)} ${pad(a.record.lastLoginAddr ?? '-', 16)} ${a.record.lastProtocol ?? '-'}`;
    });
    reply([header, ...rows, `${rows.length} account(s); * = online now.`].join('\n'));
  },
};
