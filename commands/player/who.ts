import { pad } from '../../server/text.ts';
import type { CharacterCommand } from '../command.ts';

function idle(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
}

export const who: CharacterCommand = {
  key: 'who',
  category: 'General',
  help: 'who — list the players online (builders also see where they are and how they connect).',
  run({ sessions: online, account, reply }) {
    const now = Date.now();
    const sessions = online.loggedIn();
    const detailed = account.hasPermission('Builder');
    const lines = [detailed ? `${pad('Name', 20)} ${pad('Idle', 6)} ${pad('Room', 20)} Connection` : `${pad('Name', 20)} Idle`];
    for (const s of sessions) {
      const name = pad(s.puppet?.key ?? s.account!.name, 20);
      if (detailed) {
        lines.push(`${name} ${pad(idle(now - s.lastInputAt), 6)} ${pad(s.puppet?.location?.key ?? '-', 20)} ${s.protocol} ${s.remoteAddress}`);
      } else lines.push(`${name} ${idle(now - s.lastInputAt)}`);
    }
    lines.push(`${sessions.length} player${sessions.length === 1 ? '' : 's'} online.`);
    reply(lines.join('\n'));
  },
};
