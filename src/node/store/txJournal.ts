/**
 * The sequencer's journal of accepted transactions: a transaction's hash is returned only after
 * its raw bytes are on disk (fsync), so an acknowledged transaction survives a crash. Writes are
 * group-committed — every transaction accepted while one fsync runs goes in the next — so the
 * disk's sync latency bounds latency, not throughput. On restart the node re-applies the journal
 * on top of what L1 holds; entries already in posted batches are refused as known and skipped.
 */
import fs from "node:fs";
import path from "node:path";

export class TxJournal {
  private readonly fd: number;
  private pending: string[] = [];
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private flushing: Promise<void> | null = null;

  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, "a+");
  }

  /** Every raw transaction journaled so far, in acceptance order (a torn last line is dropped). */
  read(): string[] {
    const text = fs.readFileSync(this.file, "utf8");
    return text.split("\n").filter((line) => /^0x[0-9a-fA-F]+$/.test(line));
  }

  /** Resolves once `raw` is durable. */
  append(raw: string): Promise<void> {
    this.pending.push(raw);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.flushing) this.flushing = this.flush();
    return done;
  }

  /** Forgets every entry: called when everything journaled is posted on L1. */
  truncate(): void {
    if (this.pending.length > 0 || this.flushing) return;
    fs.ftruncateSync(this.fd, 0);
    fs.fsyncSync(this.fd);
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  private async flush(): Promise<void> {
    // Let the accepts of this tick join the group.
    await new Promise((r) => setImmediate(r));
    while (this.pending.length > 0) {
      const lines = this.pending;
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      try {
        await new Promise<void>((resolve, reject) =>
          fs.write(this.fd, lines.join("\n") + "\n", (err) => (err ? reject(err) : fs.fdatasync(this.fd, (e) => (e ? reject(e) : resolve())))),
        );
        for (const w of waiters) w.resolve();
      } catch (e) {
        for (const w of waiters) w.reject(e);
      }
    }
    this.flushing = null;
  }
}
