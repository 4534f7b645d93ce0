/**
 * Free space on the disks the game writes to (the data dir and the log dir). On a full disk the
 * game cannot commit and the sinks cannot write: operators need to see it coming, in /metrics,
 * on the console's Health panel, and as a WARN in server.log (once an hour while it lasts).
 */
import fs from 'node:fs';

export interface DiskSpace {
  path: string;
  freeBytes: number;
}

/** Free bytes (for an unprivileged writer) under each path; a path that cannot be read is left out. */
export function diskSpace(paths: readonly string[]): DiskSpace[] {
  const out: DiskSpace[] = [];
  for (const path of paths) {
    try {
      const st = fs.statfsSync(path);
      out.push({ path, freeBytes: st.bavail * st.bsize });
    } catch {
      // not there yet
    }
  }
  return out;
}

const WARN_EVERY_MS = 3_600_000;

/** Warns in `log` when a disk runs low (below `warnBytes`), at most once an hour per path. */
export function watchDiskSpace(paths: readonly string[], warnBytes: number, log: { warn(message: string): void }, everyMs = 60_000): () => void {
  if (warnBytes <= 0) return () => {};
  const warned = new Map<string, number>();
  const check = () => {
    for (const { path, freeBytes } of diskSpace(paths)) {
      if (freeBytes >= warnBytes) continue;
      const last = warned.get(path) ?? 0;
      if (Date.now() - last < WARN_EVERY_MS) continue;
      warned.set(path, Date.now());
      log.warn(`Disk space low: ${Math.floor(freeBytes / 1048576)} MiB free under ${path} (MUD_DISK_WARN_BYTES=${warnBytes}); the game stops committing when it is full`);
    }
  };
  check();
  const timer = setInterval(check, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
