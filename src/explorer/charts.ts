/**
 * The dashboard's two charts over the last hour, a minute at a time: L2 transactions per block
 * (from the chain index) and L1 gas per L2 transaction (each standing batch posting's L1
 * receipt `gasUsed`, over the transactions its blocks hold). The snapshot carries the bins, not
 * the blocks, so that it stays the same small size however busy the hour was; the page draws
 * them (public/charts.js).
 */
import type { Provider } from "ethers";
import type { ActivityCharts } from "./api";
import type { ChainIndex } from "./chainIndex";
import type { Posting } from "./postings";

/** Seconds one bar covers. */
export const CHART_BIN_SECONDS = 60;
/** Bars a chart has: the last hour. */
export const CHART_BINS = 60;
/** Receipts asked for at once when many postings are new (an explorer started on a busy chain). */
const PARALLEL = 25;

/** The L1 gas of each batch posting, by its L1 transaction: a receipt never changes, so each is read once. */
export class BatchGas {
  private readonly gas = new Map<string, number>();

  constructor(private readonly l1: Provider) {}

  /** Reads the receipts of `l1Txs` not read yet, and forgets the postings not among them (they left the hour). */
  async update(l1Txs: string[]): Promise<void> {
    const wanted = new Set(l1Txs);
    for (const tx of this.gas.keys()) if (!wanted.has(tx)) this.gas.delete(tx);
    const missing = l1Txs.filter((tx) => !this.gas.has(tx));
    for (let i = 0; i < missing.length; i += PARALLEL) {
      const slice = missing.slice(i, i + PARALLEL);
      const receipts = await Promise.all(slice.map((tx) => this.l1.getTransactionReceipt(tx)));
      // A receipt the L1 node does not have yet (or lost to a reorg) is asked for again next time.
      receipts.forEach((r, j) => r && this.gas.set(slice[j], Number(r.gasUsed)));
    }
  }

  of(l1Tx: string): number | undefined {
    return this.gas.get(l1Tx);
  }
}

/** Which bar `time` falls in, with the last bar ending at `now`; null before the hour. A time ahead of `now` (clocks apart) counts as now. */
function binOf(time: number, now: number): number | null {
  const bin = CHART_BINS - 1 - Math.floor(Math.max(0, now - time) / CHART_BIN_SECONDS);
  return bin >= 0 ? bin : null;
}

/**
 * The charts as of L1 time `l1Now`. Blocks are placed by their own timestamps, which the
 * sequencer takes from its clock, so their hour ends at the wall clock's now (or the newest
 * block's time, if that is later); batches by their L1 time, as challenge windows are.
 */
export async function activityCharts(index: ChainIndex, postings: Posting[], gas: BatchGas, l1Now: number): Promise<ActivityCharts> {
  const blocks = Array.from({ length: CHART_BINS }, () => ({ blocks: 0, txs: 0 }));
  const l2Now = Math.max(Math.floor(Date.now() / 1000), index.blocks.at(-1)?.time ?? 0);
  // Newest first, stopping at the hour's start; block 0 is genesis, with no time.
  for (let n = index.head; n > 0; n--) {
    const b = index.blocks[n];
    const bin = binOf(b.time, l2Now);
    if (bin === null) break;
    blocks[bin].blocks += 1;
    blocks[bin].txs += b.txs.length;
  }

  // A reverted posting's blocks were posted again: only the standing one counts, once.
  const recent = postings.filter((p) => p.record.state !== "reverted" && binOf(p.record.submittedAt, l1Now) !== null);
  await gas.update(recent.map((p) => p.record.l1Tx));
  const batches = Array.from({ length: CHART_BINS }, () => ({ batches: 0, l1Gas: 0, txs: 0 }));
  for (const { record: b } of recent) {
    const used = gas.of(b.l1Tx);
    const last = b.firstBlock + b.blocks - 1;
    // Not counted until both its receipt and its blocks are known: a half-counted batch would skew the bar.
    if (used === undefined || last > index.head) continue;
    let txs = 0;
    for (let n = b.firstBlock; n <= last; n++) txs += index.blocks[n].txs.length;
    const bin = batches[binOf(b.submittedAt, l1Now)!];
    bin.batches += 1;
    bin.l1Gas += used;
    bin.txs += txs;
  }
  return { binSeconds: CHART_BIN_SECONDS, l2Now, blocks, l1Now, batches };
}
