import type { AuditEvent } from './events.ts';

export type AuditSink = (event: AuditEvent) => void;

/**
 * The one stream every audited happening goes through. Sinks are called synchronously, in
 * order; a failing sink is reported and skipped so that it can neither stop the game nor
 * starve the other sinks.
 */
export class AuditBus {
  private readonly sinks: AuditSink[] = [];

  constructor(
    private readonly onSinkError: (error: unknown, event: AuditEvent) => void,
    /** How an event reaches the sinks; the game delivers once the command stating it succeeded. */
    private readonly deliver: (send: () => void) => void = (send) => send(),
  ) {}

  /** Adds a sink; the function returned removes it again. */
  subscribe(sink: AuditSink): () => void {
    this.sinks.push(sink);
    return () => {
      const at = this.sinks.indexOf(sink);
      if (at >= 0) this.sinks.splice(at, 1);
    };
  }

  emit(event: AuditEvent): void {
    this.deliver(() => {
      for (const sink of this.sinks) {
        try {
          sink(event);
        } catch (error) {
          this.onSinkError(error, event);
        }
      }
    });
  }
}
