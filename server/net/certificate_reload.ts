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

/**
 * Re-reads `certificates` on every SIGHUP, for as long as the process runs; `also` runs after.
 * Without a certificate SIGHUP is still taken (and logged): Node's default for it ends the
 * process, which would drop every player on an operator's `kill -HUP` meant for a renewal.
 */
export function watchCertificates(certificates: Certificates | null, log: Log, also?: () => void): void {
  process.on('SIGHUP', () => {
    if (!certificates) {
      log.info('SIGHUP: no TLS certificate is configured, nothing to re-read');
      return;
    }
    try {
      const pair = certificates.reload();
      log.info(`SIGHUP: TLS certificate re-read, SHA-256 fingerprint ${pair.fingerprint}`);
    } catch (error) {
      log.error(`SIGHUP: the TLS certificate was not re-read, the old one stays in use: ${(error as Error).message}`);
    }
    also?.();
  });
}
