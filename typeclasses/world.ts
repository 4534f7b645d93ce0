import type { AuditBus } from '../server/audit/bus.ts';
import type { AccountManager } from './account_manager.ts';
import type { ObjectManager } from './object_manager.ts';

/**
 * What every object is handed (its world port): the live objects, the accounts, and the audit
 * bus its hooks state events on. Never the game, a protocol or the store.
 */
export interface World {
  readonly objects: ObjectManager;
  readonly accounts: AccountManager;
  readonly audit: Pick<AuditBus, 'emit'>;
}
