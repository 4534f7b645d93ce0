/**
 * The unit of work: each command's writes as one savepoint, the units of one event-loop turn
 * grouped into one COMMIT at the end of the turn, in-memory undo for a unit that fails, and the
 * after-commit queue every socket write and audit delivery passes through, so that nothing the
 * game says leaves before the change it describes is on disk.
 *
 * ObjectStore owns the connection and hands its unit-of-work methods through to this; the SQL
 * of objects and accounts stays there.
 */
import type Database from 'better-sqlite3';

export class UnitOfWork {
  private depth = 0;
  /** Run in order when the turn's transaction commits; a rolled-back unit's are dropped. */
  private afterCommitActions: Array<() => void> = [];
  /** A transaction is open for this event-loop turn (see openTurn). */
  private turnOpen = false;
  /** In-memory changes of the running unit of work, undone in reverse if it fails. */
  private undoActions: Array<() => void> = [];
  /** What the running unit of work states happened, delivered only if it succeeds. */
  private successActions: Array<() => void> = [];

  /** Told after each turn's COMMIT succeeded, before what the turn said is sent. */
  onTurnCommitted: (() => void) | null = null;

  constructor(
    private readonly db: Database.Database,
    /** Told of a failed COMMIT or of a failure sending what a turn said; the game goes on. */
    private readonly onTrouble: (error: unknown) => void,
  ) {}

  /**
   * Runs `work` as one unit: all its writes stand or, if it throws, none do (a savepoint in the
   * turn's transaction; nested calls join the outer unit). If `work` returns a promise, only its
   * synchronous part is the unit: what it writes after its first `await` goes into whatever
   * turn is open then, which keeps the event loop free while, say, a password hashes.
   */
  unitOfWork<T>(work: () => T): T {
    if (this.depth > 0 || !this.db.open) return work();
    this.openTurn();
    this.db.exec('SAVEPOINT unit');
    const actionsBefore = this.afterCommitActions.length;
    this.depth++;
    let done = false;
    try {
      const result = work();
      done = true;
      return result;
    } finally {
      this.depth--;
      const undo = this.undoActions;
      const succeeded = this.successActions;
      this.undoActions = [];
      this.successActions = [];
      if (done) {
        this.db.exec('RELEASE unit');
        for (const action of succeeded) action();
      } else {
        // Only this unit is undone, in the database and in memory, and what it said is never
        // sent; the rest of the turn stands.
        this.db.exec('ROLLBACK TO unit');
        this.db.exec('RELEASE unit');
        this.afterCommitActions.length = actionsBefore;
        for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
      }
    }
  }

  /**
   * Registers how to put back an in-memory change made inside the running unit of work, should
   * the unit fail (its SQL is rolled back by the savepoint; the live objects are not). Outside a
   * unit there is nothing to roll back.
   */
  onRollback(undo: () => void): void {
    if (this.depth > 0) this.undoActions.push(undo);
  }

  /**
   * Runs `action` once the running unit of work has succeeded (now, outside one); never if it
   * fails. The audit bus delivers through this, so the trail never records a move or a change
   * that a failing command took back.
   */
  whenUnitSucceeds(action: () => void): void {
    if (this.depth > 0) this.successActions.push(action);
    else action();
  }

  /**
   * True while a unit of work runs: writes now would be undone if it failed. Outside one (a
   * timer, after an await) writes join the turn's transaction, which only ever commits.
   */
  get inUnitOfWork(): boolean {
    return this.depth > 0;
  }

  /**
   * Runs `write` inside the turn's transaction, opening it if need be, without a savepoint of
   * its own: inside a unit of work it joins the unit (and rolls back with it), outside one it
   * commits with the turn. The audit outbox writes through this.
   */
  inTurn<T>(write: () => T): T {
    if (this.db.open) this.openTurn();
    return write();
  }

  /** Runs `action` when the open unit of work has committed, or now when none is open. */
  afterCommit(action: () => void): void {
    if (this.turnOpen) this.afterCommitActions.push(action);
    else action();
  }

  /** Commits the open turn, then sends what its units said, in order. Safe to call any time. */
  commitTurn(): void {
    if (!this.turnOpen) return;
    this.turnOpen = false;
    const actions = this.afterCommitActions;
    this.afterCommitActions = [];
    try {
      if (this.db.open && this.db.inTransaction) this.db.exec('COMMIT');
    } catch (error) {
      // Disk full, I/O error: the turn's changes are not durable, so what it said is not sent.
      // The game goes on; the next turn starts a fresh transaction.
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.onTrouble(new Error(`COMMIT failed, ${actions.length} message(s) of that turn withheld: ${(error as Error).message}`));
      return;
    }
    this.onTurnCommitted?.();
    for (const action of actions) {
      try {
        action();
      } catch (error) {
        this.onTrouble(error);
      }
    }
  }

  /**
   * Group commit: the units of work of one event-loop turn share one transaction, committed at
   * the end of the turn, and what they said is sent after that commit. A turn of 50 players'
   * commands costs one COMMIT, and no reply ever leaves before its command's writes are durable.
   */
  private openTurn(): void {
    if (this.turnOpen) return;
    this.db.exec('BEGIN');
    this.turnOpen = true;
    setImmediate(() => this.commitTurn());
  }
}
