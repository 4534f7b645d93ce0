/**
 * `npm run audit-verify [-- <file>...]`: walks the JSONL audit trail's hash chain and names the
 * first record that was edited, removed or reordered, or says the trail is intact. With no
 * files: every trail file in MUD_LOG_DIR/audit, oldest first, and the game database's audit
 * table is checked for events past the trail's end, and its rows with no seq (outside the
 * chain, so unverifiable) are counted and named as not verified. Read-only; safe while the
 * server runs.
 *
 * With `--pg` (the URL from MUD_AUDIT_PG_URL) or `--pg=<url>`: the chains in PostgreSQL instead,
 * one per server_id (server/audit/pg_verify.ts).
 *
 * Exit code: 0 intact, 1 broken (or nothing to verify), 2 bad usage, unreadable file or
 * unreachable database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { auditDirOf, compareTrailNames, listTrailFiles, trailPosition } from '../audit/jsonl_files.ts';
import { describePgChains, verifyPgChains } from '../audit/pg_verify.ts';
import { redactUrl } from '../audit/pg_redact.ts';
import { verifyTrail } from '../audit/verify.ts';
import { AUDIT_DB_FILE, readAuditChainFacts } from '../store/audit_table.ts';
import { die, loadConfigOrDie } from './shell.ts';

const USAGE = [
  'usage: npm run audit-verify [-- <file>...]   (default: every file in MUD_LOG_DIR/audit, oldest first)',
  '       npm run audit-verify -- --pg[=<url>]  (the chains in PostgreSQL, per server; default URL: MUD_AUDIT_PG_URL,',
  '                                             which keeps the password out of the process list)',
].join('\n');

const args = process.argv.slice(2);
if (args.some((a) => a === '-h' || a === '--help')) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const pgArg = args.find((a) => a === '--pg' || a.startsWith('--pg='));
if (pgArg !== undefined) {
  if (args.length > 1) die(USAGE, 2);
  const url = pgArg === '--pg' ? loadConfigOrDie().audit?.pgUrl : pgArg.slice('--pg='.length);
  if (!url) die('--pg: set MUD_AUDIT_PG_URL (postgres://user:password@host:5432/database), or give --pg=<url>', 2);
  let results;
  try {
    results = await verifyPgChains(url);
  } catch (error) {
    // pgError has scrubbed it already; redact once more in case it came from elsewhere.
    die((error as Error).message.split(url).join(redactUrl(url)), 2);
  }
  const report = describePgChains(results, redactUrl(url));
  for (const line of report.lines) process.stdout.write(`${line}\n`);
  process.exit(report.intact ? 0 : 1);
}
if (args.some((a) => a.startsWith('-'))) die(USAGE, 2);

const shown = (file: string): string => {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
};

let files: string[];
let tableMaxSeq: number | null = null;
let tableWithoutSeq = 0;
let where: string;
if (args.length) {
  files = args.map((f) => path.resolve(f));
  for (const f of files) if (!fs.statSync(f, { throwIfNoEntry: false })?.isFile()) die(`${f} is not a file`, 2);
  // A shell glob sorts audit-2026-11-23.1.jsonl before audit-2026-11-23.jsonl: put trail names in trail order.
  if (files.every((f) => trailPosition(path.basename(f)) !== null)) files.sort((a, b) => compareTrailNames(path.basename(a), path.basename(b)));
  where = `${files.length} file(s)`;
} else {
  const config = loadConfigOrDie();
  const dir = auditDirOf(config.logDir);
  files = listTrailFiles(dir);
  where = shown(dir);
  try {
    ({ maxSeq: tableMaxSeq, withoutSeq: tableWithoutSeq } = readAuditChainFacts(path.join(config.dataDir, AUDIT_DB_FILE)));
  } catch (error) {
    process.stdout.write(`note: the audit table could not be read (${(error as Error).message}); the end of the trail is not cross-checked\n`);
  }
}

if (!files.length) {
  process.stdout.write(`No audit trail files in ${where}: nothing to verify.\n`);
  process.exit(1);
}

const result = await verifyTrail(files, { tableMaxSeq });
const rename = (text: string) => files.reduce((t, f) => t.split(f).join(shown(f)), text);
for (const note of result.notes) process.stdout.write(`note: ${rename(note)}\n`);
// Said whatever the trail's verdict: "intact" speaks for the chain's records only, and a row
// with no seq (adopted from before the chain, or inserted by hand) is in none of them.
if (tableWithoutSeq > 0) {
  process.stdout.write(
    `NOT verified: ${tableWithoutSeq} row(s) of the audit table have no seq, so they are not part of the hash chain and nothing vouches for them (SELECT * FROM audit_events WHERE seq IS NULL in ${AUDIT_DB_FILE}).\n`,
  );
}
if (result.intact) {
  const span = result.firstSeq === null ? 'no records' : `seq ${result.firstSeq} to ${result.lastSeq}`;
  process.stdout.write(
    `Audit trail intact: ${result.records} record(s), ${span}, in ${files.length} file(s)${result.fromGenesis ? ', from the start of the chain' : ''}` +
      `${tableWithoutSeq ? `; not the ${tableWithoutSeq} table row(s) outside the chain` : ''}.\n`,
  );
  process.exit(0);
}
const b = result.broken!;
const loc = b.line > 0 ? `${shown(b.file)}:${b.line}` : shown(b.file);
process.stdout.write(`Audit trail BROKEN at ${loc}${b.seq !== null ? ` (seq ${b.seq})` : ''}: ${rename(b.reason)}\n`);
if (result.records > 0) process.stdout.write(`The ${result.records} record(s) before it (from seq ${result.firstSeq}) are intact.\n`);
process.exit(1);
