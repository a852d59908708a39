import { ethers } from "hardhat";
import { Wallet, parseEther, type HDNodeWallet } from "ethers";
import { l1Fixture } from "./l1Fixture";
import { erc20, predeploy } from "./coreFixture";
import { L1Contracts } from "../../src/node/l1/contracts";
import { type L1QueueEntry } from "../../src/chain/l1Queue";
import { L2State } from "../../src/core/state";
import { BlockBuilder } from "../../src/core/blockBuilder";
import { encodeBatch, encodeCommitment, type Commitment } from "../../src/core/commitment";
import { summarizeBatch } from "../../src/core/batch";
import { positionalProof } from "../../src/core/merkle";
import { buildFraudWitness } from "../../src/core/fraudProof";
import { parseRawTransaction, toSignedOp } from "../../src/core/intake";
import { WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "../../src/core/constants";
import type { SignedOp } from "../../src/core/ops";
import type { QueueEntry } from "../../src/core/queueOps";
import type { FeeEntry } from "../../src/core/txSigning";
import { replayCommitment } from "../../src/core/replay";

export const CHAIN_ID = 51730n;
export const BASE_FEE = 10_000_000n;
export { erc20, predeploy };
const hex = (b: Buffer) => "0x" + b.toString("hex");

/**
 * Cairn on the in-process L1 with an honest batch 0 (alice and bob funded through the real
 * Bridge), and helpers to post a crafted batch 1 and prove one of its commitments wrong.
 */
export async function fraudFixture() {
  const f = await l1Fixture();
  const { bridge, rollup, deployer, token, alice: funder } = f;
  await bridge.registerToken(token);
  const alice = Wallet.createRandom();
  const bob = Wallet.createRandom();
  await bridge.connect(funder).depositETH(alice.address, { value: parseEther("10") });
  await bridge.connect(funder).depositERC20(token, alice.address, 1000n);
  await bridge.connect(funder).depositETH(bob.address, { value: parseEther("5") });
  await rollup.connect(deployer).postBond({ value: f.params.bondSize });
  const l1 = new L1Contracts(ethers.provider, f.addresses, deployer);
  const chain = new FraudChain(l1, L2State.genesis());
  await chain.syncQueue();
  const b = chain.builder();
  while (chain.state.queueIndex < BigInt(chain.queue.length)) b.addQueueEntry();
  await chain.post([b.seal(1_700_000_000).body]);
  return { ...f, l1, chain, alice, bob, tokenAddress: (await token.getAddress()).toLowerCase() };
}

export class FraudChain {
  queue: L1QueueEntry[] = [];

  constructor(
    readonly l1: L1Contracts,
    readonly state: L2State,
  ) {}

  async syncQueue(): Promise<void> {
    this.queue = await this.l1.queueEntries(0, await ethers.provider.getBlockNumber());
  }

  queueEntry = (i: bigint): QueueEntry | undefined => this.queue[Number(i)];

  builder(queueEntry: (i: bigint) => QueueEntry | undefined = this.queueEntry): BlockBuilder {
    return new BlockBuilder(this.state, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, queueEntry });
  }

  /** Builds a commitment on a throw-away copy of the state: the state is left as it was. */
  craft(build: (b: BlockBuilder) => void, mutate: (c: Commitment) => void = () => {}, queueEntry = this.queueEntry): Buffer {
    const cp = this.state.checkpoint();
    try {
      const b = this.builder(queueEntry);
      build(b);
      const sealed = b.seal(1_700_000_100);
      mutate(sealed.commitment);
      return encodeCommitment(sealed.commitment);
    } finally {
      this.state.rollback(cp);
    }
  }

  /** A commitment of hand-made operations (nothing checked), claiming `postStateRoot`. */
  handMade(ops: Commitment["ops"], fees: Commitment["fees"], postStateRoot = this.state.root()): Buffer {
    return encodeCommitment({ postStateRoot, withdrawalRoot: null, timestamp: 1_700_000_100, baseFee: BASE_FEE, feeRecipient: 0, fees, ops });
  }

  /** Posts `bodies` as the next batch on top of L1's tip (the local state is not changed). */
  async post(bodies: Buffer[], queueCount = this.state.queueIndex): Promise<{ index: number; pre: Buffer; bodies: Buffer[]; queueCount: bigint }> {
    const pre = Buffer.from((await this.l1.rollup.tipStateRoot()).slice(2), "hex");
    const index = Number(await this.l1.rollup.batchCount());
    await (await this.l1.rollup.submitBatch(index, pre, queueCount, encodeBatch(bodies))).wait();
    return { index, pre, bodies, queueCount };
  }

  /** Arguments for proveFraud on commitment `c` of a posted batch (the state is at the batch's pre-state). */
  proof(batch: { index: number; pre: Buffer; bodies: Buffer[]; queueCount: bigint }, c = 0) {
    const cp = this.state.checkpoint();
    try {
      // Commitments before the disputed one are honest here: replay them to reach its pre-state.
      for (let i = 0; i < c; i++) {
        const r = buildFraudWitness(this.state, batch.bodies[i], this.params(batch, i));
        if (!r.verdict.ok) throw new Error(`commitment ${i} is not honest`);
        replayCommitment(this.state, batch.bodies[i], this.params(batch, i));
      }
      const pre = this.state.root();
      const check = buildFraudWitness(this.state, batch.bodies[c], this.params(batch, c));
      const summary = summarizeBatch(batch.pre, batch.bodies);
      const path = positionalProof(summary.leaves, c);
      return { verdict: check.verdict, witness: check.witness, args: [batch.index, c, hex(pre), hex(batch.bodies[c]), path.map(hex), check.packed] as const };
    } finally {
      this.state.rollback(cp);
    }
  }

  params(batch: { bodies: Buffer[]; queueCount: bigint }, c: number) {
    return { chainId: CHAIN_ID, queueEntry: this.queueEntry, position: { queueLimit: batch.queueCount, lastInBatch: c === batch.bodies.length - 1 } };
  }

  /** A transaction signed by `wallet`, parsed as the sequencer's intake would. */
  async parsed(wallet: Wallet | HDNodeWallet, tx: Record<string, unknown>) {
    const nonce = Number(this.state.accountOf(wallet.address.toLowerCase())?.nonce ?? 0n);
    const raw = await wallet.signTransaction({ type: 2, chainId: CHAIN_ID, nonce, gasLimit: 100_000n, maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 0n, ...tx });
    return parseRawTransaction(raw, CHAIN_ID);
  }

  /** A signed op from `wallet`, built without the intake's nonce and chain checks. */
  async signedOp(wallet: Wallet | HDNodeWallet, tx: Record<string, unknown>, chainId = CHAIN_ID): Promise<{ op: SignedOp; fee: FeeEntry }> {
    const raw = await wallet.signTransaction({ type: 2, chainId, nonce: 0, gasLimit: 100_000n, maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 0n, ...tx });
    const parsed = parseRawTransaction(raw, chainId);
    return { op: toSignedOp(this.state, parsed, 0, { checkNonce: false }), fee: parsed.fee };
  }
}

export function transferTo(to: string, value: bigint) {
  return { to, value };
}

export function tokenTransfer(l2Token: string, to: string, amount: bigint) {
  return { to: l2Token, data: erc20.encodeFunctionData("transfer", [to, amount]) };
}

export function tokenApprove(l2Token: string, spender: string, amount: bigint) {
  return { to: l2Token, data: erc20.encodeFunctionData("approve", [spender, amount]) };
}

export function tokenTransferFrom(l2Token: string, owner: string, to: string, amount: bigint) {
  return { to: l2Token, data: erc20.encodeFunctionData("transferFrom", [owner, to, amount]) };
}

export function withdrawEth(l1Recipient: string, amount: bigint) {
  return { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [l1Recipient, ZERO_ADDRESS, amount]) };
}
