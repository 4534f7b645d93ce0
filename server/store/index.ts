export { ObjectStore } from './object_store.ts';
export type { ObjectRecord, AccountRecord, NewObject } from './object_store.ts';
export { SCHEMA_VERSION } from './schema.ts';
export { UnitOfWork } from './unit_of_work.ts';
export { StaffStore } from './staff_store.ts';
export type { BanRecord, MuteRecord, ReportRecord } from './staff_store.ts';
export { LockoutStore } from './lockout_store.ts';
export { ConsoleSessionStore } from './console_session_store.ts';
export type { ConsoleSessionRecord } from './console_session_store.ts';
