/**
 * What every action and check shares during one run: the world, the model, the wallets, the log,
 * and how a broken invariant is reported.
 */
import { ethers } from "hardhat";
import { Wallet } from "ethers";
import { expect } from "chai";
import type { BaseContract, ContractTransactionResponse } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { InvariantViolation, Model, count, type Stats } from "./model";
import { INVARIANT_PARAMS, type World } from "./world";
import type { BuildContext, L2Wallet } from "./batches";
import { Rng } from "./rng";

export class RunContext {
  readonly model: Model;
  /** Every wallet that can sign on L2, by lowercase address (users first, then L2-only ones). */
  readonly wallets = new Map<string, L2Wallet>();
  /** L1 addresses withdrawals pay: fresh ones and the users (never the relayer, which pays gas). */
  readonly l1Recipients: string[];
  readonly attacker: string;
  /** L1 tokens registered on the Bridge, in id order. */
  readonly registered: string[] = [];
  /** Draws the keys of L2-only wallets and fresh L1 recipients, apart from the actions' draws. */
  private readonly walletRng: Rng;

  constructor(
    readonly world: World,
    readonly seed: number,
    readonly stats: Stats,
    /** Invariants reported as warnings (counted) instead of failing the run. */
    readonly warnOnly: ReadonlySet<string>,
  ) {
    this.model = new Model(world);
    this.walletRng = new Rng(seed ^ 0x5eed);
    for (const u of world.users) this.wallets.set(u.address, u.wallet);
    const fresh = [0, 1, 2].map(() => new Wallet(this.walletRng.key()).address.toLowerCase());
    this.l1Recipients = [...fresh, ...world.users.slice(0, 2).map((u) => u.address)];
    this.attacker = new Wallet(this.walletRng.key()).address.toLowerCase();
  }

  /** Reports a broken invariant: fails the run, unless it is one the caller asked to only count. */
  fail(invariant: string, message: string): void {
    if (this.warnOnly.has(invariant)) {
      count(this.stats.warnings, invariant);
      return;
    }
    throw new InvariantViolation(invariant, message);
  }

  check(ok: boolean, invariant: string, message: () => string): void {
    if (!ok) this.fail(invariant, message());
  }

  /** Expects `tx` to revert with custom error `name` (and `args`, when given). */
  async refused(invariant: string, tx: Promise<unknown>, contract: BaseContract, name: string, args?: unknown[]): Promise<void> {
    try {
      const matcher = expect(tx).to.be.revertedWithCustomError(contract, name);
      await (args ? matcher.withArgs(...args) : matcher);
      this.stats.refusalsChecked++;
    } catch (e) {
      this.fail(invariant, `expected ${name}${args ? `(${args.join(", ")})` : ""}: ${(e as Error).message}`);
    }
  }

  /** Sends `tx` and returns its receipt, reporting a revert as a broken invariant. */
  async accepted(invariant: string, tx: () => Promise<ContractTransactionResponse>) {
    try {
      const receipt = await (await tx()).wait();
      if (!receipt) throw new Error("no receipt");
      return receipt;
    } catch (e) {
      throw new InvariantViolation(invariant, `refused: ${(e as Error).message}`);
    }
  }

  newWallet = (): L2Wallet => {
    const w = new Wallet(this.walletRng.key());
    this.wallets.set(w.address.toLowerCase(), w);
    return w;
  };

  /** What batch builders need, on the sequencer's state, stamped with L1's latest time. */
  async buildContext(): Promise<BuildContext> {
    return {
      state: this.model.sequencer,
      queueEntry: this.model.queueEntry,
      wallets: this.wallets,
      newWallet: this.newWallet,
      l1Recipients: this.l1Recipients,
      timestamp: Number(await this.model.latestTimestamp()),
    };
  }

  get proposers(): HardhatEthersSigner[] {
    return [this.world.sequencer, ...this.world.fallbacks];
  }

  bondOf(address: string): bigint {
    return this.model.bonds.get(address.toLowerCase()) ?? 0n;
  }

  /** Whether `p` may post at L1 time `at`, by the model: bonded, not leaving, and the sequencer or after its timeout. */
  async mayPropose(p: HardhatEthersSigner, at: bigint): Promise<{ ok: boolean; error?: string; margin?: bigint }> {
    const address = p.address.toLowerCase();
    if (this.model.bondRequestedAt.has(address)) return { ok: false, error: "RollupBondWithdrawalPending" };
    if (this.bondOf(address) < INVARIANT_PARAMS.bondSize) return { ok: false, error: "RollupProposerNotBonded" };
    if (p === this.world.sequencer) return { ok: true };
    const openAt = this.proposingOpensAt();
    return at >= openAt ? { ok: true, margin: at - openAt } : { ok: false, error: "RollupNotSequencer", margin: openAt - at };
  }

  /**
   * When any bonded proposer may post, by the model: a sequencer timeout after the fallback clock
   * ({@link expectedFallbackClock}), or earlier when the oldest queue entry the tip left
   * waiting is a sequencer timeout past its inclusion deadline (a sequencer that posts but
   * censors the queue).
   */
  proposingOpensAt(): bigint {
    const timeout = BigInt(INVARIANT_PARAMS.sequencerTimeout);
    const silent = this.expectedFallbackClock() + timeout;
    const waiting = this.model.queue[Number(this.consumedOnL1())];
    const censored = waiting ? waiting.l1Timestamp + BigInt(INVARIANT_PARAMS.inclusionWindow) + timeout : silent;
    return censored < silent ? censored : silent;
  }

  /**
   * The fallback clock as the model says it should be: the submission time of the latest standing
   * batch the sequencer posted, or the deployment time if none stands. Fallback proposers' own
   * batches do not move it (they may post as often as the queue needs), and a revert takes it
   * back with the batches it removes.
   */
  expectedFallbackClock(): bigint {
    const sequencer = this.world.sequencer.address.toLowerCase();
    const last = this.model.batches.filter((b) => b.proposer === sequencer).at(-1);
    return last ? last.header.timestamp : this.world.deployedAt;
  }

  tipRoot(): string {
    return this.model.batches.at(-1)?.header.postStateRoot ?? this.world.genesisStateRoot;
  }

  /** The queue entries L1 says are consumed: the tip's queue count. */
  consumedOnL1(): bigint {
    return this.model.batches.at(-1)?.queueCount ?? 0n;
  }

  async balance(address: string): Promise<bigint> {
    return ethers.provider.getBalance(address);
  }
}
