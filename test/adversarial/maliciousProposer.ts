/**
 * The malicious proposer's toolkit: post any bytes as a batch — straight from a bonded EOA, or
 * through a contract — and build the challenger's proveFraud arguments for what was posted
 * (with FraudChain.proof, the witness the real challenger builds).
 */
import { ethers } from "hardhat";
import { Interface, type Signer, type ContractTransactionReceipt } from "ethers";
import { encodeBatch } from "../../src/core/commitment";
import { Bridge__factory, FraudVerifier__factory, ProposerProxy__factory, Rollup__factory, type ProposerProxy, type Rollup } from "../../typechain-types";
import type { FraudChain } from "../helpers/fraudFixture";

/** A batch as posted: what FraudChain.proof needs to build proofs against it. */
export interface PostedBatch {
  index: number;
  pre: Buffer;
  bodies: Buffer[];
  queueCount: bigint;
}

/** A revert, decoded against every Cairn contract's errors (and Solidity's Panic and Error). */
export interface Revert {
  /** The error's name ("Panic", "RollupNotFraudulent", …), or "unknown" with the raw data. */
  name: string;
  args: string[];
  data: string;
  message: string;
}

export type Submission = { ok: true; batch: PostedBatch; receipt: ContractTransactionReceipt } | { ok: false; revert: Revert };

/** The Osaka per-transaction gas cap: a submission or a proof must fit under it. */
export const TX_GAS_CAP = 16_777_216n;

const ERRORS = new Interface([
  ...Rollup__factory.abi.filter((f) => f.type === "error"),
  ...FraudVerifier__factory.abi.filter((f) => f.type === "error"),
  ...Bridge__factory.abi.filter((f) => f.type === "error"),
  ...ProposerProxy__factory.abi.filter((f) => f.type === "error"),
  // BatchCodec's envelope errors, spelled out in case the Rollup's ABI leaves library errors out.
  "error BatchEmpty()",
  "error BatchTooManyCommitments(uint256 count, uint256 max)",
  "error BatchTruncated(uint256 offset)",
  "error CommitmentTooShort(uint256 offset, uint256 length)",
  "error CommitmentBadFlags(uint256 offset, uint8 flags)",
  "error CommitmentZeroWithdrawalRoot(uint256 offset)",
  "error EmptyRunOfNoBlocks(uint256 offset)",
  "error BatchTooManyBlocks(uint256 blocks, uint256 max)",
]);

/** Finds revert data in an error thrown by ethers or Hardhat (its place differs by path). */
function revertData(e: unknown): string | undefined {
  const seen = new Set<unknown>();
  const walk = (x: unknown): string | undefined => {
    if (!x || typeof x !== "object" || seen.has(x)) return undefined;
    seen.add(x);
    const o = x as Record<string, unknown>;
    if (typeof o.data === "string" && /^0x[0-9a-f]*$/i.test(o.data)) return o.data;
    for (const k of ["error", "info", "cause", "data", "revert"]) {
      const found = walk(o[k]);
      if (found !== undefined) return found;
    }
    return undefined;
  };
  return walk(e);
}

export function decodeRevert(e: unknown): Revert {
  const message = e instanceof Error ? e.message : String(e);
  const data = revertData(e) ?? "0x";
  if (data.length >= 10) {
    try {
      const parsed = ERRORS.parseError(data);
      if (parsed) return { name: parsed.name, args: parsed.args.map(String), data, message };
    } catch {
      // Not one of ours: fall through.
    }
  }
  const oog = /out of gas|gas required exceeds/i.test(message);
  return { name: oog ? "OutOfGas" : "unknown", args: [], data, message: message.slice(0, 300) };
}

export function describeRevert(r: Revert): string {
  return r.name === "unknown" ? `unknown revert (data ${r.data}: ${r.message})` : `${r.name}(${r.args.join(", ")})`;
}

export class MaliciousProposer {
  readonly rollup: Rollup;

  constructor(
    readonly signer: Signer,
    rollupAddress: string,
    readonly chain: FraudChain,
  ) {
    this.rollup = Rollup__factory.connect(rollupAddress, signer);
  }

  /** The tip's state root: what the next batch must claim as its pre-state. */
  async tip(): Promise<{ index: number; pre: Buffer }> {
    const [count, root] = await Promise.all([this.rollup.batchCount(), this.rollup.tipStateRoot()]);
    return { index: Number(count), pre: Buffer.from(root.slice(2), "hex") };
  }

  /**
   * Posts `data` verbatim as the `commitments` argument: any envelope, any bodies. `at` overrides
   * the batch index and pre-state root (default: the tip's); the gas limit is fixed so a refusal
   * is a mined revert, not an estimate that fails.
   */
  async submitRaw(data: Buffer, queueCount: bigint, at?: { index: number; pre: Buffer }, bodies?: Buffer[]): Promise<Submission> {
    const { index, pre } = at ?? (await this.tip());
    try {
      const tx = await this.rollup.submitBatch(index, pre, queueCount, data, { gasLimit: TX_GAS_CAP });
      const receipt = (await tx.wait())!;
      return { ok: true, batch: { index, pre, bodies: bodies ?? [], queueCount }, receipt };
    } catch (e) {
      return { ok: false, revert: decodeRevert(e) };
    }
  }

  /** Posts commitment bodies in a well-formed envelope. */
  submitBodies(bodies: Buffer[], queueCount: bigint, at?: { index: number; pre: Buffer }): Promise<Submission> {
    return this.submitRaw(encodeBatch(bodies), queueCount, at, bodies);
  }

  /** The challenger's proveFraud arguments for commitment `c` of a posted batch (FraudChain.proof). */
  proof(batch: PostedBatch, c: number): ReturnType<FraudChain["proof"]> {
    return this.chain.proof(batch, c);
  }

  /** A forwarding contract owned by `owner`, for posting bonds and batches from a contract. */
  static async deployProxy(owner: Signer): Promise<ProposerProxy> {
    return (await ethers.deployContract("ProposerProxy", [], owner)) as unknown as ProposerProxy;
  }

  /** Bonds `proxy` and has it call submitBatch with these arguments; resolves to the outcome. */
  static async submitThroughContract(
    proxy: ProposerProxy,
    rollup: Rollup,
    args: { index: number; pre: Buffer; queueCount: bigint; data: Buffer; bond: bigint },
  ): Promise<{ ok: true } | { ok: false; revert: Revert }> {
    const target = await rollup.getAddress();
    await (await proxy.forward(target, rollup.interface.encodeFunctionData("postBond"), { value: args.bond })).wait();
    const call = rollup.interface.encodeFunctionData("submitBatch", [args.index, args.pre, args.queueCount, args.data]);
    try {
      await (await proxy.forward(target, call, { gasLimit: TX_GAS_CAP })).wait();
      return { ok: true };
    } catch (e) {
      return { ok: false, revert: decodeRevert(e) };
    }
  }
}
