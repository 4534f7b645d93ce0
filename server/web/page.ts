/**
 * The HTML page a browser surface serves (the webclient's index.html, the console's): its asset
 * URLs versioned by a hash of the assets, and the server's name put in, escaped.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** A short hash of the assets: a new release gets new asset URLs, so caches can keep old ones long. */
export function assetVersion(dir: string, assets: readonly string[]): string {
  const hash = crypto.createHash('sha256');
  for (const file of assets) {
    const full = path.join(dir, file);
    if (fs.existsSync(full)) hash.update(fs.readFileSync(full));
  }
  return hash.digest('hex').slice(0, 12);
}

/** `dir/index.html` with `__ASSET_VERSION__` and `__SERVER_NAME__` filled in. */
export function versionedPage(dir: string, assets: readonly string[], serverName: string): { html: string; version: string } {
  const version = assetVersion(dir, assets);
  const html = fs
    .readFileSync(path.join(dir, 'index.html'), 'utf8')
    .replaceAll('__ASSET_VERSION__', version)
    .replaceAll('__SERVER_NAME__', escapeHtml(serverName));
  return { html, version };
}
