/**
 * The trail's notary, beside the JSONL sink on the audit worker: it adds each record the sink
 * has written to the Merkle tree (RFC 6962), and signs checkpoints of it (C2SP tlog-checkpoint)
 * every MUD_AUDIT_CHECKPOINT_EVENTS records or MUD_AUDIT_CHECKPOINT_SECONDS, after a rotation,
 * before a prune and at shutdown. A checkpoint commits to every record before it: rewriting
 * one, even re-hashing the chain after it, no longer gives the signed root; cutting records off
 * the end leaves a checkpoint (shipped elsewhere by MUD_AUDIT_CHECKPOINT_COMMAND) bigger than
 * the trail.
 *
 * The tree always equals the records on disk: a record is added only once the sink's write of
 * it is done, and a checkpoint is signed only after an fdatasync of the trail. After a crash the
 * tree is taken from `tree-state.json` (saved with each checkpoint) plus the records after it,
 * or rebuilt from the files when that does not fit.
 */
import fs from 'node:fs';
import path from 'node:path';
import { listTrailFiles } from '../jsonl_files.ts';
import type { SinkReporter } from '../sinks/sink.ts';
import { checkpointDirOf, checkpointFileFor, latestCheckpoint, listCheckpointFiles, makeCheckpoint, parseCheckpoint, readTreePoint, STATE_FILE, writeDurably, writeTreePoint, type Checkpoint } from './checkpoint.ts';
import { firstSeqOf, trailLeaves } from './leaves.ts';
import { CheckpointShipper } from './shipper.ts';
import { loadOrCreateKey, vkeyOf, type SigningKey } from './signed_note.ts';
import { readPrunedBase, treeOfFiles } from './trail_tree.ts';
import { CompactRange, leafHash } from './tree.ts';

export interface NotaryOptions {
  auditDir: string;
  keyFile: string;
  origin: string;
  everyEvents: number;
  everySeconds: number;
  command: string | null;
  dirMode: number;
  report: SinkReporter;
  /** Makes every record written so far durable (fdatasync of the live file). */
  sync: () => Promise<void>;
}

export type CheckpointReason = 'events' | 'time' | 'rotation' | 'prune' | 'shutdown' | 'start' | 'proof';

export class TrailNotary {
  readonly dir: string;
  private key!: SigningKey;
  private tree = new CompactRange();
  private lastSeq = 0;
  private lastHash: string | null = null;
  private signedSize = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private shipper: CheckpointShipper | null = null;
  private opened = false;

  constructor(private readonly opts: NotaryOptions) {
    this.dir = checkpointDirOf(opts.auditDir);
  }

  get size(): number {
    return this.tree.size;
  }

  /** Loads (or makes) the key and finds the tree of the records on disk; `head` is the sink's. */
  async open(head: { seq: number; hash: string | null }): Promise<void> {
    if (this.opened) return;
    const { report } = this.opts;
    fs.mkdirSync(this.dir, { recursive: true, mode: this.opts.dirMode });
    const { key, created } = loadOrCreateKey(this.opts.keyFile, this.opts.origin, this.opts.dirMode);
    this.key = key;
    if (created) report.info(`Audit signing key made: ${this.opts.keyFile} (0600). Keep its public key elsewhere (npm run audit-pubkey): ${vkeyOf(key)}`);
    await this.recover(head);
    const latest = latestCheckpoint(this.dir);
    this.signedSize = latest?.size ?? 0;
    if (latest && latest.size > this.tree.size) {
      report.error(
        `Audit trail: checkpoint ${path.basename(latest.file!)} covers ${latest.size} record(s) but the trail on disk has ${this.tree.size}: records were removed from its end. npm run audit-verify names them.`,
      );
    }
    if (this.opts.command) {
      this.shipper = new CheckpointShipper(this.opts.command, this.dir, report);
      // What a stop or a crash left unsent goes first.
      for (const file of listCheckpointFiles(this.dir)) {
        const cp = latestOf(file);
        if (cp && cp.size > this.shipper.shipped) this.shipper.send(cp);
      }
    }
    this.opened = true;
    if (this.tree.size !== this.signedSize) await this.checkpoint('start');
    if (this.opts.everySeconds > 0) {
      this.timer = setInterval(() => {
        if (this.tree.size !== this.signedSize) void this.checkpoint('time');
      }, this.opts.everySeconds * 1000);
      this.timer.unref();
    }
  }

  /** A record the sink has written (its line exactly as in the file, without the newline). */
  append(seq: number, chainHash: string, line: string): void {
    this.tree.appendLeaf(leafHash(line));
    this.lastSeq = seq;
    this.lastHash = chainHash;
  }

  /** After a batch: a checkpoint if MUD_AUDIT_CHECKPOINT_EVENTS records came since the last. */
  async batchDone(rotated: boolean): Promise<void> {
    if (rotated) await this.checkpoint('rotation');
    else if (this.opts.everyEvents > 0 && this.tree.size - this.signedSize >= this.opts.everyEvents) await this.checkpoint('events');
  }

  /**
   * Signs the tree as it is now (when it grew since the last checkpoint), saves the state to
   * resume from, and hands the checkpoint to the command. One at a time, in order.
   */
  checkpoint(reason: CheckpointReason): Promise<Checkpoint | null> {
    const run = this.chain.then(async () => {
      if (!this.opened || this.tree.size === this.signedSize || this.tree.size === 0) return null;
      const point = { size: this.tree.size, lastSeq: this.lastSeq, lastHash: this.lastHash, frontier: this.tree.clone() };
      // Signed only once what it covers is on the disk (a power cut must not leave a checkpoint bigger than the trail).
      await this.opts.sync();
      const cp = makeCheckpoint(this.opts.origin, point.size, point.frontier.root(), this.key);
      cp.file = checkpointFileFor(this.dir, cp);
      writeDurably(cp.file, cp.note);
      writeTreePoint(path.join(this.dir, STATE_FILE), point, { reason });
      this.signedSize = point.size;
      this.shipper?.send(cp);
      return cp;
    });
    this.chain = run.catch((error: unknown) => this.opts.report.error(`Audit checkpoint failed: ${(error as Error).message}`));
    return run.catch(() => null);
  }

  /** Retention is about to remove old files (retention.ts moves the pruned base): sign what is there first. */
  async beforePrune(): Promise<void> {
    await this.checkpoint('prune');
    await this.chain;
  }

  /** The shutdown checkpoint, then a few seconds for the command to take it. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (!this.opened) return;
    await this.checkpoint('shutdown');
    await this.chain;
    await this.shipper?.close();
    this.opened = false;
  }

  private async recover(head: { seq: number; hash: string | null }): Promise<void> {
    const { report } = this.opts;
    const base = readPrunedBase(this.opts.auditDir);
    const state = readTreePoint(path.join(this.dir, STATE_FILE));
    if (state && state.lastSeq >= base.lastSeq && state.size >= base.size && state.lastSeq <= head.seq) {
      if (state.lastSeq === head.seq && state.lastHash === head.hash) return this.adopt(state.frontier, state.lastSeq, state.lastHash);
      if (await this.resumeFrom(state.frontier, state.lastSeq, state.lastHash)) {
        if (this.lastSeq === head.seq) return;
      }
    }
    if (state) report.warn(`Audit trail: the saved Merkle tree (${STATE_FILE}, ${state.size} records) does not fit the files; rebuilding it from the trail`);
    const tree = await treeOfFiles(this.opts.auditDir);
    this.adopt(tree.frontier, tree.lastSeq, tree.lastHash);
    if (this.lastSeq !== head.seq && head.seq > 0) report.warn(`Audit trail: the Merkle tree ends at seq ${this.lastSeq} but the chain's head is seq ${head.seq}`);
  }

  private adopt(frontier: CompactRange, lastSeq: number, lastHash: string | null): void {
    this.tree = frontier.clone();
    this.lastSeq = lastSeq;
    this.lastHash = lastHash;
  }

  /** The saved frontier plus the records after it; false if its last record is not in the files. */
  private async resumeFrom(frontier: CompactRange, lastSeq: number, lastHash: string | null): Promise<boolean> {
    const files = listTrailFiles(this.opts.auditDir);
    // Newest file first: the one whose first record is at or before the saved last record.
    let from = 0;
    for (let i = files.length - 1; i >= 0; i--) {
      const first = firstSeqOf(files[i]!);
      if (first !== null && first <= lastSeq) {
        from = i;
        break;
      }
    }
    const tree = frontier.clone();
    let seen = lastSeq === 0;
    let last = { seq: lastSeq, hash: lastHash };
    for await (const leaf of trailLeaves(files.slice(from), Math.max(0, lastSeq - 1))) {
      if (!seen) {
        if (leaf.seq !== lastSeq || leaf.chainHash !== lastHash) return false;
        seen = true;
        continue;
      }
      tree.appendLeaf(leaf.leaf);
      last = { seq: leaf.seq, hash: leaf.chainHash };
    }
    if (!seen) return false;
    this.adopt(tree, last.seq, last.hash);
    return true;
  }
}

function latestOf(file: string): Checkpoint | null {
  try {
    return parseCheckpoint(fs.readFileSync(file, 'utf8'), file);
  } catch {
    return null;
  }
}
