/**
 * Channels (issue 15) over real telnet sockets: `public` for everyone, `pub <text>`, join, leave,
 * who, history, Builders' @ccreate/@cset/@cdestroy, the last lines kept across a restart for a
 * later login, every line a chat event in chat.log and the trail, GMCP Comm.Channel.*.
 */
import { describe, expect, it } from 'vitest';
import { DO, IAC, OPT, SB, SE } from '../../server/telnet/constants.ts';
import { stopAfterEach } from '../support/cleanup.ts';
import { PASSWORD, startGame } from '../support/game.ts';
import { ref } from '../support/ids.ts';

/** The GMCP messages in what a client received. */
function gmcp(raw: Buffer): string[] {
  const found: string[] = [];
  for (let i = raw.indexOf(Buffer.from([IAC, SB, OPT.GMCP])); i >= 0; i = raw.indexOf(Buffer.from([IAC, SB, OPT.GMCP]), i + 1)) {
    const end = raw.indexOf(Buffer.from([IAC, SE]), i + 3);
    if (end < 0) break;
    found.push(raw.subarray(i + 3, end).toString('utf8'));
  }
  return found;
}

describe('channels', () => {
  const start = stopAfterEach(startGame);

  it('puts everyone on public: pub <text> reaches all, in chat.log and the trail, escaped', async () => {
    const run = await start();
    const root = await run.login('Root');
    const anna = await run.login('Anna');
    await anna.command('north', 'Courtyard');
    await anna.command('channels', /\[on \] public \(pub\) — Everyone, everywhere\.; 2 listening/);
    await root.command('pub hello all', '[public] Root: hello all');
    await anna.waitFor('[public] Root: hello all');
    // A terminal escape a player types is dropped at input: it reaches no terminal, no log.
    await anna.command('public line\u001b[31m two', '[public] Anna: line[31m two');
    await root.waitFor('[public] Anna: line[31m two');
    await anna.command('channel/who public', 'On [public] now: Root and Anna.');
    await anna.command('pub', 'Say what on [public]?');

    const chat = await run.logs.lines('chat.log');
    expect(chat).toEqual([
      expect.stringMatching(new RegExp(`^[\\d-]+ \\d\\d:\\d\\d:\\d\\d \\[public\\] <${ref(run, 'Root').replace(/[()#]/g, '\\$&')}>: hello all$`)),
      expect.stringMatching(/\[public\] <Anna\(#\d+\)>: line\[31m two$/),
    ]);
    const trail = (await run.logs.lines('audit/audit.jsonl')).map((l) => JSON.parse(l) as { event_type: string; target: unknown; payload: Record<string, unknown> });
    expect(trail.filter((e) => e.event_type === 'channel').map((e) => [e.target, e.payload.channel, e.payload.text])).toEqual([
      [{ kind: 'channel', id: 1, name: 'public' }, 'public', 'hello all'],
      [{ kind: 'channel', id: 1, name: 'public' }, 'public', 'line[31m two'],
    ]);
  });

  it('lets a player leave and rejoin, and shows the last lines to whoever joins or logs in later, after a restart', async () => {
    const run = await start();
    const root = await run.login('Root');
    const anna = await run.login('Anna');
    await anna.command('channel/leave pub', 'You leave [public].');
    await anna.command('pub hi', 'You are not on [public]; "channel/join public" joins it.');
    for (let i = 1; i <= 3; i++) await root.command(`pub line ${i}`, `[public] Root: line ${i}`);
    await root.command('say done', 'You say');
    await anna.waitFor('Root says, "done"');
    expect(anna.text).not.toContain('[public] Root: line');
    await anna.command('channel/join public', /You join \[public\]\.\nLast 3 lines on \[public\]:\n  \d\d:\d\d:\d\d \[public\] Root: line 1\n.*line 2\n.*line 3\n/);
    await root.command('channel/history pub 2', /Last 2 lines on \[public\]:\n.*Root: line 2\n.*Root: line 3\n/);

    const again = await run.restart();
    const later = await again.connect();
    await later.command(`connect Anna ${PASSWORD}`, 'You become Anna');
    await later.waitFor(/Last on \[public\]:\n  \d\d:\d\d:\d\d \[public\] Root: line 1\n.*line 2\n.*line 3\n/);
    await again.stop();
  });

  it('keeps the last 20 lines by default, and what @cset keep says', async () => {
    const run = await start();
    const root = await run.login('Root');
    for (let i = 1; i <= 22; i++) await root.command(`pub n${i}`, `[public] Root: n${i}\n`);
    const all = await root.command('channel/history pub 100', 'n22\n');
    expect(all).toMatch(/Last 20 lines on \[public\]:\n.*Root: n3\n/);
    expect(all).not.toMatch(/Root: n2\n/);
    await root.command('@cset pub/keep = 2', '[public] keeps its last 2 lines now.');
    await root.command('pub n23', '[public] Root: n23');
    await root.command('channel/history pub', /Last 2 lines on \[public\]:\n.*n22\n.*n23\n/);
  });

  it('lets Builders make, lock and destroy channels; players are refused and the locks hold', async () => {
    const run = await start();
    const root = await run.login('Root');
    const anna = await run.login('Anna');
    await anna.command('@ccreate ooc', "You are not allowed to use '@ccreate': it needs Builder permission.");
    await root.command('@ccreate staff;st = Staff only', 'Created channel [staff] (aliases st); you are on it.');
    await root.command('@cset staff/listen = perm(Builder)', '[staff] listen lock is perm(Builder) now.');
    await root.command('@cset staff/listen = maybe()', "'maybe()' is not a channel lock");
    await anna.command('channel/join staff', "There is no channel 'staff' you may use.");
    await anna.command('st psst', "Command 'st' is not available.");
    await root.command('st builders only', '[staff] Root: builders only');
    await root.command('@ccreate ooc', 'Created channel [ooc]');
    await root.command('@cset ooc/send = perm(Builder)', '[ooc] send lock is perm(Builder) now.');
    await anna.command('channel/join ooc', 'You join [ooc].');
    await anna.command('ooc can I talk?', 'You may not talk on [ooc].');
    await root.command('@cdestroy ooc', 'Destroyed channel [ooc].');
    await anna.command('ooc hello', "Command 'ooc' is not available.");
    await root.command('@cdestroy public', '[public] is the channel everyone is on; it stays.');
    await anna.command('channel/foo public', 'Unknown switch /foo for channel. Try: /join, /leave, /who, /history.');
    const admin = await run.logs.lines('admin_actions.log');
    expect(admin).toContainEqual(expect.stringContaining("ran '@ccreate' with args 'staff;st = Staff only'"));
    expect(admin).toContainEqual(expect.stringMatching(/ACCESS DENIED: Anna\(#\d+\) \(Player\) tried '@ccreate'/));
  });

  it('sends GMCP Comm.Channel.List at login and Comm.Channel.Text for each line', async () => {
    const run = await start();
    const mudlet = await run.connect();
    mudlet.sendRaw(Buffer.from([IAC, DO, OPT.GMCP]));
    await mudlet.command(`create Mapper ${PASSWORD}`, 'You become Mapper');
    const bob = await run.login('Bob');
    await bob.command('pub hi mapper', '[public] Bob: hi mapper');
    await mudlet.waitFor('[public] Bob: hi mapper');
    const messages = gmcp(mudlet.raw);
    expect(messages).toContain('Comm.Channel.List [{"name":"public","caption":"Everyone, everywhere.","command":"pub"}]');
    expect(messages).toContain('Comm.Channel.Text {"channel":"public","talker":"Bob","text":"[public] Bob: hi mapper"}');
    // A new channel is in the list at once, for a chat tab to appear; gone again when destroyed.
    // (Bob, the first to log in with the test helper, claimed the admin token.)
    await bob.command('@ccreate lore = Old stories', 'lore');
    const lists = () => gmcp(mudlet.raw).filter((m) => m.startsWith('Comm.Channel.List '));
    await expect.poll(() => lists().at(-1)).toBe('Comm.Channel.List [{"name":"public","caption":"Everyone, everywhere.","command":"pub"},{"name":"lore","caption":"Old stories","command":"lore"}]');
    await bob.command('@cdestroy lore', 'lore');
    await expect.poll(() => lists().at(-1)).toBe('Comm.Channel.List [{"name":"public","caption":"Everyone, everywhere.","command":"pub"}]');
  });
});
