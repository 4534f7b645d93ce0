/**
 * The queryable audit table (`data/audit.sqlite3`) as a sink: one transaction per batch, and
 * the cursor is the table's own highest seq, read back after any failure, so a batch is in the
 * table entirely or not at all.
 */
import { AuditTable } from '../../store/audit_table.ts';
import { eventToRow } from '../rows.ts';
import type { DeliverySink, OutboxEvent } from './sink.ts';

export class TableSink implements DeliverySink {
  readonly name = 'table';
  private table: AuditTable | null = null;

  constructor(private readonly file: string) {}

  async open(): Promise<number> {
    this.table?.close();
    this.table = new AuditTable(this.file, 'write');
    return this.table.maxSeq() ?? 0;
  }

  async write(events: readonly OutboxEvent[]): Promise<void> {
    this.table!.insert(events.map(({ seq, event }) => eventToRow(event, seq)));
  }

  async prune(cutoff: string): Promise<number> {
    const table = this.table;
    if (!table) return 0;
    let total = 0;
    // In chunks, yielding between them, so a big backlog never holds the worker for long.
    for (;;) {
      const n = table.prune(cutoff, 5000, 4);
      total += n;
      if (n < 20_000) return total;
      await new Promise((r) => setImmediate(r));
    }
  }

  async close(): Promise<void> {
    this.table?.close();
    this.table = null;
  }
}
