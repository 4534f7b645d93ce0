/**
 * The server's TLS certificate, for the TLS telnet port and HTTPS on the web port: read from
 * MUD_TLS_CERT / MUD_TLS_KEY, or made once into the data dir (MUD_TLS_SELF_SIGNED=on), and read
 * again on SIGHUP, after which new connections get the new one and nobody connected is dropped.
 *
 * A self-signed certificate is made with Debian's `openssl` command: Node's crypto makes keys
 * but no X.509 certificate, and a hand-written ASN.1/DER encoder is a lot of security-critical
 * code to own for a convenience; openssl is on every machine that has Node's own dependencies.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import type { ReachSettings } from '../config_reach.ts';

export class CertificateError extends Error {
  override name = 'CertificateError';
}

export interface CertificatePair {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** SHA-256 of the certificate's DER, as `AB:CD:…` (what browsers and `openssl x509 -fingerprint` show). */
  readonly fingerprint: string;
}

/** Where a self-signed certificate lives in the data dir. */
export function selfSignedFiles(dataDir: string): { cert: string; key: string } {
  return { cert: path.join(dataDir, 'tls', 'self_signed.crt'), key: path.join(dataDir, 'tls', 'self_signed.key') };
}

/** Makes a self-signed certificate for `name` (and localhost) unless one is there; the key 0600. */
export function ensureSelfSigned(dataDir: string, name: string): { cert: string; key: string } {
  const files = selfSignedFiles(dataDir);
  if (fs.existsSync(files.cert) && fs.existsSync(files.key)) return files;
  fs.mkdirSync(path.dirname(files.cert), { recursive: true, mode: 0o700 });
  const temporary = { cert: `${files.cert}.new`, key: `${files.key}.new` };
  // The key file is made 0600 before openssl writes a byte into it.
  fs.writeFileSync(temporary.key, '', { mode: 0o600 });
  fs.chmodSync(temporary.key, 0o600);
  const subject = `/CN=${name.replace(/[^A-Za-z0-9 .-]/g, '').slice(0, 60) || 'audited-mud'}`;
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '825',
        '-subj', subject, '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
        '-keyout', temporary.key, '-out', temporary.cert],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (error) {
    fs.rmSync(temporary.key, { force: true });
    fs.rmSync(temporary.cert, { force: true });
    const err = error as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') {
      throw new CertificateError('MUD_TLS_SELF_SIGNED=on needs the openssl command (Debian: apt-get install openssl), or give a certificate with MUD_TLS_CERT and MUD_TLS_KEY');
    }
    throw new CertificateError(`openssl could not make a self-signed certificate: ${String(err.stderr ?? err.message).trim().slice(0, 300)}`);
  }
  fs.chmodSync(temporary.key, 0o600);
  fs.renameSync(temporary.key, files.key);
  fs.renameSync(temporary.cert, files.cert);
  return files;
}

/** Reads and checks a PEM certificate and its key; the error names the file, never its contents. */
export function readCertificate(files: { cert: string; key: string }): CertificatePair {
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = fs.readFileSync(files.cert);
    key = fs.readFileSync(files.key);
  } catch (error) {
    throw new CertificateError(`cannot read the TLS certificate or key: ${(error as Error).message}`);
  }
  let fingerprint: string;
  try {
    const x509 = new crypto.X509Certificate(cert);
    if (!x509.checkPrivateKey(crypto.createPrivateKey(key))) throw new Error(`the key in ${files.key} does not belong to the certificate`);
    fingerprint = x509.fingerprint256;
  } catch (error) {
    throw new CertificateError(`${files.cert} / ${files.key} are not a PEM certificate and its private key: ${(error as Error).message}`);
  }
  return { cert, key, fingerprint };
}

/** The certificate in use, and whoever serves with it (told when SIGHUP brings a new one). */
export class Certificates {
  private pair: CertificatePair;
  private readonly listeners: Array<(pair: CertificatePair) => void> = [];

  private constructor(private readonly files: { cert: string; key: string }) {
    this.pair = readCertificate(files);
  }

  /** Null when no certificate is configured; throws CertificateError when one cannot be had. */
  static open(reach: ReachSettings, dataDir: string, serverName: string): Certificates | null {
    if (reach.tlsCert && reach.tlsKey) return new Certificates({ cert: reach.tlsCert, key: reach.tlsKey });
    if (reach.tlsSelfSigned) return new Certificates(ensureSelfSigned(dataDir, serverName));
    return null;
  }

  get current(): CertificatePair {
    return this.pair;
  }

  onChange(listener: (pair: CertificatePair) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Reads the files again (SIGHUP). A bad new pair keeps the old one in use and throws, so a
   * typo in a renewal never takes TLS down.
   */
  reload(): CertificatePair {
    const next = readCertificate(this.files);
    // Made into a TLS context before anyone switches: a pair Node cannot serve throws here, while
    // every listener still serves the old one (no port half on the new pair).
    tls.createSecureContext({ cert: next.cert, key: next.key });
    this.pair = next;
    for (const listener of this.listeners) listener(next);
    return next;
  }
}
