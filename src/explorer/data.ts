/**
 * What the explorer reads, from the two endpoints anyone has — the L1 (the rollup's events, via
 * the SDK's RollupHistory) and the L2 JSON-RPC (blocks, logs, rollup_*) — so it works against
 * any Cairn deployment, not only an in-process devnet. Both are brought up to date at most
 * once in a short while, one refresh at a time, however many pages ask.
 */
import type { JsonRpcProvider, Provider } from "ethers";
import { RollupHistory, l1Now, type CairnAddresses } from "../sdk";
import type { RollupStatus } from "../chain/api";
import type { TokenRef } from "./api";
import { ChainIndex } from "./chainIndex";
import { BatchGas } from "./charts";
import { postingsOf, type Posting } from "./postings";

/** The chain as of one refresh. */
export interface ChainView {
  l1Block: number;
  /** The L1's clock (its latest block's time), the one challenge windows run on. */
  l1Time: number;
  status: RollupStatus;
  postings: Posting[];
  /** Seconds a batch stays challengeable (0 until a batch shows it: its end minus its submission). */
  challengeWindow: number;
}

export class ExplorerData {
  readonly history: RollupHistory;
  readonly index: ChainIndex;
  /** The L1 gas of recent batch postings, for the dashboard's chart. */
  readonly batchGas: BatchGas;
  private view: { at: number; value: ChainView } | null = null;
  private refreshing: Promise<ChainView> | null = null;
  private tokensByL2 = new Map<string, TokenRef>();
  private tokensByL1 = new Map<string, TokenRef>();

  constructor(
    readonly l1: Provider,
    readonly l2: JsonRpcProvider,
    addresses: CairnAddresses,
    fromL1Block = 0,
    private readonly maxAgeMs = 400,
  ) {
    this.history = new RollupHistory(l1, addresses, fromL1Block);
    this.index = new ChainIndex(l2);
    this.batchGas = new BatchGas(l1);
  }

  /** The chain brought up to date: L1 history first, so that every token the L2 knows is known here. */
  fresh(): Promise<ChainView> {
    if (this.view && Date.now() - this.view.at < this.maxAgeMs) return Promise.resolve(this.view.value);
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** The bridged token at L2 address `l2Token`. */
  tokenAt = (l2Token: string): TokenRef | null => this.tokensByL2.get(l2Token.toLowerCase()) ?? null;

  /** The bridged token of L1 address `l1Token`. */
  tokenOnL1 = (l1Token: string): TokenRef | null => this.tokensByL1.get(l1Token.toLowerCase()) ?? null;

  tokenById(id: number): TokenRef | null {
    const t = this.history.tokens.get(id);
    return t ? this.tokenAt(t.l2Token) : null;
  }

  tokens(): TokenRef[] {
    return [...this.tokensByL2.values()].sort((a, b) => a.id - b.id);
  }

  private async refresh(): Promise<ChainView> {
    const l1Block = await this.history.update();
    const l1Time = await l1Now(this.l1);
    this.history.refreshStates(l1Time);
    for (const t of this.history.tokens.values()) {
      const ref = { id: t.id, l1Token: t.l1Token.toLowerCase(), l2Token: t.l2Token.toLowerCase(), symbol: t.symbol, decimals: t.decimals };
      this.tokensByL2.set(ref.l2Token, ref);
      this.tokensByL1.set(ref.l1Token, ref);
    }
    const status = (await this.l2.send("rollup_status", [])) as RollupStatus;
    await this.index.update(status.l2BlockNumber, this.tokenAt);
    const first = this.history.batches[0];
    const challengeWindow = first ? first.challengeableUntil - first.submittedAt : 0;
    const value: ChainView = { l1Block, l1Time, status, postings: postingsOf(this.history), challengeWindow };
    this.view = { at: Date.now(), value };
    return value;
  }
}
