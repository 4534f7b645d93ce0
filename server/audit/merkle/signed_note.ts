/**
 * The trail's Ed25519 signing key and the C2SP signed-note format (https://c2sp.org/signed-note)
 * its checkpoints are written in:
 *
 *   <text, every line ending in '\n'>
 *   <blank line>
 *   — <key name> <base64(key ID ‖ Ed25519 signature over the text)>
 *
 * The key ID is the first 4 bytes of SHA-256(key name ‖ '\n' ‖ 0x01 ‖ 32-byte public key), 0x01
 * being the signature type Ed25519; the verifier key is printed as `<name>+<hex key ID>+<base64(0x01
 * ‖ public key)>` (the "vkey" Go's golang.org/x/mod/sumdb/note and other tlog tools read). Node's
 * built-in crypto does the signing: no package.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const ED25519 = 0x01;
/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410): the raw 32-byte key follows. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const DASH = '\u2014';

export interface SigningKey {
  name: string;
  privateKey: KeyObject;
  publicKey: Buffer;
  keyId: Buffer;
}

export interface VerifierKey {
  name: string;
  publicKey: Buffer;
  keyId: Buffer;
}

export function keyIdOf(name: string, publicKey: Buffer): Buffer {
  return createHash('sha256').update(name).update('\n').update(Buffer.from([ED25519])).update(publicKey).digest().subarray(0, 4);
}

function rawPublicKey(key: KeyObject): Buffer {
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - 32);
}

/**
 * Reads the private key (PKCS#8 PEM), making it first if the file does not exist: 0600 in a
 * directory of its own mode, written by exclusive create so two processes never make two keys.
 */
export function loadOrCreateKey(file: string, name: string, dirMode = 0o700): { key: SigningKey; created: boolean } {
  let created = false;
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: dirMode });
    const { privateKey } = generateKeyPairSync('ed25519');
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      created = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  const privateKey = createPrivateKey(fs.readFileSync(file));
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${file} is a ${privateKey.asymmetricKeyType} key; the audit trail signs with Ed25519`);
  const publicKey = rawPublicKey(privateKey);
  return { key: { name, privateKey, publicKey, keyId: keyIdOf(name, publicKey) }, created };
}

/** The verifier key, `<name>+<hex key ID>+<base64(0x01 ‖ public key)>`. */
export function vkeyOf(key: { name: string; publicKey: Buffer }): string {
  return `${key.name}+${keyIdOf(key.name, key.publicKey).toString('hex')}+${Buffer.concat([Buffer.from([ED25519]), key.publicKey]).toString('base64')}`;
}

export function parseVkey(text: string): VerifierKey {
  const m = /^([^\s+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(text.trim());
  const raw = m ? Buffer.from(m[3]!, 'base64') : null;
  if (!m || !raw || raw.length !== 33 || raw[0] !== ED25519) throw new Error(`not an Ed25519 verifier key (name+keyid+base64): ${text.trim().slice(0, 80)}`);
  const publicKey = raw.subarray(1);
  const keyId = keyIdOf(m[1]!, publicKey);
  if (keyId.toString('hex') !== m[2]) throw new Error(`verifier key ${m[1]}: the key ID does not match the key`);
  return { name: m[1]!, publicKey, keyId };
}

/** Signs `text` (each line '\n'-terminated) as a note: the text, a blank line, one signature line. */
export function signNote(text: string, key: SigningKey): string {
  if (!text.endsWith('\n')) throw new Error('a note text ends with a newline');
  const signature = sign(null, Buffer.from(text), key.privateKey);
  return `${text}\n${DASH} ${key.name} ${Buffer.concat([key.keyId, signature]).toString('base64')}\n`;
}

export interface OpenedNote {
  text: string;
  /** The signature lines' (name, key ID) that verified with one of the keys. */
  verifiedBy: string[];
  /** Signature lines for a known key that did not verify. */
  bad: string[];
}

/**
 * Splits a note into text and signatures and checks them against `keys`. Throws if the note is
 * malformed; a note no key signed comes back with verifiedBy empty.
 */
export function openNote(note: string, keys: readonly VerifierKey[]): OpenedNote {
  const cut = note.lastIndexOf('\n\n');
  if (cut < 0 || !note.endsWith('\n')) throw new Error('not a signed note (no blank line before the signatures, or no final newline)');
  const text = note.slice(0, cut + 1);
  const out: OpenedNote = { text, verifiedBy: [], bad: [] };
  for (const line of note.slice(cut + 2, -1).split('\n')) {
    const m = new RegExp(`^${DASH} (\\S+) ([A-Za-z0-9+/=]+)$`).exec(line);
    if (!m) throw new Error(`not a signature line: ${line.slice(0, 80)}`);
    const blob = Buffer.from(m[2]!, 'base64');
    for (const key of keys) {
      if (blob.length !== 68 || !keyIdOf(m[1]!, key.publicKey).equals(blob.subarray(0, 4))) continue;
      const ok = verify(null, Buffer.from(text), { key: Buffer.concat([SPKI_PREFIX, key.publicKey]), format: 'der', type: 'spki' }, blob.subarray(4));
      (ok ? out.verifiedBy : out.bad).push(m[1]!);
    }
  }
  return out;
}

/** The verifier key of a private key file (for verify when no --key is given). */
export function verifierOfKeyFile(file: string): VerifierKey {
  const publicKey = rawPublicKey(createPrivateKey(fs.readFileSync(file)));
  // The name is not known from the key alone; verification matches on the key, per name in the note.
  return { name: '', publicKey, keyId: Buffer.alloc(4) };
}
