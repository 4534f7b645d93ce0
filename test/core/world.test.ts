import { afterEach, describe, expect, it } from 'vitest';
import { startGame, type RunningGame } from '../support/game.ts';

describe('playing in the world', () => {
  let run: RunningGame;
  afterEach(async () => run?.stop());

  it('moves through exits by name, alias and go, and the rooms see it', async () => {
    run = await startGame();
    const anna = await run.login('Anna');
    const ben = await run.login('Ben');
    await anna.waitFor('Ben has entered the game.');
    await ben.command('n', 'Courtyard');
    await anna.waitFor('Ben leaves.');
    await ben.command('go east', 'Library');
    await ben.command('west', 'Courtyard');
    await ben.command('go nowhere', "You cannot go 'nowhere' from here.");
    const east = run.game.objects.search('Courtyard')[0]!.exitNamed('east')!;
    await ben.command(east.dbref, `Command '${east.dbref}' is not available.`);
    await ben.command('east/quietly', "Command 'east' is not available.");
    await ben.command('south', 'Limbo');
    await anna.waitFor('Ben arrives.');
  });

  it('lets another player in the room see say and pose; whisper reaches only its target', async () => {
    run = await startGame();
    const anna = await run.login('Anna');
    const ben = await run.login('Ben');
    const cleo = await run.login('Cleo');
    await anna.command('say Hello there', 'You say, "Hello there"');
    await ben.waitFor('Anna says, "Hello there"');
    await anna.command("'héllo wörld ✓", 'You say, "héllo wörld ✓"');
    await ben.waitFor('Anna says, "héllo wörld ✓"');
    await anna.command('pose waves.', 'Anna waves.');
    await ben.waitFor('Anna waves.');
    await anna.command(':grins', 'Anna grins');
    await anna.command('whisper Ben = psst', 'You whisper to Ben, "psst"');
    await ben.waitFor('Anna whispers to you, "psst"');
    await cleo.command('look', 'Limbo');
    expect(cleo.text).not.toContain('psst');
  });

  it('gets, drops and gives objects', async () => {
    run = await startGame();
    const anna = await run.login('Anna');
    const ben = await run.login('Ben');
    await anna.command('n', 'Courtyard');
    await anna.command('e', 'Library');
    await anna.command('get book', 'You pick up old book.');
    await anna.command('i', 'old book');
    await anna.command('get book', "Could not find 'book'.");
    await anna.command('drop book', 'You drop old book.');
    await anna.command('look', 'You see: old book.');
    await anna.command('get old book', 'You pick up old book.');
    await anna.command('w', 'Courtyard');
    await anna.command('get fountain', 'fountain will not budge.');
    await anna.command('s', 'Limbo');
    await anna.command('give book to Ben', 'You give old book to Ben.');
    await ben.waitFor('Anna gives you old book.');
    await ben.command('inventory', 'old book');
    await anna.command('inventory', 'You are not carrying anything.');
  });

  it('refuses builder and admin commands to players, saying what permission is needed', async () => {
    run = await startGame();
    await run.login('Admin');
    const player = await run.login('Player');
    await player.command('@dig Vault', "You are not allowed to use '@dig': it needs Builder permission.");
    await player.command('@users', "You are not allowed to use '@users': it needs Admin permission.");
    await player.command('@shutdown', "You are not allowed to use '@shutdown': it needs Admin permission.");
    const help = await player.command('help', 'Exits in the room work as commands too');
    expect(help).toContain('say <message>');
    expect(help).not.toContain('@dig');
    await player.command('frobnicate', `Command 'frobnicate' is not available. Type "help" for help.`);
    expect(run.game.objects.search('Vault')).toHaveLength(0);
  });

  it('keeps @dig, @open, @desc, @create and moves across a restart', async () => {
    run = await startGame();
    const wiz = await run.login('Wizard');
    await wiz.command('@dig Tower;tw = up;u, down;d', 'Created exit down');
    await wiz.command('up', 'Tower');
    await wiz.command('@desc A round room full of stars.', 'Description of Tower set.');
    await wiz.command('@create crystal ball;ball', 'Created crystal ball');
    await wiz.command('drop ball', 'You drop crystal ball.');
    await wiz.command('@open chute = Limbo', 'Created exit chute');
    await wiz.command('@set ball/glow = {"level": 3}', 'Set crystal ball/glow = {"level":3}');
    run = await run.restart();
    const again = await run.login('Wizard', 'connect');
    expect(again.text).toContain('Tower');
    await again.command('look', 'A round room full of stars.');
    expect(again.text).toMatch(/Exits: .*down.*chute/);
    await again.command('look ball', 'crystal ball');
    await again.command('@set ball/glow', 'crystal ball/glow = {"level":3}');
    await again.command('chute', 'Limbo');
    await again.command('@open iron gate = Tower', 'Created exit iron gate');
    await again.command('iron gate', 'A round room full of stars.');
  });

  it('@destroy of a room re-homes to the start room what lived or lay there, and nothing fails later', async () => {
    run = await startGame();
    const wiz = await run.login('Wizard');
    await wiz.command('@dig Shed = in, out', 'Created exit out');
    await wiz.command('in', 'Shed');
    // Made in the Shed: its home is the Shed. Dropped there, it lies in the Shed too.
    await wiz.command('@create rake', 'Created rake');
    await wiz.command('drop rake', 'You drop rake.');
    await wiz.command('@create hoe', 'Created hoe'); // carried out of the Shed, at home there
    const shed = run.game.objects.search('Shed')[0]!;
    const hoe = run.game.objects.search('hoe')[0]!;
    await wiz.command('out', 'Limbo');
    await wiz.command(`@destroy #${shed.id}`, `Destroyed Shed(#${shed.id}).`);
    const rake = run.game.objects.search('rake')[0]!;
    const limbo = run.game.objects.startRoom();
    expect(rake.location).toBe(limbo);
    expect([rake.home, hoe.home]).toEqual([limbo, limbo]);
    // Each later write of the re-homed objects is fine (a dangling id failed the foreign key).
    await wiz.command('get rake', 'You pick up rake.');
    await wiz.command('drop hoe', 'You drop hoe.');
    await wiz.command('@name rake = old rake', 'now called old rake');
    run = await run.restart();
    const again = await run.login('Wizard', 'connect');
    await again.command('look', /old rake|hoe/);
    expect(run.game.objects.search('old rake')[0]!.home).toBe(run.game.objects.startRoom());
    expect(await run.logs.lines('server.log')).not.toContainEqual(expect.stringMatching(/FOREIGN KEY|ERROR/));
  });

  it('@typeclass swaps an object in place, keeping its id, location and attributes', async () => {
    run = await startGame();
    const wiz = await run.login('Wizard');
    await wiz.command('@create statue', 'Created statue');
    await wiz.command('@set statue/material = "marble"', 'Set statue/material');
    const statue = run.game.objects.search('statue')[0]!;
    await wiz.command('@typeclass statue = typeclasses/character.Character', 'changed from typeclasses/object.DefaultObject to typeclasses/character.Character');
    await wiz.command('@typeclass statue = typeclasses/nope.Nope', "Unknown typeclass 'typeclasses/nope.Nope' (known: ");
    run = await run.restart();
    const after = run.game.objects.get(statue.id)!;
    expect(after.typeclassPath).toBe('typeclasses/character.Character');
    expect(after.constructor.name).toBe('Character');
    expect(after.location?.key).toBe('Wizard');
    expect(after.attributes.get('material', null)).toBe('marble');
  });

  it('shows builders what an object is with @examine and @find', async () => {
    run = await startGame();
    const wiz = await run.login('Wizard');
    await wiz.command('@examine here', /Typeclass\s+: typeclasses\/room\.Room/);
    await wiz.command('@find court', /1 found:\n\s+Courtyard\(#\d+\)/);
    await wiz.command('@tel Great Hall', 'Great Hall');
    await wiz.command('home', 'Limbo');
    await wiz.command('@users', /Wizard \*\s+Developer\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+127\.0\.0\.1\s+telnet/);
  });
});
