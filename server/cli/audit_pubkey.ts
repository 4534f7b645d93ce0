/**
 * `npm run audit-pubkey`: prints the verifier key of the audit trail's signing key (C2SP
 * signed-note: `<name>+<key ID>+<base64 Ed25519 public key>`), making the key first if the server
 * has not yet (MUD_AUDIT_SIGNING_KEY_FILE, default data/audit_signing.key, 0600). Keep the line
 * somewhere an intruder on this host cannot write, and give it to `audit-verify -- --key`.
 */
import { checkpointOrigin } from '../audit/merkle/checkpoint.ts';
import { loadOrCreateKey, vkeyOf } from '../audit/merkle/signed_note.ts';
import { defaultAuditTrailConfig, signingKeyFileOf } from '../config.ts';
import { die, loadConfigOrDie } from './shell.ts';

if (process.argv.length > 2) die('usage: npm run audit-pubkey   (prints the verifier key of MUD_AUDIT_SIGNING_KEY_FILE)', 2);
const config = loadConfigOrDie();
const file = signingKeyFileOf(config);
try {
  const { key, created } = loadOrCreateKey(file, checkpointOrigin((config.audit ?? defaultAuditTrailConfig()).serverId), config.logs.dirMode);
  if (created) process.stderr.write(`Made a new audit signing key: ${file} (0600)\n`);
  process.stdout.write(`${vkeyOf(key)}\n`);
} catch (error) {
  die(`${file}: ${(error as Error).message}`);
}
