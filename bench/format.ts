/**
 * The few formatters every table of the bench shares (the main table, bench/report.ts, and the
 * sections, bench/sections.ts), so that their columns and verdicts read alike.
 */

/** A figure with `digits` decimals and thousands separators; `-` when there is none. */
export const fmt = (v: number | undefined, digits = 0): string =>
  v === undefined || !Number.isFinite(v) ? '-' : v.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** a as a percentage of b; `-` when either is missing or b is 0. */
export const ratio = (a: number | undefined, b: number | undefined): string =>
  a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? '-' : `${((a / b) * 100).toFixed(0)}%`;

/** The verdict column of an aim line, padded to one width: `met   ` or `MISSED`. */
export const mark = (ok: boolean): string => (ok ? 'met   ' : 'MISSED');
