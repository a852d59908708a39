/**
 * The node's view of the L1 contracts: reading the queue and token registrations from events,
 * the batch chain from views, and posting batches. Everything goes through an ethers provider,
 * so the node runs against any L1 by URL or in-process against Hardhat.
 */
import type { Provider, Signer } from "ethers";
import { Bridge__factory, Rollup__factory, type Bridge, type Rollup } from "../../../typechain-types";
import type { QueueKind } from "../../core/constants";
import { TOKEN_REGISTERED, decodeTokenRegistered, type TokenMetadata } from "../../chain/tokens";
import { inSlices } from "../../shared/slices";
import type { L1QueueEntry } from "../../chain/l1Queue";
import type { RollupCounts } from "../../chain/chainState";
import { BeaconBlobSource, type BlobSource } from "./beaconClient";

export interface L1Addresses {
  bridge: string;
  rollup: string;
}

/** How a node reaches L1 and follows Cairn there: shared by every node role. */
export interface L1NodeConfig {
  l1Provider: Provider;
  /** The node's L1 account: posts batches (sequencer) or fraud proofs (challenger). */
  l1Signer: Signer;
  addresses: L1Addresses;
  /** L1 block the contracts were deployed in: where following starts. */
  startBlock: number;
  /** Blocks an L1 event must be buried under before the node acts on it. */
  confirmations: number;
  /** The L2 chain id. */
  chainId: bigint;
  /** A consensus-layer node's Beacon API (`--l1-beacon`): where blob batches' blobs come from. */
  l1Beacon?: string;
}



export class L1Contracts {
  readonly bridge: Bridge;
  readonly rollup: Rollup;

  constructor(
    readonly provider: Provider,
    readonly addresses: L1Addresses,
    /** Connects the contracts for writes (tests and tasks send through them); the node's own
     *  L1 transactions go through its L1TxManager. */
    signer?: Signer,
    /** Where blob batches' blobs come from (`--l1-beacon`); null: the node reads calldata batches only. */
    public blobs: BlobSource | null = null,
  ) {
    const runner = signer ?? provider;
    this.bridge = Bridge__factory.connect(addresses.bridge, runner);
    this.rollup = Rollup__factory.connect(addresses.rollup, runner);
  }

  /** Queue entries added in L1 blocks [from, to]. */
  async queueEntries(fromBlock: number, toBlock: number): Promise<L1QueueEntry[]> {
    const events = await inSlices(fromBlock, toBlock, (from, to) => this.bridge.queryFilter(this.bridge.filters.QueueEntryAdded(), from, to));
    return events.map((e) => ({
      index: e.args.index,
      kind: Number(e.args.kind) as QueueKind,
      account: e.args.account.toLowerCase(),
      tokenId: Number(e.args.tokenId),
      amount: e.args.amount,
      l1Sender: e.args.l1Sender.toLowerCase(),
      accumulator: e.args.accumulator,
      l1Block: e.blockNumber,
    }));
  }

  /**
   * Token registrations in L1 blocks [from, to], with the metadata the L2 views serve. The logs
   * are decoded here, not by ethers, whose lazily decoded strings throw on invalid UTF-8 when
   * read: one token's name must not stop every follower.
   */
  async tokenRegistrations(fromBlock: number, toBlock: number): Promise<TokenMetadata[]> {
    const logs = await inSlices(fromBlock, toBlock, (from, to) => this.provider.getLogs({ address: this.addresses.bridge, topics: [TOKEN_REGISTERED], fromBlock: from, toBlock: to }));
    return logs.flatMap((log) => decodeTokenRegistered(log) ?? []);
  }

  async counts(): Promise<RollupCounts> {
    const [queueLength, batchCount, finalBatchCount, revertedBatchCount] = await Promise.all([
      this.bridge.queueLength(),
      this.rollup.batchCount(),
      this.rollup.finalBatchCount(),
      this.rollup.revertedBatchCount(),
    ]);
    return { queueLength, batchCount, finalBatchCount, revertedBatchCount };
  }
}

/** The blob source of a node started with `--l1-beacon url` (none without). */
export function blobSourceFor(l1Beacon: string | undefined): BlobSource | null {
  return l1Beacon ? new BeaconBlobSource(l1Beacon) : null;
}

const SUBMIT_BATCH = Rollup__factory.createInterface().getFunction("submitBatch").selector.slice(2);
const uintWord = (v: bigint | number) => BigInt(v).toString(16).padStart(64, "0");

/** ABI calldata of `submitBatch(uint256, bytes32, uint64, bytes)`. */
export function submitBatchCalldata(batchIndex: number, preStateRoot: string, queueCount: bigint, commitments: Buffer): string {
  const padding = "00".repeat((32 - (commitments.length % 32)) % 32);
  return "0x" + SUBMIT_BATCH + uintWord(batchIndex) + preStateRoot.slice(2).padStart(64, "0") + uintWord(queueCount) + uintWord(128) + uintWord(commitments.length) + commitments.toString("hex") + padding;
}
