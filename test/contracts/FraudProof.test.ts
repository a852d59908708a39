import { expect } from "chai";
import { ethers } from "hardhat";
import { Wallet, parseEther } from "ethers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { fraudFixture, tokenTransfer, transferTo, withdrawEth } from "../helpers/fraudFixture";
import { encodeWitness, onChainVerdict, type Witness } from "../../src/core/fraudProof";
import { OpKind } from "../../src/core/constants";
import { l2TokenAddress } from "../../src/core/hashing";
import type { QueueEntry } from "../../src/core/queueOps";

type F = Awaited<ReturnType<typeof fraudFixture>>;
type Batch = Awaited<ReturnType<F["chain"]["post"]>>;

const idx = (f: F, w: { address: string }) => f.chain.state.indexOf(w.address.toLowerCase())!;

/** An honest commitment with one transfer from alice. */
async function honestTransfer(f: F): Promise<Buffer[]> {
  const tx = await f.chain.parsed(f.alice, transferTo(f.bob.address, 1n));
  return [f.chain.craft((b) => void b.addTransaction(tx))];
}

/** An honest commitment consuming every queue entry not yet consumed. */
function honestDeposits(f: F): Buffer[] {
  return [f.chain.craft((b) => {
    while (f.chain.state.queueIndex < BigInt(f.chain.queue.length)) b.addQueueEntry();
  })];
}
const flip = (b: Buffer) => {
  const out = Buffer.from(b);
  out[5] ^= 0xff;
  return out;
};
const KIND = { malformed: 1, invalidOp: 2, withdrawalRoot: 3, postState: 4, queueCount: 5 };
const REASON = { badSignature: 1, unknownAccount: 2, insufficientFunds: 3, unknownToken: 6, malformed: 8 };

async function challenger() {
  return (await ethers.getSigners())[6];
}

/** Posts `bodies` as batch 1, proves commitment `c` wrong, and checks rollback and slashing. */
async function proveAndCheck(
  f: F,
  bodies: Buffer[],
  expected: { kind: number; reason?: number },
  opts: { queueCount?: bigint; c?: number; honest?: Buffer[] } = {},
) {
  const { rollup, deployer } = f;
  const batch = await f.chain.post(bodies, opts.queueCount);
  const c = opts.c ?? 0;
  const { verdict, args } = f.chain.proof(batch, c);
  expect(onChainVerdict(verdict), "src/core's verdict").to.deep.equal({ kind: expected.kind, reason: expected.reason ?? 0 });
  const who = await challenger();
  const bond = await rollup.bonds(deployer.address);
  const tx = rollup.connect(who).proveFraud(...args);
  await expect(tx)
    .to.emit(rollup, "FraudProven")
    .withArgs(batch.index, c, who.address, deployer.address, expected.kind, expected.reason ?? 0, (n: bigint) => n >= 0n, 1, bond / 2n, bond - bond / 2n);
  await expect(tx).to.changeEtherBalance(who, bond / 2n);
  expect(await rollup.batchCount()).to.equal(BigInt(batch.index));
  expect(await rollup.revertedBatchCount()).to.equal(1n);
  expect(await rollup.bonds(deployer.address)).to.equal(0n);
  expect(await rollup.burnedBonds()).to.equal(bond - bond / 2n);
  expect(await rollup.tipStateRoot()).to.equal("0x" + f.chain.state.root().toString("hex"));
  await expect(rollup.connect(who).proveFraud(...args), "a replayed proof").to.be.revertedWithCustomError(rollup, "RollupUnknownBatch");
  if (opts.honest) {
    // The honest twin of the same batch: the same kind of proof must fail.
    await rollup.connect(deployer).postBond({ value: f.params.bondSize });
    await expectHonest(f, opts.honest, c, opts.queueCount);
  }
}

/** Posts `bodies` and checks that proving commitment `c` reverts: it is honest. */
async function expectHonest(f: F, bodies: Buffer[], c = 0, queueCount?: bigint): Promise<Batch> {
  const batch = await f.chain.post(bodies, queueCount);
  const { verdict, args } = f.chain.proof(batch, c);
  expect(verdict).to.deep.equal({ ok: true });
  await expect(f.rollup.connect(await challenger()).proveFraud(...args))
    .to.be.revertedWithCustomError(f.rollup, "RollupNotFraudulent")
    .withArgs(batch.index, c);
  return batch;
}

async function newDeposits(f: F, deposits: Array<[string, bigint]>) {
  const [, funder] = await ethers.getSigners();
  for (const [to, amount] of deposits) await f.bridge.connect(funder).depositETH(to, { value: amount });
  await f.chain.syncQueue();
}

describe("FraudProof: each kind of bad commitment is proven, and the honest one is not", function () {
  this.timeout(120_000);

  it("bad signature", async () => {
    const f = await loadFixture(fraudFixture);
    const { op, fee } = await f.chain.signedOp(f.alice, transferTo(f.bob.address, 1n));
    const r = Buffer.from(op.sig.r);
    r[31] ^= 1;
    await proveAndCheck(f, [f.chain.handMade([{ ...op, sig: { ...op.sig, r } }], [fee])], { kind: KIND.invalidOp, reason: REASON.badSignature }, { honest: await honestTransfer(f) });
  });

  it("wrong chain id: the rebuilt hash recovers another account", async () => {
    const f = await loadFixture(fraudFixture);
    const { op, fee } = await f.chain.signedOp(f.alice, transferTo(f.bob.address, 1n), 1n);
    await proveAndCheck(f, [f.chain.handMade([op], [fee])], { kind: KIND.invalidOp, reason: REASON.badSignature }, { honest: await honestTransfer(f) });
  });

  it("nonce mismatch: the rebuilt hash recovers another account", async () => {
    const f = await loadFixture(fraudFixture);
    const { op, fee } = await f.chain.signedOp(f.alice, { ...transferTo(f.bob.address, 1n), nonce: 7 });
    await proveAndCheck(f, [f.chain.handMade([op], [fee])], { kind: KIND.invalidOp, reason: REASON.badSignature }, { honest: await honestTransfer(f) });
  });

  it("insufficient balance, the fee included", async () => {
    const f = await loadFixture(fraudFixture);
    // Alice holds exactly 10 ETH: the value fits, value + gasLimit × maxFee does not.
    const { op, fee } = await f.chain.signedOp(f.alice, transferTo(f.bob.address, parseEther("10")));
    const affordable = await f.chain.parsed(f.alice, transferTo(f.bob.address, parseEther("9.99")));
    await proveAndCheck(f, [f.chain.handMade([op], [fee])], { kind: KIND.invalidOp, reason: REASON.insufficientFunds }, { honest: [f.chain.craft((b) => void b.addTransaction(affordable))] });
  });

  it("unknown token", async () => {
    const f = await loadFixture(fraudFixture);
    const { op, fee } = await f.chain.signedOp(f.alice, transferTo(f.bob.address, 1n));
    const bad = { kind: OpKind.TOKEN_TRANSFER, feeIndex: 0, from: op.from, tokenId: 9, to: idx(f, f.bob), amount: 1n, sig: op.sig } as const;
    const known = await f.chain.parsed(f.alice, tokenTransfer(l2TokenAddress(f.tokenAddress), f.bob.address, 1n));
    await proveAndCheck(f, [f.chain.handMade([bad], [fee])], { kind: KIND.invalidOp, reason: REASON.unknownToken }, { honest: [f.chain.craft((b) => void b.addTransaction(known))] });
  });

  it("malformed: truncated bytes", async () => {
    const f = await loadFixture(fraudFixture);
    const { op, fee } = await f.chain.signedOp(f.alice, transferTo(f.bob.address, 1n));
    const body = f.chain.handMade([op], [fee]);
    await proveAndCheck(f, [body.subarray(0, body.length - 1)], { kind: KIND.malformed }, { honest: await honestTransfer(f) });
  });

  it("malformed: an undefined operation kind", async () => {
    const f = await loadFixture(fraudFixture);
    const body = f.chain.handMade([], []);
    const bad = Buffer.concat([body.subarray(0, body.length - 1), Buffer.of(1, 7 << 5)]);
    await proveAndCheck(f, [bad], { kind: KIND.malformed }, { honest: [body] });
  });

  it("an account index that does not exist", async () => {
    const f = await loadFixture(fraudFixture);
    const { op, fee } = await f.chain.signedOp(f.alice, transferTo(f.bob.address, 1n));
    const bad = { kind: OpKind.ETH_TRANSFER, feeIndex: 0, from: op.from, to: f.chain.state.accountCount + 40, amount: 1n, sig: op.sig } as const;
    await proveAndCheck(f, [f.chain.handMade([bad], [fee])], { kind: KIND.invalidOp, reason: REASON.unknownAccount }, { honest: await honestTransfer(f) });
  });

  it("a deposit skipped: the batch claims an entry its commitments never consume", async () => {
    const f = await loadFixture(fraudFixture);
    await newDeposits(f, [[f.bob.address, 3n]]);
    await proveAndCheck(f, [f.chain.handMade([], [])], { kind: KIND.queueCount }, { queueCount: f.chain.state.queueIndex + 1n, honest: honestDeposits(f) });
  });

  it("deposits reordered: an entry credited to the next entry's recipient", async () => {
    const f = await loadFixture(fraudFixture);
    const carol = Wallet.createRandom();
    await newDeposits(f, [[carol.address, 1n], [f.bob.address, 2n]]);
    const swapped = f.chain.handMade([{ kind: OpKind.QUEUE, credit: "existing", index: idx(f, f.bob) }, { kind: OpKind.QUEUE, credit: "new" }], []);
    await proveAndCheck(f, [swapped], { kind: KIND.invalidOp, reason: REASON.malformed }, { queueCount: f.chain.state.queueIndex + 2n, honest: honestDeposits(f) });
  });

  it("a deposit applied with the wrong amount", async () => {
    const f = await loadFixture(fraudFixture);
    await newDeposits(f, [[f.bob.address, 1000n]]);
    const inflated = (i: bigint): QueueEntry | undefined => {
      const e = f.chain.queueEntry(i);
      return e && i === f.chain.state.queueIndex ? { ...e, amount: e.amount * 1000n } : e;
    };
    const body = f.chain.craft((b) => b.addQueueEntry(), () => {}, inflated);
    await proveAndCheck(f, [body], { kind: KIND.postState }, { queueCount: f.chain.state.queueIndex + 1n, honest: honestDeposits(f) });
  });

  it("a deposit applied to the wrong recipient", async () => {
    const f = await loadFixture(fraudFixture);
    await newDeposits(f, [[Wallet.createRandom().address, 1000n]]);
    const mallory = Wallet.createRandom().address.toLowerCase();
    const redirected = (i: bigint): QueueEntry | undefined => {
      const e = f.chain.queueEntry(i);
      return e && i === f.chain.state.queueIndex ? { ...e, account: mallory } : e;
    };
    const body = f.chain.craft((b) => b.addQueueEntry(), () => {}, redirected);
    await proveAndCheck(f, [body], { kind: KIND.postState }, { queueCount: f.chain.state.queueIndex + 1n, honest: honestDeposits(f) });
  });

  it("a wrong post-state root", async () => {
    const f = await loadFixture(fraudFixture);
    const tx = await f.chain.parsed(f.alice, transferTo(f.bob.address, parseEther("1")));
    const body = f.chain.craft((b) => void b.addTransaction(tx), (c) => void (c.postStateRoot = flip(c.postStateRoot)));
    await proveAndCheck(f, [body], { kind: KIND.postState }, { honest: [f.chain.craft((b) => void b.addTransaction(tx))] });
  });

  it("a wrong withdrawal root", async () => {
    const f = await loadFixture(fraudFixture);
    const tx = await f.chain.parsed(f.alice, withdrawEth(f.alice.address, parseEther("1")));
    const body = f.chain.craft((b) => void b.addTransaction(tx), (c) => void (c.withdrawalRoot = flip(c.withdrawalRoot!)));
    await proveAndCheck(f, [body], { kind: KIND.withdrawalRoot }, { honest: [f.chain.craft((b) => void b.addTransaction(tx))] });
  });

  it("the fraud in the middle commitment of three, after an honest one", async () => {
    const f = await loadFixture(fraudFixture);
    const t1 = await f.chain.parsed(f.alice, transferTo(f.bob.address, 5n));
    const t2 = await f.chain.parsed(f.bob, transferTo(f.alice.address, 1n));
    // Build the three commitments in sequence on a checkpoint, then put the state back.
    const cp = f.chain.state.checkpoint();
    const b1 = f.chain.builder();
    b1.addTransaction(t1);
    const first = b1.seal(1_700_000_100).body;
    const honestSecond = f.chain.craft((b) => void b.addTransaction(t2));
    const badSecond = f.chain.craft((b) => void b.addTransaction(t2), (c) => void (c.postStateRoot = flip(c.postStateRoot)));
    const b2 = f.chain.builder();
    b2.addTransaction(t2);
    const thirdHonest = f.chain.handMade([], [], (b2.seal(1_700_000_100), f.chain.state.root()));
    f.chain.state.rollback(cp);
    await proveAndCheck(f, [first, badSecond, thirdHonest], { kind: KIND.postState }, { c: 1, honest: [first, honestSecond, thirdHonest] });
  });

  describe("forced withdrawals", () => {
    /** An L1 account with 3 ETH on L2 (posted in an honest batch), and its forced withdrawal queued. */
    async function forced(f: F, amount: bigint) {
      const user = (await ethers.getSigners())[9];
      await f.bridge.connect(user).depositETH(user.address, { value: parseEther("3") });
      await f.chain.syncQueue();
      const b = f.chain.builder();
      b.addQueueEntry();
      await f.chain.post([b.seal(1_700_000_100).body], f.chain.state.queueIndex);
      await f.bridge.connect(user).forceWithdrawal(ethers.ZeroAddress, amount);
      await f.chain.syncQueue();
      return user;
    }

    it("skipped: the batch claims it consumed, its commitments did not", async () => {
      // A fixture of its own: these tests advance the local L2 state, which loadFixture would share.
      const f = await fraudFixture();
      await forced(f, parseEther("1"));
      await proveAndCheck(f, [f.chain.handMade([], [])], { kind: KIND.queueCount }, { queueCount: f.chain.state.queueIndex + 1n, honest: honestDeposits(f) });
    });

    it("misapplied: said to have no account when the caller has one", async () => {
      // A fixture of its own: these tests advance the local L2 state, which loadFixture would share.
      const f = await fraudFixture();
      await forced(f, parseEther("1"));
      const body = f.chain.handMade([{ kind: OpKind.QUEUE, credit: "none" }], []);
      await proveAndCheck(f, [body], { kind: KIND.invalidOp, reason: 7 }, { queueCount: f.chain.state.queueIndex + 1n, honest: honestDeposits(f) });
    });

    it("applied with the wrong amount", async () => {
      // A fixture of its own: these tests advance the local L2 state, which loadFixture would share.
      const f = await fraudFixture();
      await forced(f, parseEther("1"));
      const halved = (i: bigint): QueueEntry | undefined => {
        const e = f.chain.queueEntry(i);
        return e && i === f.chain.state.queueIndex ? { ...e, amount: e.amount / 2n } : e;
      };
      const body = f.chain.craft((b) => void b.addQueueEntry(), () => {}, halved);
      await proveAndCheck(f, [body], { kind: KIND.withdrawalRoot }, { queueCount: f.chain.state.queueIndex + 1n, honest: honestDeposits(f) });
    });
  });

  describe("honest commitments cannot be proven wrong", () => {
    it("transfers, a token transfer, a withdrawal and deposits", async () => {
      const f = await loadFixture(fraudFixture);
      await newDeposits(f, [[Wallet.createRandom().address, 7n], [f.bob.address, 8n]]);
      const l2Token = l2TokenAddress(f.tokenAddress);
      const cp = f.chain.state.checkpoint();
      const b = f.chain.builder();
      b.addQueueEntry();
      b.addQueueEntry();
      b.addTransaction(await f.chain.parsed(f.alice, transferTo(f.bob.address, 5n)));
      b.addTransaction(await f.chain.parsed(f.alice, tokenTransfer(l2Token, Wallet.createRandom().address, 10n)));
      b.addTransaction(await f.chain.parsed(f.alice, withdrawEth(f.alice.address, 1000n)));
      const body = b.seal(1_700_000_100).body;
      const queueCount = f.chain.state.queueIndex;
      f.chain.state.rollback(cp);
      await expectHonest(f, [body], 0, queueCount);
    });
  });

  describe("guards", () => {
    async function badBatch(f: F) {
      const { op, fee } = await f.chain.signedOp(f.alice, transferTo(f.bob.address, parseEther("10")));
      const batch = await f.chain.post([f.chain.handMade([op], [fee])]);
      return { batch, ...f.chain.proof(batch, 0) };
    }

    function withWitness(args: ReturnType<F["chain"]["proof"]>["args"], witness: Witness) {
      return [args[0], args[1], args[2], args[3], args[4], encodeWitness(witness)] as const;
    }

    it("reverts on a witness leaf that does not match the pre-state", async () => {
      const f = await loadFixture(fraudFixture);
      const { args, witness: w } = await badBatch(f);
      const witness = structuredClone(w);
      witness.accounts[0].balance += 1n;
      await expect(f.rollup.proveFraud(...withWitness(args, witness))).to.be.revertedWithCustomError(f.verifier, "FraudWitnessAccountsMismatch");
    });

    it("reverts on pre-state counters that do not hash to the pre-state root", async () => {
      const f = await loadFixture(fraudFixture);
      const { args, witness: w } = await badBatch(f);
      const witness = structuredClone(w);
      witness.pre.accountCount += 1n;
      await expect(f.rollup.proveFraud(...withWitness(args, witness))).to.be.revertedWithCustomError(f.verifier, "FraudWitnessPreStateMismatch");
    });

    it("reverts when the witness leaves out an account the replay needs", async () => {
      const f = await loadFixture(fraudFixture);
      const { args, witness: w } = await badBatch(f);
      const witness = structuredClone(w);
      witness.accounts = [];
      witness.accountProof = [];
      witness.accountZeroFlags = "0x";
      await expect(f.rollup.proveFraud(...withWitness(args, witness))).to.be.revertedWithCustomError(f.verifier, "FraudWitnessMissingAccount");
    });

    it("reverts on witness bytes that do not follow the layout", async () => {
      const f = await loadFixture(fraudFixture);
      const { args } = await badBatch(f);
      await expect(f.rollup.proveFraud(args[0], args[1], args[2], args[3], args[4], args[5] + "00")).to.be.revertedWithCustomError(f.verifier, "FraudWitnessMalformed");
      await expect(f.rollup.proveFraud(args[0], args[1], args[2], args[3], args[4], args[5].slice(0, 100))).to.be.revertedWithCustomError(f.verifier, "FraudWitnessMalformed");
    });

    it("reverts on a commitment that is not in the batch", async () => {
      const f = await loadFixture(fraudFixture);
      const { args } = await badBatch(f);
      await expect(f.rollup.proveFraud(args[0], args[1], args[2], "0x" + "00".repeat(40), args[4], args[5])).to.be.revertedWithCustomError(f.rollup, "RollupBadCommitmentProof").withArgs(1, 0);
      await expect(f.rollup.proveFraud(args[0], 3, args[2], args[3], args[4], args[5])).to.be.revertedWithCustomError(f.rollup, "RollupBadCommitmentProof").withArgs(1, 3);
    });

    it("reverts on a batch that does not exist", async () => {
      const f = await loadFixture(fraudFixture);
      const { args } = await badBatch(f);
      await expect(f.rollup.proveFraud(9, args[1], args[2], args[3], args[4], args[5])).to.be.revertedWithCustomError(f.rollup, "RollupUnknownBatch").withArgs(9, 2);
    });

    it("reverts once the batch is final", async () => {
      const f = await loadFixture(fraudFixture);
      const { args } = await badBatch(f);
      await time.increase(f.params.challengeWindow);
      await expect(f.rollup.proveFraud(...args)).to.be.revertedWithCustomError(f.rollup, "RollupBatchFinal").withArgs(1);
    });
  });
});

describe("FraudProof: garbage proofs never succeed", function () {
  this.timeout(120_000);

  it("random witness bytes against an honest commitment always revert and change nothing", async () => {
    const f = await loadFixture(fraudFixture);
    const tx = await f.chain.parsed(f.alice, transferTo(f.bob.address, 5n));
    const body = f.chain.craft((b) => void b.addTransaction(tx));
    const batch = await f.chain.post([body]);
    const { args } = f.chain.proof(batch, 0);
    const honest = Buffer.from(args[5].slice(2), "hex");
    const { default: fc } = await import("fast-check");
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
          // The honest witness with a few bytes changed: the most plausible forgeries.
          fc.array(fc.tuple(fc.nat(honest.length - 1), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map((edits) => {
            const w = Buffer.from(honest);
            for (const [at, x] of edits) w[at] ^= x;
            return w;
          }),
        ),
        async (witness) => {
          await expect(f.rollup.proveFraud(args[0], args[1], args[2], args[3], args[4], "0x" + witness.toString("hex"))).to.be.reverted;
        },
      ),
      { numRuns: 60 },
    );
    expect(await f.rollup.batchCount()).to.equal(2n);
    expect(await f.rollup.revertedBatchCount()).to.equal(0n);
  });
});
