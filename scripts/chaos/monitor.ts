/**
 * What the run measures while it goes: the process's peak RSS (the L1, the nodes and the RPC
 * all live in it), and how long it takes the sequencer to post — from a block's sealing, and
 * from a transaction's acknowledgement, to the batch on L1 that carries it (wall clock).
 */
import type { SequencerNode } from "../../src/node/sequencer/sequencerNode";

export class Monitor {
  peakRss = 0;
  /** Peak RSS under each phase of the run, in MB: where the memory went. */
  readonly peakRssMbByPhase: { [phase: string]: number } = {};
  /** Longest wall-clock wait from a block's sealing to its batch landing, in ms. */
  longestSealedToPostedMs = 0;
  /** Longest wall-clock wait from a transaction's acknowledgement to its batch landing, in ms. */
  longestAcknowledgedToPostedMs = 0;
  private readonly sealedAt = new Map<string, number>();
  private readonly postedTxs = new Set<string>();
  private watched: SequencerNode | null = null;
  private scanned = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    /** The sequencer running now (a new one after a restart). */
    private readonly sequencer: () => SequencerNode,
    /** Acknowledged transaction hashes and when they were acknowledged. */
    private readonly acknowledged: ReadonlyMap<string, number>,
    /** The phase of the run under way. */
    private readonly phase: () => string,
  ) {}

  /** Notes when each block of `node` is sealed: call before the node starts. */
  watch(node: SequencerNode): void {
    node.onBlock((b) => this.sealedAt.set(b.hash, Date.now()));
  }

  start(): void {
    this.timer = setInterval(() => this.sample(), 250);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample();
  }

  private sample(): void {
    const rss = process.memoryUsage().rss;
    this.peakRss = Math.max(this.peakRss, rss);
    const phase = this.phase();
    this.peakRssMbByPhase[phase] = Math.max(this.peakRssMbByPhase[phase] ?? 0, Math.round(rss / 2 ** 20));
    const node = this.sequencer();
    if (node !== this.watched) {
      // A restarted sequencer: its batch records start over (it syncs them from L1).
      this.watched = node;
      this.scanned = 0;
    }
    const batches = node.chain.batches;
    if (this.scanned > batches.length) this.scanned = batches.length;
    const now = Date.now();
    for (; this.scanned < batches.length; this.scanned++) {
      const record = batches[this.scanned];
      for (let n = record.firstBlock; n <= record.lastBlock; n++) this.notePosted(node, n, now);
    }
  }

  private notePosted(node: SequencerNode, number: number, now: number): void {
    const block = node.chain.block(number);
    if (!block) return;
    const sealed = this.sealedAt.get(block.hash);
    if (sealed !== undefined) {
      this.longestSealedToPostedMs = Math.max(this.longestSealedToPostedMs, now - sealed);
      this.sealedAt.delete(block.hash);
    }
    for (const tx of block.transactions) {
      const acknowledged = this.acknowledged.get(tx.hash);
      if (acknowledged === undefined || this.postedTxs.has(tx.hash)) continue;
      this.postedTxs.add(tx.hash);
      this.longestAcknowledgedToPostedMs = Math.max(this.longestAcknowledgedToPostedMs, now - acknowledged);
    }
  }
}
