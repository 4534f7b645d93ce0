import type { AuditBus } from '../audit/bus.ts';
import type { AuditReader } from '../audit/reader.ts';
import type { AuditTrail } from '../audit/trail.ts';
import type { AccountManager } from '../../typeclasses/account_manager.ts';
import type { GameConfig } from '../config.ts';
import type { GameLogger } from '../logging/index.ts';
import type { ObjectManager } from '../../typeclasses/object_manager.ts';
import type { LoginGuard } from '../sessions/login_guard.ts';
import type { ConsoleSessionKeeper } from './sessions.ts';
import type { SessionManager } from '../sessions/session_manager.ts';
import type { ReloadStats } from '../link/protocol.ts';
import type { Staff } from '../staff/staff.ts';

/**
 * What the console is handed by the start-up wiring: what it reads (objects, sessions, reports, the audit
 * table and the trail's health, the live bus) and what its login needs (accounts, the guard).
 */
export interface ConsolePorts {
  readonly config: GameConfig;
  readonly accounts: AccountManager;
  readonly loginGuard: LoginGuard;
  /** Where console logins outlive a reload (absent: in memory only, gone with the process). */
  readonly consoleSessions?: ConsoleSessionKeeper;
  readonly audit: AuditBus;
  readonly auditTrail: AuditTrail;
  /** The audit table's one read path (server/audit/reader.ts). */
  readonly auditReader: AuditReader;
  readonly objects: ObjectManager;
  readonly sessions: SessionManager;
  /** Players' reports, for the Reports view (read only). */
  readonly staff: Pick<Staff, 'openReports'>;
  readonly log: { readonly server: GameLogger };
  readonly startedAt: Date;
  /** Reloads and crash restarts under the portal (absent: one process, which never reloads). */
  readonly reloads?: () => ReloadStats;
}
