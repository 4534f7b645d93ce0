// The audit worker's entry. Under `npm start` (tsx) and the tests the worker's code is
// TypeScript, and a worker thread does not inherit the parent's loader: register tsx here first.
// A compiled build passes a .js entry and needs no loader.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
