/**
 * The command prompt (issue 15): after each command's output, and after output that arrives
 * between commands (others' says, arrivals), a telnet player gets MUD_PROMPT marked with IAC EOR
 * where the client agreed to EOR, IAC GA otherwise, nothing after SGA; one per event-loop turn.
 * Read off the raw bytes of a real socket.
 */
import { describe, expect, it } from 'vitest';
import { DO, EOR_CMD, GA, IAC, OPT } from '../../server/telnet/constants.ts';
import { stopAfterEach } from '../support/cleanup.ts';
import { PASSWORD, startGame } from '../support/game.ts';
import { stripAnsi, type TestTelnetClient } from '../support/telnet_client.ts';
import { sleep, waitUntil } from '../support/wait.ts';
import { startWebGame } from '../web/support.ts';

const GA_MARK = Buffer.from([IAC, GA]);
const EOR_MARK = Buffer.from([IAC, EOR_CMD]);

/** Sends a line and returns the raw bytes that answer it, up to and including `end`. */
async function rawReply(client: TestTelnetClient, line: string | null, end: Buffer): Promise<Buffer> {
  const from = client.raw.length;
  if (line !== null) client.send(line);
  await waitUntil(() => client.raw.subarray(from).includes(end), () => `${JSON.stringify(end)} after ${line}; got ${JSON.stringify(client.raw.subarray(from).toString('latin1'))}`);
  return client.raw.subarray(from);
}

/** Waits until the last output ended with its prompt and nothing more arrived for a while. */
async function settled(client: TestTelnetClient, mark: Buffer | null = GA_MARK): Promise<number> {
  if (mark) await waitUntil(() => client.raw.subarray(-mark.length).equals(mark), 'output to end with a prompt');
  for (let seen = -1; seen !== client.raw.length; ) {
    seen = client.raw.length;
    await sleep(150);
  }
  return client.raw.length;
}

const count = (haystack: Buffer, needle: Buffer): number => {
  let n = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) n++;
  return n;
};

describe('the command prompt', () => {
  const start = stopAfterEach(startGame);

  it('follows a command with "> " IAC GA for a client that did not agree to EOR, once', async () => {
    const run = await start();
    const anna = await run.login('Anna');
    await settled(anna);
    anna.send('look');
    const from = anna.raw.length;
    await waitUntil(() => anna.raw.subarray(from).includes(GA_MARK), 'the prompt after look');
    await settled(anna);
    // Many lines of output (room, description, exits), then one prompt.
    const reply = anna.raw.subarray(from).toString('latin1');
    expect(stripAnsi(reply)).toMatch(/^Limbo\r\n[^]*Exits: north\r\n> \xff\xf9$/);
    expect(count(anna.raw.subarray(from), GA_MARK)).toBe(1);
    // A command that prints nothing still ends with a prompt.
    const quiet = await rawReply(anna, '', GA_MARK);
    expect(quiet.toString('latin1')).toBe(`> ${GA_MARK.toString('latin1')}`);
  });

  it('follows what others say and do between commands with a prompt too', async () => {
    const run = await start();
    const anna = await run.login('Anna');
    const before = await settled(anna);
    const bob = await run.login('Bob');
    await waitUntil(() => anna.raw.subarray(before).includes(GA_MARK), 'a prompt after the arrival');
    expect(anna.raw.subarray(before).toString('latin1')).toBe(`Bob has entered the game.\r\n> ${GA_MARK.toString('latin1')}`);
    await settled(bob);
    const from = await settled(anna);
    bob.send('say hello Anna');
    await waitUntil(() => anna.raw.subarray(from).includes(GA_MARK), 'a prompt after the say');
    expect(anna.raw.subarray(from).toString('latin1')).toBe(`Bob says, "hello Anna"\r\n> ${GA_MARK.toString('latin1')}`);
  });

  it('marks it with IAC EOR where the client agreed to EOR, and with nothing after SGA', async () => {
    const run = await start();
    const eor = await run.connect();
    eor.sendRaw(Buffer.from([IAC, DO, OPT.EOR]));
    await eor.command(`create Evie ${PASSWORD}`, 'You become Evie');
    // The login's own output ends with a prompt too: let it land before the say.
    await settled(eor, EOR_MARK);
    const reply = await rawReply(eor, 'say hi', EOR_MARK);
    expect(reply.toString('latin1')).toMatch(/You say, "hi"\r\n> \xff\xef$/);
    expect(reply.includes(GA_MARK)).toBe(false);

    const sga = await run.connect();
    sga.sendRaw(Buffer.from([IAC, DO, OPT.SGA]));
    await sga.command(`create Sage ${PASSWORD}`, 'You become Sage');
    const from = await settled(sga, null);
    sga.send('say hi');
    await waitUntil(() => sga.raw.subarray(from).toString('latin1').endsWith('You say, "hi"\r\n> '), 'the prompt after say');
    await sleep(100);
    expect(sga.raw.subarray(from).toString('latin1')).toBe('You say, "hi"\r\n> ');
  });

  it('takes its text from MUD_PROMPT, and a player turns it off for good with config prompt off', async () => {
    const run = await start({ config: { prompt: 'HP 10> ' } });
    const anna = await run.login('Anna');
    await settled(anna);
    expect((await rawReply(anna, 'look', GA_MARK)).toString('latin1')).toMatch(/\r\nHP 10> \xff\xf9$/);
    await anna.command('config prompt off', 'prompt is off now.');
    const from = await settled(anna, null);
    await anna.command('say quiet', 'You say, "quiet"');
    await sleep(150);
    expect(anna.raw.subarray(from).toString('latin1')).toBe('You say, "quiet"\r\n');
    // Persisted: still off after a restart and a new login.
    const again = await run.restart();
    const back = await again.login('Anna', 'connect');
    await back.command('config', 'prompt: off');
    const later = await settled(back, null);
    await back.command('say still quiet', 'You say, "still quiet"');
    await sleep(150);
    expect(back.raw.subarray(later).includes(GA_MARK)).toBe(false);
    await back.command('config prompt on', 'prompt is on now.');
    await rawReply(back, 'say loud', Buffer.from(`> ${GA_MARK.toString('latin1')}`, 'latin1'));
    await again.stop();
  });
});

describe('the browser client', () => {
  const start = stopAfterEach(startWebGame);

  it('gets no prompt text after commands, only after questions', async () => {
    const run = await start();
    const web = await run.webLogin('Webby');
    await web.command('say hi', 'You say, "hi"');
    await sleep(150);
    const prompts = web.events.filter((e) => e.event === 'prompt').map((e) => e.args[0]);
    expect(prompts).toEqual([]);
    expect(web.text).not.toMatch(/^> /m);
  });
});
