/**
 * The command prompt under `npm start` (issue 15): the game decides when a prompt is due, the
 * portal's telnet layer marks it with IAC GA, or IAC EOR once the client agreed to EOR, as the
 * single-process server does; across a reload too. The webclient, which has no prompt, gets none.
 */
import { describe, expect, it } from 'vitest';
import { DO, EOR_CMD, GA, IAC, OPT } from '../../server/telnet/constants.ts';
import { PASSWORD } from '../support/game.ts';
import { stripAnsi, TestTelnetClient } from '../support/telnet_client.ts';
import { sleep, waitUntil } from '../support/wait.ts';
import { TestWebClient } from '../web/support.ts';
import { npmRun, trackPortals } from './helpers.ts';

const GA_MARK = Buffer.from([IAC, GA]);
const EOR_MARK = Buffer.from([IAC, EOR_CMD]);

/** Sends a line; the raw bytes that answer it once they end with `mark`. */
async function answered(client: TestTelnetClient, line: string, mark: Buffer): Promise<string> {
  const from = client.raw.length;
  client.send(line);
  await waitUntil(() => client.raw.subarray(-mark.length).equals(mark) && client.raw.length > from, () => `a prompt after ${line}; got ${JSON.stringify(client.raw.subarray(from).toString('latin1'))}`);
  return stripAnsi(client.raw.subarray(from).toString('latin1'));
}

describe('the command prompt under the portal', () => {
  const startPortal = trackPortals();

  it('follows each command with "> " and GA, EOR once agreed, across a reload; the webclient sees no prompt', { timeout: 120_000 }, async () => {
    const portal = await startPortal({ env: { MUD_WEB: 'on' } });
    const client = await TestTelnetClient.connect(portal.server.telnetPort);
    await client.waitFor('Welcome to');
    await client.command(`create Wiz ${PASSWORD}`, 'You become Wiz');
    expect(await answered(client, 'look', GA_MARK)).toMatch(/Exits: north\r\n> \xff\xf9$/);

    client.sendRaw(Buffer.from([IAC, DO, OPT.EOR]));
    expect(await answered(client, 'look', EOR_MARK)).toMatch(/Exits: north\r\n> \xff\xef$/);

    expect((await npmRun(portal, 'reload')).code).toBe(0);
    await client.waitFor('The game is back.', 30_000);
    expect(await answered(client, 'look', EOR_MARK)).toMatch(/Exits: north\r\n> \xff\xef$/);

    const web = await TestWebClient.connect(portal.webUrl());
    await web.waitFor('Welcome to', 30_000);
    await web.command(`create Webby ${PASSWORD}`, 'You become Webby');
    await web.command('look', 'Exits: north');
    await sleep(300);
    expect(web.text).not.toMatch(/^> /m);
    web.close();
  });
});
