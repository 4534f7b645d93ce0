import { createHash } from 'node:crypto';

/**
 * Canonical JSON and the hash chain of the JSONL audit trail (see docs/audit-events.md).
 *
 * Canonical JSON is what `JSON.stringify` writes, with the keys of every object sorted
 * (recursively, by UTF-16 code units, i.e. JavaScript's default sort) and no whitespace. It is a
 * fixed point of `JSON.parse` → canonicalJson, so anyone can recompute a record's hash from the
 * line as written, in any language, by sorting keys the same way.
 */
export function canonicalJson(value: unknown): string {
  const out = canonical(value, '');
  if (out === undefined) throw new TypeError('canonicalJson: the value has no JSON form');
  return out;
}

function canonical(value: unknown, key: string): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(key: string): unknown }).toJSON(key);
  }
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'bigint':
      throw new TypeError('canonicalJson: BigInt has no JSON form');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    return `[${value.map((v, i) => canonical(v, String(i)) ?? 'null').join(',')}]`;
  }
  const obj = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const k of Object.keys(obj).sort()) {
    const v = canonical(obj[k], k);
    if (v !== undefined) parts.push(`${JSON.stringify(k)}:${v}`);
  }
  return `{${parts.join(',')}}`;
}

/** The "previous hash" of the very first record of a trail. */
export const GENESIS_HASH = '0'.repeat(64);

/** SHA-256 hex over the previous record's hash followed by this record's canonical JSON (UTF-8). */
export function chainHash(previousHash: string, canonicalRecord: string): string {
  return createHash('sha256').update(previousHash).update(canonicalRecord).digest('hex');
}

/** Characters JSON may carry raw that a terminal or viewer would obey: DEL, C1 controls, U+2028/9. */
const UNSAFE = /[\u007f-\u009f\u2028\u2029]/g;

/**
 * A record as it is written: its canonical JSON with `"hash"` appended as the last key, and the
 * characters above written as `\uXXXX` escapes (they only occur inside strings, so parsing gives
 * the same value back) — `tail -F` on the trail must never drive the operator's terminal.
 */
export function recordLine(canonicalRecord: string, hash: string, owasp: string | null = null): string {
  // `owasp` (server/audit/owasp.ts) is derived from the event, outside the chain hash so that the
  // chain stays the one PostgreSQL rebuilds from its columns; the Merkle leaf covers the line.
  const extra = owasp === null ? '' : `,"owasp":${JSON.stringify(owasp)}`;
  const line = `${canonicalRecord.slice(0, -1)}${extra},"hash":"${hash}"}`;
  UNSAFE.lastIndex = 0;
  return UNSAFE.test(line) ? line.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : line;
}

export const HASH_RE = /^[0-9a-f]{64}$/;

/**
 * Why a line of the trail that is not a record cannot be what a crash or a failed write leaves,
 * or null when it can be. The writer puts a torn record's stump on a line of its own (jsonl_writer.ts),
 * and a stump is the start of a record: it begins with `{` and is not JSON (a record is one
 * object, and no cut of it parses). A line that parses, or starts otherwise, was written in. An
 * empty line carries nothing and is passed over.
 */
export function notACrashStump(text: string): string | null {
  if (text.length === 0) return null;
  try {
    JSON.parse(text);
    return 'not an audit record: the line is JSON but has no whole-number seq and 64-hex hash, and a crash leaves only the unparsable start of a record, so it was written in';
  } catch {
    // not JSON: a stump if it is the start of a record
  }
  return text.startsWith('{') ? null : 'not an audit record, nor the start of one a crash cut short: it was written in';
}
