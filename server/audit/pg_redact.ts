/**
 * Keeping the password of MUD_AUDIT_PG_URL (postgres://user:pass@host/db) out of every log line,
 * error message and stats string. No dependencies: the config module uses it too.
 */

/** The URL with its password (and any password= parameter) replaced by ***. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    // An '@' the parser did not take as the end of the user part means it misread the URL (a
    // password with an unescaped '#', '?' or '/' after digits reads as a port): hide it all.
    if (url.includes('@') && !u.username && !u.password) throw new Error('misread');
    if (u.password) u.password = '***';
    for (const key of ['password', 'sslpassword']) if (u.searchParams.has(key)) u.searchParams.set(key, '***');
    return u.toString().replace(/%2A%2A%2A/g, '***');
  } catch {
    // Not a URL the parser takes (a password with an unescaped '#', '/' or '?'): hide all
    // of the user part rather than guess where the password ends.
    const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)@([^@]*)$/is.exec(url);
    return m ? `${m[1]}***@${m[3]}` : '(a PostgreSQL URL that does not parse)';
  }
}

/**
 * Every form the password may take in a message: as the URL parser reads it (pg's parser is the
 * same, after encodeURI for a URL with spaces or stray %), encoded and decoded, and the raw text
 * of the user part (for a URL so malformed that pieces of the password end up as a host or a
 * database name in an error).
 */
function secretsOf(url: string): string[] {
  const out = new Set<string>();
  const add = (s: string | null | undefined) => {
    if (s && s.length >= 3) out.add(s);
  };
  for (const form of [url, encodeURI(url).replace(/%25(\d\d)/g, '%$1')]) {
    try {
      const u = new URL(form);
      add(u.password);
      add(u.searchParams.get('password'));
      add(u.searchParams.get('sslpassword'));
      add(decodeURIComponent(u.password));
    } catch {
      // the raw forms below still cover it
    }
  }
  const raw = /^[a-z][a-z0-9+.-]*:\/\/[^:@]*:(.*)@[^@]*$/is.exec(url)?.[1];
  add(raw);
  if (raw) for (const piece of raw.split(/[/?#@:]/)) if (piece.length >= 4) add(piece);
  return [...out].sort((a, b) => b.length - a.length);
}

/** `text` with the URL (in any form) and its password removed. */
export function scrubbed(text: string, url: string): string {
  let out = text.split(url).join(redactUrl(url));
  for (const s of secretsOf(url)) out = out.split(s).join('***');
  return out;
}
