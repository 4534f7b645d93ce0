import type { SessionManager } from '../sessions/session_manager.ts';
import { formatDuration } from './duration.ts';
import { isStaff } from './staff.ts';

/**
 * MUD_IDLE_SECONDS: logged-in players who typed nothing for longer are told so and disconnected
 * (staff are exempt). One timer for the whole game, not one per session: it looks a few times
 * per idle period, so a player goes at most a quarter of it late.
 */
export function startIdleSweep(sessions: Pick<SessionManager, 'loggedIn'>, idleMs: number, now: () => number = Date.now): () => void {
  if (idleMs <= 0) return () => {};
  const every = Math.min(Math.max(Math.floor(idleMs / 4), 100), 30_000);
  const timer = setInterval(() => {
    const at = now();
    for (const session of sessions.loggedIn()) {
      if (session.closed || isStaff(session.account) || at - session.lastInputAt <= idleMs) continue;
      session.disconnect(`You have been idle for more than ${formatDuration(idleMs / 1000)}; goodbye.`, 'idle timeout');
    }
  }, every);
  timer.unref();
  return () => clearInterval(timer);
}
