/** Durations as staff type them: `30s`, `10m`, `2h`, `1d`, `1w`, `1h30m`, `2 days`. */
const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Seconds in `text`, or null if it is not a duration. */
export function parseDuration(text: string): number | null {
  const compact = text.trim().toLowerCase();
  const part = /(\d+)\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?|w|weeks?)\b\s*/y;
  let seconds = 0;
  let at = 0;
  while (at < compact.length) {
    part.lastIndex = at;
    const match = part.exec(compact);
    if (!match) return null;
    seconds += Number(match[1]) * UNITS[match[2]![0]!]!;
    at = part.lastIndex;
  }
  return seconds > 0 && Number.isSafeInteger(seconds) ? seconds : null;
}

/** `3600` → `1h`, `5400` → `1h30m`. */
export function formatDuration(seconds: number): string {
  let left = Math.max(0, Math.round(seconds));
  if (left === 0) return '0s';
  let text = '';
  for (const [unit, size] of [['w', 604_800], ['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(left / size);
    if (n) text += `${n}${unit}`;
    left -= n * size;
  }
  return text;
}

export interface StaffArgs {
  target: string;
  /** Seconds; null when no `for <duration>` was given (for ever). */
  seconds: number | null;
  reason: string;
}

/**
 * `<target> [for <duration>] [= reason]`; an error line when the duration is not one. The
 * target may itself contain spaces (a character's name) but not `=`.
 */
export function parseStaffArgs(args: string): StaffArgs | { error: string } {
  const at = args.indexOf('=');
  const lhs = (at < 0 ? args : args.slice(0, at)).trim();
  const reason = at < 0 ? '' : args.slice(at + 1).trim();
  const timed = /^(.*?)\s+for\s+(.+)$/i.exec(lhs);
  if (!timed) return { target: lhs, seconds: null, reason };
  const seconds = parseDuration(timed[2]!);
  if (seconds === null) return { error: `'${timed[2]}' is not a duration: use e.g. 30s, 10m, 2h, 1d, 1w or 1h30m.` };
  return { target: timed[1]!.trim(), seconds, reason };
}

/** When something given `seconds` from `now` ends, as an ISO timestamp (null: never). */
export function expiry(seconds: number | null, now: number): string | null {
  return seconds === null ? null : new Date(now + seconds * 1000).toISOString();
}

/** `until 2026-11-23 18:30 UTC` or `for ever`. */
export function until(expiresAt: string | null): string {
  return expiresAt ? `until ${expiresAt.slice(0, 16).replace('T', ' ')} UTC` : 'with no end';
}
