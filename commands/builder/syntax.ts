/** `lhs = rhs` (rhs null when there is no '='). */
export function splitAssignment(args: string): { lhs: string; rhs: string | null } {
  const at = args.indexOf('=');
  if (at < 0) return { lhs: args.trim(), rhs: null };
  return { lhs: args.slice(0, at).trim(), rhs: args.slice(at + 1).trim() };
}

/**
 * `Great Hall;hall;gh` → key and aliases, as Evennia's builders write them. `|` separates them
 * too (`Great Hall|hall|gh`): tintin++ splits a typed line at `;` before sending it, so its
 * players would otherwise have to type `\;`.
 */
export function nameWithAliases(spec: string): { key: string; aliases: string[] } {
  const [key = '', ...aliases] = spec.split(/[;|]/).map((s) => s.trim());
  return { key, aliases: aliases.filter(Boolean) };
}

export const BUILDER = 'cmd:perm(Builder)';
export const ADMIN = 'cmd:perm(Admin)';
