/**
 * The command prompt under `npm start` (issue 15): the game decides when a prompt is due, the
 * portal's telnet layer marks it with IAC GA, or IAC EOR once the client agreed to EOR, as the
 * single-process server does; across a reload too. The webclient, which has no prompt, gets none.
 */
import { describe, expect, it } from 'vitest';
import { DO, IAC, OPT } from '../../server/telnet/constants.ts';
import { PASSWORD } from '../support/game.ts';
import { stripAnsi, TestTelnetClient } from '../support/telnet_client.ts';
import { sleep, waitUntil } from '../support/wait.ts';
import { TestWebClient } from '../web/support.ts';
import { npmRun, trackPortals } from './helpers.ts';

/**
 * Sends a line and waits until what came back since (ANSI stripped, as latin1) matches
 * `expected`: its output and, at the very end, the prompt with its mark. (A prompt still due from
 * the line before may arrive first, so the wait is for the whole answer, not the first mark.)
 */
async function answers(client: TestTelnetClient, line: string, expected: RegExp): Promise<void> {
  const from = client.raw.length;
  const since = () => stripAnsi(client.raw.subarray(from).toString('latin1'));
  client.send(line);
  await waitUntil(() => expected.test(since()), () => `${expected} after ${line}; got ${JSON.stringify(since())}`);
}

describe('the command prompt under the portal', () => {
  const startPortal = trackPortals();

  it('follows each command with "> " and GA, EOR once agreed, across a reload; the webclient sees no prompt', { timeout: 120_000 }, async () => {
    const portal = await startPortal({ env: { MUD_WEB: 'on' } });
    const client = await TestTelnetClient.connect(portal.server.telnetPort);
    await client.waitFor('Welcome to');
    await client.command(`create Wiz ${PASSWORD}`, 'You become Wiz');
    await answers(client, 'look', /Exits: north\r\n> \xff\xf9$/);

    client.sendRaw(Buffer.from([IAC, DO, OPT.EOR]));
    await answers(client, 'look', /Exits: north\r\n> \xff\xef$/);

    expect((await npmRun(portal, 'reload')).code).toBe(0);
    await client.waitFor('The game is back.', 30_000);
    await answers(client, 'look', /Exits: north\r\n> \xff\xef$/);

    const web = await TestWebClient.connect(portal.webUrl());
    await web.waitFor('Welcome to', 30_000);
    await web.command(`create Webby ${PASSWORD}`, 'You become Webby');
    await web.command('look', 'Exits: north');
    await sleep(300);
    expect(web.text).not.toMatch(/^> /m);
    web.close();
  });
});
