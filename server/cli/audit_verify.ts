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
import { parseVkey, verifierOfKeyFile, type VerifierKey } from '../audit/merkle/signed_note.ts';
import { verifyCheckpoints } from '../audit/merkle/verify_checkpoints.ts';
import { tableCheck } from '../audit/table_check.ts';
import { verifyTrail } from '../audit/verify.ts';
import { signingKeyFileOf, type GameConfig } from '../config.ts';
import { AUDIT_DB_FILE, readAuditChainFacts } from '../store/audit_table.ts';
import { die, loadConfigOrDie } from './shell.ts';

const USAGE = [
  'usage: npm run audit-verify [-- <file>...]   (default: every file in MUD_LOG_DIR/audit, oldest first, and its signed checkpoints)',
  '       npm run audit-verify -- --key <vkey>  (the public key from npm run audit-pubkey, kept elsewhere; default: the key file here)',
  '       npm run audit-verify -- --checkpoint <file|dir>   (also checkpoints kept elsewhere, e.g. shipped by MUD_AUDIT_CHECKPOINT_COMMAND)',
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
// --key <vkey> and --checkpoint <file|dir> (repeatable): the signed-checkpoint half (verify_checkpoints.ts).
const keyArgs: string[] = [];
const extraCheckpoints: string[] = [];
const rest: string[] = [];
for (let i = 0; i < args.length; i++) {
  const m = /^--(key|checkpoint)(?:=(.*))?$/.exec(args[i]!);
  if (!m) {
    rest.push(args[i]!);
    continue;
  }
  const value = m[2] ?? args[++i];
  if (!value) die(`--${m[1]} needs a value\n${USAGE}`, 2);
  (m[1] === 'key' ? keyArgs : extraCheckpoints).push(value);
}
args.splice(0, args.length, ...rest);
if (args.some((a) => a.startsWith('-'))) die(USAGE, 2);
for (const c of extraCheckpoints) if (!fs.existsSync(c)) die(`--checkpoint ${c}: no such file or directory`, 2);

const shown = (file: string): string => {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
};

let files: string[];
let tableMaxSeq: number | null = null;
let tableWithoutSeq = 0;
let where: string;
let trail: { dir: string; config: GameConfig } | null = null;
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
  trail = { dir, config };
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
const at = (file: string | null, line: number) => (file ? (line > 0 ? `${shown(file)}:${line}` : shown(file)) : where);
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
} else {
  const b = result.broken!;
  process.stdout.write(`Audit trail BROKEN at ${at(b.file, b.line)}${b.seq !== null ? ` (seq ${b.seq})` : ''}: ${rename(b.reason)}\n`);
  if (result.records > 0) process.stdout.write(`The ${result.records} record(s) before it (from seq ${result.firstSeq}) are intact.\n`);
}
let intact = result.intact;
if (trail) intact = (await verifySigned(trail.dir, trail.config)) && intact;
else if (extraCheckpoints.length || keyArgs.length) die('--key and --checkpoint check the configured trail (MUD_LOG_DIR/audit): give no file arguments', 2);
process.exit(intact ? 0 : 1);

/** The signed checkpoints and the audit table (verify_checkpoints.ts, table_check.ts). */
async function verifySigned(dir: string, config: GameConfig): Promise<boolean> {
  const keys: VerifierKey[] = [];
  for (const k of keyArgs) {
    try {
      keys.push(parseVkey(fs.existsSync(k) ? fs.readFileSync(k, 'utf8') : k));
    } catch (error) {
      die(`--key: ${(error as Error).message}`, 2);
    }
  }
  const keyFile = signingKeyFileOf(config);
  if (!keys.length && fs.existsSync(keyFile)) {
    keys.push(verifierOfKeyFile(keyFile));
    process.stdout.write(`note: checkpoints checked with the key in ${shown(keyFile)}; give --key <vkey> (npm run audit-pubkey, kept elsewhere) to notice a replaced key\n`);
  }
  const table = tableCheck(path.join(config.dataDir, AUDIT_DB_FILE));
  const signed = keys.length
    ? await verifyCheckpoints(dir, keys, { extra: extraCheckpoints, onLeaf: table ? (leaf) => table.onLeaf(leaf) : undefined })
    : null;
  let ok = true;
  if (!signed) {
    process.stdout.write(`note: no signing key (${shown(keyFile)}) and no --key: the checkpoints were not checked\n`);
  } else {
    for (const note of signed.notes) process.stdout.write(`note: ${rename(note)}\n`);
    if (signed.intact && signed.verified) {
      process.stdout.write(
        `Checkpoints intact: ${signed.verified} signed checkpoint(s), tree size ${signed.smallest} to ${signed.largest}, each consistent with the one before; the ${signed.leaves} record(s) on disk give the newest root.\n`,
      );
    } else if (!signed.intact) {
      const b = signed.broken!;
      ok = false;
      process.stdout.write(`Audit trail BROKEN at ${at(b.file, b.line)}${b.seq !== null ? ` (seq ${b.seq})` : ''}: ${rename(b.reason.split(b.checkpoint ?? '\0').join(shown(b.checkpoint ?? '')))}\n`);
      if (b.checkpoint) process.stdout.write(`Exposed by checkpoint ${shown(b.checkpoint)}.\n`);
    }
  }
  if (table) {
    const found = table.finish();
    for (const note of found.notes) process.stdout.write(`note: ${rename(note)}\n`);
    for (const d of found.differing) process.stdout.write(`Audit table BROKEN: ${rename(d)}\n`);
    if (found.differing.length) ok = false;
  }
  return ok;
}
