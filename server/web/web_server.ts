/**
 * The web port's server: http, or https with the server's certificate when MUD_WEB_TLS=on. The
 * one place that decides, for every wiring of the web port (the single process, the portal),
 * so they can never disagree. Over https the
 * console's cookie is `Secure` on its own: it asks whether the request came over TLS.
 */
import http from 'node:http';
import https from 'node:https';
import type { Certificates } from '../net/certificate.ts';

/** `certificates`: null for plain http; given, the server is https and follows SIGHUP's re-reads. */
export function createWebServer(options: http.ServerOptions, app: http.RequestListener, certificates: Certificates | null): http.Server {
  if (!certificates) return http.createServer(options, app);
  const { cert, key } = certificates.current;
  const server = https.createServer({ ...options, cert, key }, app);
  // New connections get the new certificate; those open keep theirs, nobody is dropped.
  certificates.onChange((pair) => server.setSecureContext({ cert: pair.cert, key: pair.key }));
  return server;
}

/** The scheme browsers use for the web port. */
export function webScheme(certificates: Certificates | null): 'http' | 'https' {
  return certificates ? 'https' : 'http';
}
