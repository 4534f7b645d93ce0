import { afterEach, describe, expect, it } from 'vitest';
import { PASSWORD, startGame, type RunningGame } from '../support/game.ts';
import { GmcpClient, MUDLET_SUPPORTS } from '../support/gmcp_client.ts';

/** A Mudlet-like client on `run`'s telnet port. */
async function connectGmcp(run: RunningGame, supports: readonly string[] | null = MUDLET_SUPPORTS): Promise<GmcpClient> {
  return GmcpClient.start(await run.connect(), supports);
}

/** The module a message belongs to: its name minus the last part (IRE's rule). */
const moduleOf = (pkg: string) => pkg.slice(0, pkg.lastIndexOf('.')).toLowerCase();

describe('GMCP for rich clients (Mudlet)', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it("sends Mudlet Room.Info with area and exit targets on every move, Char.Items on get/drop, and only what it supports", async () => {
    run = await startGame();
    const mudlet = await connectGmcp(run);
    // Mudlet listed Char.Login: it is told how it may log in out of band.
    expect(await mudlet.next('Char.Login.Default', 0)).toEqual({ type: ['password-credentials'] });
    await mudlet.telnet.command(`create Mapper ${PASSWORD}`, 'You become Mapper');
    const limbo = await mudlet.next('Room.Info', 0);
    expect(limbo).toMatchObject({ name: 'Limbo', area: 'Unknown', exits: expect.any(Object) });
    // The first account is a Player until it claims the admin token (then it may @dig).
    expect(mudlet.of('Char.Status')[0]).toMatchObject({ name: 'Mapper', account: 'Mapper', permission: 'Player', location: 'Limbo' });
    await mudlet.telnet.command(`claim ${run.adminToken()}`, 'You are now the Developer');
    // A new permission is in Char.Status at once.
    await expect.poll(() => mudlet.of('Char.Status').at(-1)).toMatchObject({ permission: 'Developer' });
    /** The newest Room.Info, once it is this room as it is now (after a move, or a change to the room). */
    const roomNow = async (expected: Record<string, unknown>) => {
      await expect.poll(() => mudlet.of('Room.Info').at(-1)).toMatchObject(expected);
      return mudlet.of('Room.Info').at(-1);
    };

    // Building in the room the mapper is in updates its Room.Info at once, not at the next move.
    await mudlet.telnet.command('@dig Tower;tw = up, down area=The Keep', 'Created exit down');
    await roomNow({ name: 'Limbo', exits: { ...limbo.exits, up: expect.any(Number) } });
    await mudlet.telnet.command('@set here/environment = void', 'Set');
    await roomNow({ name: 'Limbo', environment: 'void' });
    await mudlet.telnet.command('up', 'Tower');
    const tower = await roomNow({ name: 'Tower' });
    expect(tower).toEqual({ num: expect.any(Number), name: 'Tower', area: 'The Keep', exits: { down: limbo.num } });
    await mudlet.telnet.command('@set here/coords = [1, 2, 3]', 'Set');
    await roomNow({ name: 'Tower', coords: [1, 2, 3] });
    await mudlet.telnet.command('@dig Attic = up, down', 'Created exit down');
    await roomNow({ name: 'Tower', exits: { down: limbo.num, up: expect.any(Number) } });
    await mudlet.telnet.command('up', 'Attic');
    // No area= given: the new room is in the area of the room it was dug from.
    await roomNow({ name: 'Attic', area: 'The Keep', exits: { down: tower.num } });
    await mudlet.telnet.command('down', 'Tower');
    await roomNow({ name: 'Tower', coords: [1, 2, 3], exits: { down: limbo.num, up: expect.any(Number) } });
    await mudlet.telnet.command('down', 'Limbo');
    await roomNow({ name: 'Limbo', environment: 'void', exits: { up: tower.num } });
    await mudlet.telnet.command('@name here = Old Limbo', 'is now called Old Limbo');
    await roomNow({ name: 'Old Limbo', exits: { up: tower.num } });
    expect(mudlet.of('Char.Items.List').at(-1)).toEqual({ location: 'room', items: [] });

    await mudlet.telnet.command('@create lantern', 'you carry it');
    await mudlet.telnet.command('drop lantern', 'You drop lantern');
    const lantern = { id: expect.any(String), name: 'lantern', attrib: 't' };
    await expect.poll(() => mudlet.of('Char.Items.Add')).toContainEqual({ location: 'room', item: lantern });
    expect(mudlet.of('Char.Items.Remove')).toContainEqual({ location: 'inv', item: lantern });
    await mudlet.telnet.command('get lantern', 'You pick up lantern');
    await expect.poll(() => mudlet.of('Char.Items.Add')).toContainEqual({ location: 'inv', item: lantern });
    expect(mudlet.of('Char.Items.Remove')).toContainEqual({ location: 'room', item: lantern });
    await mudlet.telnet.command('@name lantern = lamp', 'lantern is now called lamp');
    await expect.poll(() => mudlet.of('Char.Items.Update')).toContainEqual({ location: 'inv', item: { ...lantern, name: 'lamp' } });
    mudlet.send('Char.Items.Inv');
    await expect.poll(() => mudlet.of('Char.Items.List').at(-1)).toEqual({ location: 'inv', items: [{ ...lantern, name: 'lamp' }] });

    // Someone arriving is an item in the room too; what Mudlet receives is all in modules it listed.
    const other = await run.login('Visitor');
    await expect.poll(() => mudlet.of('Char.Items.Add')).toContainEqual({ location: 'room', item: { id: expect.any(String), name: 'Visitor', attrib: 'm' } });
    // Leaving the game takes the character out of the room (offline characters are nowhere).
    other.close();
    await expect.poll(() => mudlet.of('Char.Items.Remove')).toContainEqual({ location: 'room', item: { id: expect.any(String), name: 'Visitor', attrib: 'm' } });
    const supported = new Set(MUDLET_SUPPORTS.map((s) => s.split(' ')[0]!.toLowerCase()));
    for (const { pkg } of mudlet.messages) expect(supported.has(moduleOf(pkg)), pkg).toBe(true);
  });

  it('honours Core.Supports.Add and Remove: a package goes only to clients that support it', async () => {
    run = await startGame();
    const client = await connectGmcp(run, ['Room 1']);
    await client.telnet.command(`create Picky ${PASSWORD}`, 'You become Picky');
    await client.next('Room.Info', 0);
    expect(client.messages.map((m) => m.pkg)).toEqual(['Room.Info']);

    client.send('Core.Supports.Remove', ['Room']);
    client.send('Core.Supports.Add', ['Char.Items 1']);
    await client.next('Char.Items.List', 0);
    await client.telnet.command('north', 'Courtyard');
    await client.next('Char.Items.List', 2);
    expect(client.of('Room.Info')).toHaveLength(1);
    expect(new Set(client.messages.map((m) => moduleOf(m.pkg)))).toEqual(new Set(['room', 'char.items']));

    // Set replaces the list; Room comes back and is sent at once.
    client.send('Core.Supports.Set', ['Room 1', 'Char 1']);
    expect(await client.next('Room.Info', 1)).toMatchObject({ name: 'Courtyard' });
    expect(await client.next('Char.Name', 0)).toEqual({ name: 'Picky', fullname: 'Picky' });
  });

  it('logs in with Char.Login.Credentials, and a wrong password fails, audited and counted by the lock-out', async () => {
    run = await startGame({ game: { loginGuard: { maxFailures: 3, windowMs: 60_000, lockMs: 60_000 } } });
    (await run.login('Alice')).close();

    const wrong = await connectGmcp(run);
    wrong.send('Char.Login.Credentials', { account: 'Alice', password: 'not-her-password' });
    expect(await wrong.next('Char.Login.Result', 0)).toEqual({ success: false, message: 'Wrong name or password.' });
    expect(wrong.of('Room.Info')).toEqual([]);
    await expect
      .poll(async () => (await run.game.auditReader.search({ types: ['login_failed'], limit: 10 })).map((r) => JSON.parse(r.payload)))
      .toContainEqual({ name_tried: 'Alice', reason: 'wrong password', via: 'gmcp' });

    const mudlet = await connectGmcp(run);
    await mudlet.next('Char.Login.Default', 0);
    mudlet.send('Char.Login.Credentials', { account: 'Alice', password: PASSWORD });
    expect(await mudlet.next('Char.Login.Result', 0)).toEqual({ success: true, message: 'Welcome back, Alice.' });
    await mudlet.telnet.waitFor('You become Alice');
    expect(await mudlet.next('Room.Info', 0)).toMatchObject({ name: 'Limbo' });
    await mudlet.telnet.command('say logged in out of band', 'You say');
    // Logged in already: a second login is refused.
    mudlet.send('Char.Login.Credentials', { account: 'Alice', password: PASSWORD });
    expect(await mudlet.next('Char.Login.Result', 1)).toEqual({ success: false, message: 'Already logged in.' });

    // Two more failures lock the name: the out-of-band login counts like `connect`.
    for (let i = 0; i < 2; i++) {
      wrong.send('Char.Login.Credentials', { account: 'Alice', password: `wrong-${i}` });
      await wrong.next('Char.Login.Result', i + 1);
    }
    expect(wrong.of('Char.Login.Result').at(-1)).toMatchObject({ success: false, message: expect.stringContaining('Too many failed logins') });
    const locked = await run.connect();
    await locked.command('connect Alice ' + PASSWORD, 'Too many failed logins');

    // The passwords are in no log, no audit event.
    const everything = await run.logs.everything();
    for (const secret of [PASSWORD, 'not-her-password', 'wrong-0', 'wrong-1']) expect(everything).not.toContain(secret);
    const rows = await run.game.auditReader.search({ limit: 1000 });
    for (const row of rows) expect(JSON.stringify(row)).not.toContain('not-her-password');
  });

  it('tells a GMCP login what connect would: the lock-down refuses it (never a success first), the reset notice and the failed logins are said', async () => {
    run = await startGame();
    const root = await run.login('Root');
    (await run.login('Pleb')).close();
    await root.command(`@password Pleb = ${PASSWORD}-reset`, 'Password of Pleb changed.');
    const guess = await run.connect();
    await guess.command('connect Pleb not-the-password', 'Wrong name or password.');

    await root.command('@lockdown on = maintenance', 'Lock-down on');
    const refused = await connectGmcp(run);
    refused.send('Char.Login.Credentials', { account: 'Pleb', password: `${PASSWORD}-reset` });
    expect(await refused.next('Char.Login.Result', 0)).toEqual({ success: false, message: expect.stringContaining('The game is locked down') });
    await refused.telnet.waitFor('The game is locked down');
    expect(refused.of('Char.Login.Result')).toHaveLength(1);
    expect(refused.of('Char.Name')).toEqual([]);
    await root.command('@lockdown off', 'Lock-down off');

    const mudlet = await connectGmcp(run);
    mudlet.send('Char.Login.Credentials', { account: 'Pleb', password: `${PASSWORD}-reset` });
    expect(await mudlet.next('Char.Login.Result', 0)).toEqual({ success: true, message: 'Welcome back, Pleb.' });
    await mudlet.telnet.waitFor(/Note: your password was reset by the admin Root at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\./);
    await mudlet.telnet.waitFor('Warning: there were 1 failed login attempt(s) on your account since your last login.');
  });

  it('ignores malformed GMCP: wrong JSON shapes, bad JSON, oversized messages, unknown packages', async () => {
    run = await startGame();
    (await run.login('Bob')).close();
    const client = await connectGmcp(run, null);
    client.send('Core.Supports.Set', { Room: 1 });
    client.send('Core.Supports.Set', [42]);
    client.sendText('Core.Supports.Set ["Room 1"');
    client.send('Char.Login.Credentials', ['Bob', PASSWORD]);
    client.send('Char.Login.Credentials', { account: 'Bob', password: 7 });
    client.send('Char.Login.Credentials', { account: 'Bob', password: PASSWORD, padding: 'x'.repeat(5000) });
    client.send('Char.Login.Credentials');
    client.send('No.Such.Package', { a: 1 });
    client.send('Core.Ping');
    await client.next('Core.Ping', 0);
    // None of that logged in or changed what is sent; a good message after it still works.
    expect(client.messages.map((m) => m.pkg)).toEqual(['Core.Ping']);
    expect(run.game.sessions.loggedIn()).toHaveLength(0);
    client.send('Core.Supports.Set', ['Char.Login 1']);
    await client.next('Char.Login.Default', 0);
    client.send('Char.Login.Credentials', { account: 'Bob', password: PASSWORD });
    expect(await client.next('Char.Login.Result', 0)).toMatchObject({ success: true });
    // Each kind of trouble is a protocol_error, one a minute with the rest counted, with the
    // package name only (never the data: it may be a password); an unknown package is none.
    const badGmcp = async () => (await run.game.auditReader.search({ types: ['protocol_error'], limit: 50 })).map((r) => JSON.parse(r.payload)).filter((p) => p.kind === 'bad_gmcp');
    await expect.poll(badGmcp).toEqual([{ kind: 'bad_gmcp', excerpt: 'Core.Supports.Set (data of the wrong shape, or too big)', suppressed: 0 }]);
    client.telnet.close();
    await expect.poll(async () => (await badGmcp()).find((p) => p.closing)).toMatchObject({ suppressed: 6 });
    const rows = await run.game.auditReader.search({ limit: 1000 });
    for (const row of rows) expect(JSON.stringify(row)).not.toContain(PASSWORD);
  });
});
