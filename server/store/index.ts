export { ObjectStore } from './object_store.ts';
export type { ObjectRecord, AccountRecord, NewObject } from './object_store.ts';
export { SCHEMA_VERSION } from './schema.ts';
export { UnitOfWork } from './unit_of_work.ts';
