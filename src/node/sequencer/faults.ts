/**
 * The sequencer's faulty mode, for demonstrating and testing fraud proofs: it corrupts one
 * posted batch with a chosen kind of fraud, then lets the challenger revert it. The sequencer's
 * own chain stays honest — only the bytes it posts lie — so once the batch is reverted it posts
 * the same blocks again, honestly. Refused unless L1 is a local development chain.
 */
import { Wallet, parseEther, type HDNodeWallet } from "ethers";
import { emptyRunOf, encodeCommitment, type Commitment } from "../../core/commitment";
import { OpKind } from "../../core/constants";
import type { QueueEntry } from "../../core/queueOps";
import { parseRawTransaction, toSignedOp } from "../../core/intake";
import type { Op } from "../../core/ops";
import { replayCommitment } from "../../core/replay";
import { L2State } from "../../core/state";
import { CairnError } from "../../core/errors";
import { BlockBuilder } from "../../core/blockBuilder";
import type { L2Block } from "../../chain/chainStore";
import type { BatchPort, BatchPortContext, OutgoingBatch, WrapBatchPort } from "./batchPort";

export const FAULT_KINDS = [
  "bad-signature",
  "wrong-chain",
  "nonce",
  "insufficient-balance",
  "unknown-token",
  "malformed",
  "unknown-account",
  "deposit-skipped",
  "deposit-misapplied",
  "deposit-amount",
  "deposit-recipient",
  "post-state",
  "withdrawal-root",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Chain ids of local development L1s: the only ones faulty mode runs against. */
export const LOCAL_CHAIN_IDS = [31337n, 1337n];

export class FaultModeRefusedError extends CairnError {
  readonly code: string = "FAULT_MODE_REFUSED";
  override readonly name = "FaultModeRefusedError";
}

export function parseFaultKind(value: string): FaultKind {
  if (!(FAULT_KINDS as readonly string[]).includes(value)) {
    throw new FaultModeRefusedError(`unknown fault kind "${value}"`, { details: `choose one of ${FAULT_KINDS.join(", ")}` });
  }
  return value as FaultKind;
}

/** What corrupting changes of a batch. */
type BatchBytes = Pick<OutgoingBatch, "bodies" | "queueCount">;

/**
 * Faulty mode as a wrapper of the sequencer's batch port: the first batch posted once the
 * injector's puppet account exists carries the fault; the port reports it as not posted as
 * given, so the submitter holds until the challenger reverts it. Refused unless L1 is local.
 */
export function faultyMode(kind: FaultKind): WrapBatchPort {
  return async (port: BatchPort, ctx: BatchPortContext): Promise<BatchPort> => {
    const injector = await FaultInjector.create(kind, ctx);
    ctx.logger.warn({ fault: kind }, "FAULTY MODE: one batch will carry this fraud");
    return {
      async post(batch) {
        if (!injector.ready(batch.blocks)) return port.post(batch);
        const corrupted = await injector.corrupt(batch, batch.blocks[batch.blocks.length - 1].number);
        return { ...(await port.post({ ...batch, ...corrupted })), asGiven: false };
      },
      blobBlocks: port.blobBlocks?.bind(port),
    };
  };
}

export class FaultInjector {
  private used = false;
  /** The state at the last tip asked for: ready() and corrupt() ask for the same one. */
  private tip: { block: number; state: L2State } | null = null;
  /** An L2 account only the injector holds the key of, funded with a little ETH. */
  private readonly puppet: HDNodeWallet = Wallet.createRandom();

  constructor(
    readonly kind: FaultKind,
    private readonly ctx: BatchPortContext,
  ) {}

  /** Refuses to run against anything but a local L1. */
  static async create(kind: FaultKind, ctx: BatchPortContext): Promise<FaultInjector> {
    const chainId = (await ctx.l1.provider.getNetwork()).chainId;
    if (!LOCAL_CHAIN_IDS.includes(chainId)) {
      throw new FaultModeRefusedError(`faulty mode refused on L1 chain ${chainId}`, { details: "it only runs against a local development chain" });
    }
    const injector = new FaultInjector(kind, ctx);
    // The puppet needs an L2 account for the signed kinds: a deposit gives it one.
    await (await ctx.l1.bridge.depositETH(injector.puppet.address, { value: parseEther("0.001") })).wait();
    return injector;
  }

  /** Whether the next batch should carry the fault: once, and only after the puppet exists on L2. */
  ready(blocks: readonly L2Block[]): boolean {
    if (this.used || blocks.length === 0) return false;
    const tip = this.stateAt(blocks[blocks.length - 1].number);
    return tip.indexOf(this.puppet.address.toLowerCase()) !== undefined;
  }

  /** Corrupts `batch` (whose last block is `lastBlock`) with this injector's fault. */
  async corrupt(batch: BatchBytes, lastBlock: number): Promise<BatchBytes> {
    const bodies = batch.bodies.slice();
    // The last commitment, not an empty run (which has no root or header to corrupt).
    let last = bodies.length - 1;
    while (last >= 0 && emptyRunOf(bodies[last]) !== null) last--;
    if (last < 0 && (this.kind === "malformed" || this.kind === "post-state" || this.kind === "withdrawal-root")) return batch;
    this.used = true;
    this.ctx.logger.warn({ fault: this.kind }, "FAULTY MODE: posting a fraudulent batch");
    switch (this.kind) {
      case "malformed":
        bodies[last] = Buffer.concat([bodies[last], Buffer.of(0)]);
        return { ...batch, bodies };
      case "post-state": {
        bodies[last] = Buffer.from(bodies[last]);
        bodies[last][7] ^= 0xff;
        return { ...batch, bodies };
      }
      case "withdrawal-root":
        bodies[last] = withForgedWithdrawalRoot(bodies[last]);
        return { ...batch, bodies };
      case "deposit-skipped":
        await this.ensureQueueEntry(batch.queueCount);
        return { ...batch, queueCount: batch.queueCount + 1n };
      default: {
        const tip = this.stateAt(lastBlock);
        const crafted = await this.craft(tip, batch.queueCount);
        return { bodies: [...bodies, crafted.body], queueCount: crafted.queueCount };
      }
    }
  }

  /** A commitment on top of `tip` that breaks a rule. */
  private async craft(tip: L2State, queueCount: bigint): Promise<{ body: Buffer; queueCount: bigint }> {
    // The latest L1 block's time: no earlier than the honest blocks before it, no later than L1.
    const timestamp = (await this.ctx.l1.provider.getBlock("latest"))!.timestamp;
    const header = (ops: Op[], fees: Commitment["fees"], postStateRoot = tip.root()): Buffer =>
      encodeCommitment({ postStateRoot, withdrawalRoot: null, timestamp, baseFee: 10_000_000n, feeRecipient: 0, fees, ops });
    const puppetIndex = tip.indexOf(this.puppet.address.toLowerCase())!;
    const sign = async (overrides: { chainId?: bigint; nonceDelta?: bigint; value?: bigint }) => {
      const nonce = tip.account(puppetIndex).nonce + (overrides.nonceDelta ?? 0n);
      const chainId = overrides.chainId ?? this.ctx.chainId;
      const raw = await this.puppet.signTransaction({ type: 2, chainId, nonce: Number(nonce), to: tip.account(0).address, value: overrides.value ?? 1n, gasLimit: 100_000n, maxFeePerGas: 20_000_000n, maxPriorityFeePerGas: 0n });
      const parsed = parseRawTransaction(raw, chainId);
      return { op: toSignedOp(tip, parsed, 0, { checkNonce: false }), fee: parsed.fee };
    };
    switch (this.kind) {
      case "bad-signature": {
        const { op, fee } = await sign({});
        const r = Buffer.from(op.sig.r);
        r[31] ^= 1;
        return { body: header([{ ...op, sig: { ...op.sig, r } }], [fee]), queueCount };
      }
      case "wrong-chain": {
        const { op, fee } = await sign({ chainId: this.ctx.chainId + 1n });
        return { body: header([op], [fee]), queueCount };
      }
      case "nonce": {
        const { op, fee } = await sign({ nonceDelta: 1n });
        return { body: header([op], [fee]), queueCount };
      }
      case "insufficient-balance": {
        const { op, fee } = await sign({ value: parseEther("1") });
        return { body: header([op], [fee]), queueCount };
      }
      case "unknown-token": {
        const { op, fee } = await sign({});
        return { body: header([{ kind: OpKind.TOKEN_TRANSFER, feeIndex: 0, from: puppetIndex, tokenId: tip.tokenCount, to: 0, amount: 1n, sig: op.sig }], [fee]), queueCount };
      }
      case "unknown-account": {
        const { op, fee } = await sign({});
        return { body: header([{ kind: OpKind.ETH_TRANSFER, feeIndex: 0, from: puppetIndex, to: tip.accountCount + 10, amount: 1n, sig: op.sig }], [fee]), queueCount };
      }
      case "deposit-misapplied": {
        // Credit the entry to an account that is not its recipient.
        const entry = await this.ensureQueueEntry(queueCount);
        const wrong = tip.indexOf(entry.account) === 0 ? puppetIndex : 0;
        return { body: header([{ kind: OpKind.QUEUE, credit: "existing", index: wrong }], []), queueCount: queueCount + 1n };
      }
      case "deposit-amount":
      case "deposit-recipient": {
        const entry = await this.ensureQueueEntry(queueCount);
        const lie: QueueEntry =
          this.kind === "deposit-amount" ? { ...entry, amount: entry.amount * 2n + 1n } : { ...entry, account: Wallet.createRandom().address.toLowerCase() };
        // Apply the entry as if it said something else: same operation bytes, another post-state.
        const cp = tip.checkpoint();
        const b = new BlockBuilder(tip, { chainId: this.ctx.chainId, baseFee: 10_000_000n, feeRecipient: 0, queueEntry: (i) => (i === queueCount ? lie : this.ctx.queue(i)) });
        b.addQueueEntry();
        const sealed = b.seal(timestamp);
        tip.rollback(cp);
        return { body: sealed.body, queueCount: queueCount + 1n };
      }
      default:
        throw new FaultModeRefusedError(`no crafted commitment for ${this.kind}`);
    }
  }

  /** Makes sure L1 queue entry `index` exists (deposits to the puppet if not) and returns it. */
  private async ensureQueueEntry(index: bigint): Promise<QueueEntry> {
    if ((await this.ctx.l1.bridge.queueLength()) <= index) {
      await (await this.ctx.l1.bridge.depositETH(this.puppet.address, { value: 12345n })).wait();
    }
    const head = await this.ctx.l1.provider.getBlockNumber();
    const entries = await this.ctx.l1.queueEntries(0, head);
    return entries[Number(index)];
  }

  /** The L2 state after block `number`, rebuilt from the node's own blocks. */
  private stateAt(number: number): L2State {
    if (this.tip?.block === number) return this.tip.state;
    const state = L2State.genesis();
    for (const block of this.ctx.blocks.slice(1, number + 1)) {
      const r = replayCommitment(state, block.body, { chainId: this.ctx.chainId, queueEntry: (i) => this.ctx.queue(i) });
      if (!r.verdict.ok) throw new FaultModeRefusedError(`the node's own block ${block.number} does not replay`);
    }
    this.tip = { block: number, state };
    return state;
  }
}

/** The same commitment claiming a withdrawal root that its operations do not produce. */
function withForgedWithdrawalRoot(body: Buffer): Buffer {
  const forged = Buffer.alloc(32, 0x5a);
  if (body[32] & 1) return Buffer.concat([body.subarray(0, 33), forged, body.subarray(65)]);
  return Buffer.concat([body.subarray(0, 32), Buffer.of(body[32] | 1), forged, body.subarray(33)]);
}
