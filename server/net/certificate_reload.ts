/**
 * SIGHUP re-reads the certificate (a renewal, certbot's deploy hook): new TLS connections get
 * the new one, connected players keep theirs. A pair that does not load is logged and the old
 * one stays in use.
 */
import type { Certificates } from './certificate.ts';

interface Log {
  info(message: string): void;
  error(message: string): void;
}

/** Re-reads `certificates` on every SIGHUP, for as long as the process runs; `also` runs after. */
export function watchCertificates(certificates: Certificates, log: Log, also?: () => void): void {
  process.on('SIGHUP', () => {
    try {
      const pair = certificates.reload();
      log.info(`SIGHUP: TLS certificate re-read, SHA-256 fingerprint ${pair.fingerprint}`);
    } catch (error) {
      log.error(`SIGHUP: the TLS certificate was not re-read, the old one stays in use: ${(error as Error).message}`);
    }
    also?.();
  });
}
