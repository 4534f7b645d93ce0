/**
 * What the webclient's panels are fed over its socket (issue 17): the session's GMCP, sent to
 * the browser unasked (it never sends Core.Supports), with Webclient.Room for what Room.Info does
 * not carry. And the page's pure pieces: links and password masking.
 */
import { describe, expect, it } from 'vitest';
import { PANEL_PEOPLE } from '../../typeclasses/room.ts';
import { splitLinks } from '../../web/links.js';
import { MASK, maskSecrets } from '../../web/secrets.js';
import { stopAfterEach } from '../support/cleanup.ts';
import type { TestWebClient } from './support.ts';
import { startWebGame } from './support.ts';

/** The newest `pkg` message the client got, once one has come. */
async function latest<T = any>(client: TestWebClient, pkg: string, since = 0): Promise<T> {
  await expect.poll(() => client.oob.slice(since).some(([p]) => p === pkg)).toBe(true);
  return client.oob.findLast(([p]) => p === pkg)![1] as T;
}

describe('the data the webclient panels are fed', () => {
  const start = stopAfterEach(startWebGame);

  it('sends the browser every package the panels need, and Webclient.Room follows who is playing here', async () => {
    const run = await start();
    const web = await run.webLogin('Panelled');
    const pkgs = new Set(web.oob.map(([pkg]) => pkg));
    for (const pkg of ['Room.Info', 'Webclient.Room', 'Char.Items.List', 'Char.Status', 'Comm.Channel.List']) expect(pkgs, pkg).toContain(pkg);
    expect(await latest(web, 'Webclient.Room')).toEqual({
      num: (await latest(web, 'Room.Info')).num,
      desc: expect.stringContaining('A grey, quiet nowhere'),
      people: [],
      others: 0,
    });

    // Someone starts playing here, then leaves: the panel is told each time.
    let mark = web.oob.length;
    const other = await run.login('Other');
    expect(await latest(web, 'Webclient.Room', mark)).toMatchObject({ people: [{ name: 'Other', attrib: 'm' }], others: 1 });
    mark = web.oob.length;
    await other.command('north', 'Courtyard');
    expect(await latest(web, 'Webclient.Room', mark)).toMatchObject({ people: [], others: 0 });
    await web.command('north', 'Courtyard');
    expect(await latest(web, 'Webclient.Room')).toMatchObject({ desc: expect.stringContaining('cobbled courtyard'), people: [{ name: 'Other' }], others: 1 });
    // Logged out, the character stays in the room but is no longer "here" (as `look` says).
    mark = web.oob.length;
    await other.command('quit', 'Goodbye');
    expect(await latest(web, 'Webclient.Room', mark)).toMatchObject({ people: [], others: 0 });

    // A channel line reaches the chat tab as Comm.Channel.Text.
    mark = web.oob.length;
    await (await run.login('Talker')).command('pub over here', 'over here');
    expect(await latest(web, 'Comm.Channel.Text', mark)).toEqual({ channel: 'public', talker: 'Talker', text: '[public] Talker: over here' });
  });

  it(`names at most ${PANEL_PEOPLE} people in a crowded room, and counts them all`, async () => {
    const run = await start();
    const web = await run.webLogin('Crowded');
    const crowd = PANEL_PEOPLE + 2;
    for (let i = 0; i < crowd; i++) await run.login(`Crowd${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`);
    await expect.poll(() => (web.oob.findLast(([p]) => p === 'Webclient.Room')![1] as { others: number }).others).toBe(crowd);
    const panel = web.oob.findLast(([p]) => p === 'Webclient.Room')![1] as { people: unknown[] };
    expect(panel.people).toHaveLength(PANEL_PEOPLE);
  });
});

describe('the webclient pieces', () => {
  it('finds http and https links only, leaving the sentence punctuation outside', () => {
    expect(splitLinks('see https://example.org/a?b=1. or http://x.test/(y)) javascript:alert(1) ftp://f.test')).toEqual([
      { text: 'see ' },
      { text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
      { text: '. or ' },
      { text: 'http://x.test/(y', href: 'http://x.test/(y' },
      { text: ')) javascript:alert(1) ftp://f.test' },
    ]);
    expect(splitLinks('no links here')).toEqual([{ text: 'no links here' }]);
    expect(splitLinks('"https://q.test/"<b>')).toEqual([{ text: '"' }, { text: 'https://q.test/', href: 'https://q.test/' }, { text: '"<b>' }]);
  });

  it('masks passwords typed on the line, and keeps the line without them', () => {
    expect(maskSecrets('connect Bob hunter2 x')).toEqual({ shown: `connect Bob ${MASK}`, kept: 'connect Bob ' });
    expect(maskSecrets('CR Bob hunter2')).toEqual({ shown: `CR Bob ${MASK}`, kept: 'CR Bob ' });
    expect(maskSecrets('password old new')).toEqual({ shown: `password ${MASK}`, kept: 'password ' });
    expect(maskSecrets('@password Bob = new-one')).toEqual({ shown: `@password Bob = ${MASK}`, kept: '@password Bob = ' });
    expect(maskSecrets('claim 0123abcd')).toEqual({ shown: `claim ${MASK}`, kept: 'claim ' });
    // Nothing secret on these lines.
    for (const line of ['connect Bob', 'create Bob ', 'password', 'say connect Bob hunter2', 'connected']) expect(maskSecrets(line)).toEqual({ shown: line, kept: line });
  });
});
