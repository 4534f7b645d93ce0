import type { RunningGame } from './game.ts';

/**
 * `Name(#id)` as the text logs name an object, a room or a character: the id is looked up in the
 * running game, so a test states the exact line without guessing ids.
 */
export function ref(run: Pick<RunningGame, 'game'>, key: string): string {
  const found = [...run.game.objects.all()].filter((o) => o.key === key);
  if (found.length !== 1) throw new Error(`expected one object called '${key}', found ${found.length}`);
  return `${key}(#${found[0]!.id})`;
}

/** `Name(account:id)`: how the text logs name an account. */
export function accountRef(run: Pick<RunningGame, 'game'>, name: string): string {
  const account = run.game.accounts.byName(name);
  if (!account) throw new Error(`no account called '${name}'`);
  return `${account.name}(account:${account.id})`;
}
