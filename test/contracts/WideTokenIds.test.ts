import { expect } from "chai";
import { withTokenClass } from "../helpers/spelling";
import { ethers } from "hardhat";
import { Wallet, parseEther } from "ethers";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { l1Fixture } from "../helpers/l1Fixture";
import { FraudChain, tokenTransfer, transferTo, predeploy } from "../helpers/fraudFixture";
import { setBridgeTokenCount, skippedTokenAddress } from "../helpers/tokenCount";
import { L1Contracts } from "../../src/node/l1/contracts";
import { L2State } from "../../src/core/state";
import { decodeCommitment } from "../../src/core/commitment";
import { onChainVerdict } from "../../src/core/fraudProof";
import { summarizeBatch, withdrawalProof } from "../../src/core/batch";
import { OpKind, QueueKind, WITHDRAWAL_PREDEPLOY } from "../../src/core/constants";
import { l2TokenAddress, type Withdrawal } from "../../src/core/hashing";
import type { QueueEntry } from "../../src/core/queueOps";
import type { SealedBlock } from "../../src/core/blockBuilder";
import type { TestToken } from "../../typechain-types";

/**
 * Token ids past one and two bytes, end to end on both sides: deposited through the Bridge,
 * transferred and withdrawn on L2 (src/core), proven honest or fraudulent by FraudVerifier, and
 * paid out on L1. 65,536 registrations are out of a test's reach, so the Bridge's token count is
 * set with hardhat_setStorageAt before each registration (test/helpers/tokenCount.ts), and the L2
 * learns the skipped ids as placeholder registrations, claimed by an undisputed batch 0.
 */
const MID = 256; // the first id of width class 1 (16 bits)
const WIDE = 65_536; // the first id of width class 2 (24 bits)
const KIND = { malformed: 1, invalidOp: 2, withdrawalRoot: 3, postState: 4 };
const REASON = { insufficientFunds: 3, unknownToken: 6 };
const hex = (b: Buffer) => "0x" + b.toString("hex");

async function wideFixture() {
  const f = await l1Fixture();
  const { bridge, deployer, alice: funder } = f;
  const [, , , , , , , , , user] = await ethers.getSigners();
  const tokenWithId = async (id: number, name: string) => {
    await setBridgeTokenCount(bridge, id);
    const t = (await ethers.deployContract("TestToken", [name, name, 18])) as unknown as TestToken;
    await bridge.registerToken(t);
    expect(await bridge.tokenIdOf(t)).to.equal(BigInt(id));
    for (const who of [funder, user]) {
      await t.mint(who.address, 10n ** 24n);
      await t.connect(who).approve(await bridge.getAddress(), ethers.MaxUint256);
    }
    return t;
  };
  const mid = await tokenWithId(MID, "MID");
  const wide = await tokenWithId(WIDE, "WIDE");
  const alice = Wallet.createRandom();
  const bob = Wallet.createRandom();
  await bridge.connect(funder).depositETH(alice.address, { value: parseEther("10") });
  await bridge.connect(funder).depositERC20(mid, alice.address, 1000n);
  await bridge.connect(funder).depositERC20(wide, alice.address, 1000n);
  await bridge.connect(funder).depositETH(bob.address, { value: parseEther("5") });
  await bridge.connect(user).depositETH(user.address, { value: parseEther("1") });
  await bridge.connect(user).depositERC20(wide, user.address, 500n);
  await f.rollup.postBond({ value: f.params.bondSize * 10n });

  const chain = new FraudChain(new L1Contracts(ethers.provider, f.addresses, deployer), L2State.genesis());
  await chain.syncQueue();
  const b = chain.builder();
  while (chain.state.queueIndex < BigInt(chain.queue.length)) {
    const e = chain.queue[Number(chain.state.queueIndex)];
    // The ids the Bridge skipped (set in storage) become placeholders on L2, so that the
    // registration of id `e.tokenId` finds the token count it expects.
    if (e.kind === QueueKind.TOKEN_REGISTRATION) while (chain.state.tokenCount < e.tokenId) chain.state.registerToken(skippedTokenAddress(chain.state.tokenCount));
    b.addQueueEntry();
  }
  await chain.post([b.seal(1_700_000_000).body]);
  expect(chain.state.tokenCount).to.equal(WIDE + 1);
  // Queued after batch 0: the forced withdrawal of a 24-bit token id, for batch 1 to consume.
  await bridge.connect(user).forceWithdrawal(wide, 300n);
  await chain.syncQueue();
  const l2 = { mid: l2TokenAddress((await mid.getAddress()).toLowerCase()), wide: l2TokenAddress((await wide.getAddress()).toLowerCase()) };
  return { ...f, chain, mid, wide, l2, alice, bob, user };
}
type F = Awaited<ReturnType<typeof wideFixture>>;

const idx = (f: F, w: { address: string }) => f.chain.state.indexOf(w.address.toLowerCase())!;
const tokenClassOf = (body: Buffer) => body[32] >> 6;
async function challenger() {
  return (await ethers.getSigners())[6];
}

/** Posts `bodies` as the next batch and proves commitment `c` fraudulent, with the kind both sides give. */
async function proveFraud(f: F, bodies: Buffer[], expected: { kind: number; reason?: number }, opts: { c?: number; queueCount?: bigint } = {}) {
  const batch = await f.chain.post(bodies, opts.queueCount);
  const c = opts.c ?? 0;
  const { verdict, args } = f.chain.proof(batch, c);
  const want = { kind: expected.kind, reason: expected.reason ?? 0 };
  expect(onChainVerdict(verdict), `src/core's verdict: ${JSON.stringify(verdict, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`).to.deep.equal(want);
  const who = await challenger();
  await expect(f.rollup.connect(who).proveFraud(...args))
    .to.emit(f.rollup, "FraudProven")
    .withArgs(batch.index, c, who.address, f.deployer.address, want.kind, want.reason, (n: bigint) => n >= 0n, 1, (r: bigint) => r > 0n, (r: bigint) => r > 0n);
  expect(await f.rollup.batchCount()).to.equal(BigInt(batch.index));
}

/** Posts `bodies` and checks that no commitment of them can be proven: src/core and the verifier agree they are honest. */
async function expectHonest(f: F, bodies: Buffer[], queueCount?: bigint) {
  const batch = await f.chain.post(bodies, queueCount);
  for (let c = 0; c < bodies.length; c++) {
    const { verdict, args } = f.chain.proof(batch, c);
    expect(verdict, `commitment ${c}`).to.deep.equal({ ok: true });
    await expect(f.rollup.connect(await challenger()).proveFraud(...args))
      .to.be.revertedWithCustomError(f.rollup, "RollupNotFraudulent")
      .withArgs(batch.index, c);
  }
  return batch;
}

describe("Token ids past one and two bytes (256 and 65,536), end to end", function () {
  this.timeout(300_000);

  it("deposits, transfers, withdrawals and a forced withdrawal of ids 256 and 65,536 are honest on both sides and paid out on L1", async () => {
    const f = await loadFixture(wideFixture);
    const { chain, alice, bob, user } = f;
    const l1Recipient = Wallet.createRandom().address;
    const stranger = Wallet.createRandom().address;
    const cp = chain.state.checkpoint();
    const sealed: SealedBlock[] = [];
    try {
      // Class 1: the forced withdrawal of id 65,536 (queue operations write no token id) and a
      // transfer of id 256.
      const b0 = chain.builder();
      b0.addQueueEntry();
      b0.addTransaction(await chain.parsed(alice, tokenTransfer(f.l2.mid, bob.address, 40n)));
      b0.addTransaction(await chain.parsed(alice, transferTo(bob.address, 5n)));
      sealed.push(b0.seal(1_700_000_100));
      // Class 2: id 65,536 to a new account and to L1, and id 256 back to alice.
      const b1 = chain.builder();
      b1.addTransaction(await chain.parsed(alice, tokenTransfer(f.l2.wide, stranger, 60n)));
      b1.addTransaction(await chain.parsed(alice, { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [l1Recipient, f.l2.wide, 200n]) }));
      b1.addTransaction(await chain.parsed(bob, tokenTransfer(f.l2.mid, alice.address, 1n)));
      sealed.push(b1.seal(1_700_000_100));
      // Class 0: ETH only, today's bytes.
      const b2 = chain.builder();
      b2.addTransaction(await chain.parsed(bob, transferTo(alice.address, 1n)));
      sealed.push(b2.seal(1_700_000_100));
      expect(chain.state.tokenBalance(idx(f, alice), WIDE)).to.equal(1000n - 60n - 200n);
      expect(chain.state.tokenBalance(idx(f, user), WIDE)).to.equal(500n - 300n);
      expect(chain.state.tokenBalance(idx(f, bob), MID)).to.equal(39n);
    } finally {
      chain.state.rollback(cp);
    }
    const bodies = sealed.map((s) => s.body);
    expect(bodies.map(tokenClassOf), "token width classes").to.deep.equal([1, 2, 0]);
    const batch = await expectHonest(f, bodies, chain.state.queueIndex + 1n);

    await time.increase(f.params.challengeWindow);
    const summary = summarizeBatch(batch.pre, bodies);
    const payOut = async (w: Withdrawal, commitment: number, position: number) => {
      const proof = withdrawalProof(sealed[commitment].withdrawals, sealed[commitment].withdrawals.indexOf(w), summary.withdrawalRoots, position);
      await f.bridge.finalizeWithdrawal(w, batch.index, proof.map(hex));
    };
    const [forced] = sealed[0].withdrawals;
    const [signed] = sealed[1].withdrawals;
    expect(forced.l1Token).to.equal((await f.wide.getAddress()).toLowerCase());
    const userBefore = await f.wide.balanceOf(user.address);
    await payOut(forced, 0, 0);
    await payOut(signed, 1, 1);
    expect(await f.wide.balanceOf(user.address)).to.equal(userBefore + 300n);
    expect(await f.wide.balanceOf(l1Recipient)).to.equal(200n);
  });

  it("an overdraft of id 65,536 is proven (insufficient funds); its honest twin is not", async () => {
    const f = await loadFixture(wideFixture);
    const { op, fee } = await f.chain.signedOp(f.alice, tokenTransfer(f.l2.wide, f.bob.address, 1001n));
    expect(op.kind === OpKind.TOKEN_TRANSFER && op.tokenId).to.equal(WIDE);
    const bad = f.chain.handMade([op], [fee]);
    expect(tokenClassOf(bad)).to.equal(2);
    await proveFraud(f, [bad], { kind: KIND.invalidOp, reason: REASON.insufficientFunds });
    await f.rollup.postBond({ value: f.params.bondSize });
    const ok = await f.chain.parsed(f.alice, tokenTransfer(f.l2.wide, f.bob.address, 1000n));
    await expectHonest(f, [f.chain.craft((b) => void b.addTransaction(ok))]);
  });

  it("an id past the token count in a 24-bit field is proven an unknown token", async () => {
    const f = await loadFixture(wideFixture);
    const { op, fee } = await f.chain.signedOp(f.alice, transferTo(f.bob.address, 1n));
    const bad = f.chain.handMade([{ kind: OpKind.TOKEN_TRANSFER, feeIndex: 0, from: op.from, tokenId: WIDE + 1, to: idx(f, f.bob), amount: 1n, sig: op.sig }], [fee]);
    expect(tokenClassOf(bad)).to.equal(2);
    await proveFraud(f, [bad], { kind: KIND.invalidOp, reason: REASON.unknownToken });
  });

  it("a wrong post-state after a transfer of id 256 is proven", async () => {
    const f = await loadFixture(wideFixture);
    const tx = await f.chain.parsed(f.alice, tokenTransfer(f.l2.mid, Wallet.createRandom().address, 7n));
    const body = f.chain.craft(
      (b) => void b.addTransaction(tx),
      (c) => void (c.postStateRoot = Buffer.from(c.postStateRoot.map((x, i) => (i === 0 ? x ^ 1 : x)))),
    );
    expect(tokenClassOf(body)).to.equal(1);
    await proveFraud(f, [body], { kind: KIND.postState });
  });

  it("a forced withdrawal of id 65,536 applied with the wrong amount is proven (the queue entry's 3-byte id authenticated on the Bridge)", async () => {
    const f = await loadFixture(wideFixture);
    const halved = (i: bigint): QueueEntry | undefined => {
      const e = f.chain.queueEntry(i);
      return e && i === f.chain.state.queueIndex ? { ...e, amount: e.amount / 2n } : e;
    };
    expect(f.chain.queueEntry(f.chain.state.queueIndex)).to.include({ kind: QueueKind.FORCED_WITHDRAWAL_TOKEN, tokenId: WIDE });
    const body = f.chain.craft((b) => void b.addQueueEntry(), () => {}, halved);
    await proveFraud(f, [body], { kind: KIND.withdrawalRoot }, { queueCount: f.chain.state.queueIndex + 1n });
  });

  describe("the width class is canonical: anything wider is MALFORMED on both sides", () => {
    for (const [what, build, canonical, wider] of [
      ["id 256 written in 24 bits", "mid", 1, 2],
      ["an ETH-only commitment written in 16 bits", "eth", 0, 1],
      ["an ETH-only commitment written in 24 bits", "eth", 0, 2],
      ["id 256 written in class 3", "mid", 1, 3],
    ] as const) {
      it(what, async () => {
        const f = await loadFixture(wideFixture);
        const tx = await f.chain.parsed(f.alice, build === "mid" ? tokenTransfer(f.l2.mid, f.bob.address, 3n) : transferTo(f.bob.address, 3n));
        const honest = f.chain.craft((b) => void b.addTransaction(tx));
        expect(tokenClassOf(honest)).to.equal(canonical);
        const c = decodeCommitment(honest);
        expect(withTokenClass(c, canonical).equals(honest), "the test's writer spells the canonical class as the encoder does").to.equal(true);
        const respelled = withTokenClass(c, wider);
        if (wider === 3) {
          // Undefined: refused at submission, so no proof is needed.
          await expect(f.chain.post([respelled])).to.be.revertedWithCustomError(f.rollup, "CommitmentBadFlags").withArgs(0, respelled[32]);
          expect(() => decodeCommitment(respelled)).to.throw(/token width class 3/);
          return;
        }
        await proveFraud(f, [respelled], { kind: KIND.malformed });
        await f.rollup.postBond({ value: f.params.bondSize });
        await expectHonest(f, [honest]);
      });
    }
  });
});
