import { expect } from "chai";
import { ethers } from "hardhat";
import fc from "fast-check";
import { Wallet, parseEther, type HDNodeWallet } from "ethers";
import { l1Fixture } from "../helpers/l1Fixture";
import { BASE_FEE, CHAIN_ID, FraudChain, tokenTransfer, transferTo, withdrawEth, predeploy } from "../helpers/fraudFixture";
import { L1Contracts } from "../../src/node/l1/contracts";
import { L2State } from "../../src/core/state";
import { buildFraudWitness, onChainVerdict } from "../../src/core/fraudProof";
import { applyOp } from "../../src/core/execute";
import { encodeCommitment } from "../../src/core/commitment";
import { withdrawalTree, withdrawalsOf } from "../../src/core/blockBuilder";
import type { Op, SignedOp } from "../../src/core/ops";
import { OpKind, QueueKind, WITHDRAWAL_PREDEPLOY } from "../../src/core/constants";
import { setBridgeTokenCount, skippedTokenAddress } from "../helpers/tokenCount";
import type { TestToken } from "../../typechain-types";
import { l2TokenAddress } from "../../src/core/hashing";
import { InvalidOperationError } from "../../src/core/errors";
import type { FeeEntry } from "../../src/core/txSigning";

/** One generated operation: mostly valid, with one way of being invalid now and then. */
const FAULTS = ["nonce+", "nonce-", "chain", "fee-cap", "gas", "tamper", "bad-index", "big-amount", "unknown-token", "new-but-exists"] as const;
const opSpec = fc.record({
  what: fc.constantFrom("eth", "eth", "eth", "eth-new", "token", "token", "token-new", "withdraw-eth", "withdraw-token", "queue"),
  /** Token 65,536 (24-bit ids, width class 2) instead of token 0. */
  wide: fc.boolean(),
  from: fc.nat(3),
  to: fc.nat(5),
  amount: fc.bigInt({ min: 0n, max: 10n ** 15n }),
  legacy: fc.boolean(),
  tip: fc.constantFrom(0n, 0n, 5n),
  fault: fc.oneof({ arbitrary: fc.constant("none" as const), weight: 40 }, { arbitrary: fc.constantFrom(...FAULTS), weight: 10 }),
});
type Spec = typeof opSpec extends fc.Arbitrary<infer T> ? T : never;
const WIDE = 65_536;

describe("Differential: src/core and FraudVerifier agree on generated operations", function () {
  this.timeout(600_000);

  it("gives the same verdict and post-state root for at least 1,000 operations", async () => {
    const f = await l1Fixture();
    const [, funder] = await ethers.getSigners();
    await f.bridge.registerToken(f.token);
    // A second token with a 24-bit id: the Bridge's token count set in storage (65,536
    // registrations are out of reach), the skipped ids placeholders on L2 (below).
    await setBridgeTokenCount(f.bridge, WIDE);
    const wideToken = (await ethers.deployContract("TestToken", ["Wide", "WIDE", 18])) as unknown as TestToken;
    await wideToken.mint(f.alice.address, 10n ** 24n);
    await wideToken.connect(f.alice).approve(f.addresses.bridge, ethers.MaxUint256);
    await f.bridge.registerToken(wideToken);
    const wallets: HDNodeWallet[] = Array.from({ length: 4 }, () => Wallet.createRandom());
    for (const w of wallets) {
      await f.bridge.connect(funder).depositETH(w.address, { value: parseEther("20") });
      await f.bridge.connect(f.alice).depositERC20(f.token, w.address, 10n ** 21n);
      await f.bridge.connect(f.alice).depositERC20(wideToken, w.address, 10n ** 21n);
    }
    // A pool of later deposits for generated queue operations: new and existing recipients.
    for (let i = 0; i < 120; i++) {
      const to = i % 3 === 0 ? Wallet.createRandom().address : wallets[i % 4].address;
      if (i % 2) await f.bridge.connect(funder).depositETH(to, { value: BigInt(i + 1) * 10n ** 15n });
      else await f.bridge.connect(f.alice).depositERC20(i % 4 === 0 ? wideToken : f.token, to, BigInt(i + 1));
    }
    const l1 = new L1Contracts(ethers.provider, f.addresses);
    const chain = new FraudChain(l1, L2State.genesis());
    await chain.syncQueue();
    const genesis = chain.builder();
    // The two registrations and the four wallets' deposits.
    for (let i = 0; i < 2 + 12; i++) {
      const e = chain.queue[Number(chain.state.queueIndex)];
      if (e.kind === QueueKind.TOKEN_REGISTRATION) while (chain.state.tokenCount < e.tokenId) chain.state.registerToken(skippedTokenAddress(chain.state.tokenCount));
      genesis.addQueueEntry();
    }
    genesis.seal(1);
    expect(chain.state.tokenCount).to.equal(WIDE + 1);
    const l2Tokens = [l2TokenAddress((await f.token.getAddress()).toLowerCase()), l2TokenAddress((await wideToken.getAddress()).toLowerCase())];
    const strangers = Array.from({ length: 6 }, () => Wallet.createRandom().address.toLowerCase());

    let opsChecked = 0;
    let invalidSeen = 0;
    const verdictsSeen = new Set<string>();
    /** Token width classes of the honest commitments: 8-bit ids (token 0, ETH) and 24-bit ones. */
    const honestClasses = new Set<number>();

    /** Signed operations per wallet earlier in the commitment being built: their nonces come first. */
    let sent = new Map<string, number>();
    const build = async (spec: Spec, fees: FeeEntry[]): Promise<Op> => {
      const s = chain.state;
      if (spec.what === "queue") {
        const e = chain.queueEntry(s.queueIndex);
        const at = e ? s.indexOf(e.account) : undefined;
        if (spec.fault === "bad-index") return { kind: OpKind.QUEUE, credit: "existing", index: 1 };
        return at === undefined ? { kind: OpKind.QUEUE, credit: "new" } : { kind: OpKind.QUEUE, credit: "existing", index: at };
      }
      const w = wallets[spec.from];
      const fault = spec.fault;
      const nonce = Number(s.accountOf(w.address.toLowerCase())!.nonce) + (sent.get(w.address) ?? 0) + (fault === "nonce+" ? 1 : fault === "nonce-" ? -1 : 0);
      const known = (i: number) => s.account(Math.min(i, s.accountCount - 1)).address;
      const to = spec.what.endsWith("new") && fault !== "new-but-exists" ? strangers[spec.to] : known(spec.to);
      const amount = fault === "big-amount" ? parseEther("1000") : spec.amount;
      const l2Token = l2Tokens[spec.wide ? 1 : 0];
      const tx =
        spec.what.startsWith("eth") ? transferTo(to, amount)
        : spec.what.startsWith("token") ? tokenTransfer(l2Token, to, amount)
        : spec.what === "withdraw-eth" ? withdrawEth(w.address, amount)
        : { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [w.address, l2Token, amount]) };
      const feeCap = fault === "fee-cap" ? BASE_FEE - 1n : 2n * BASE_FEE;
      const fee = spec.legacy
        ? { type: 0, gasPrice: feeCap, maxFeePerGas: undefined, maxPriorityFeePerGas: undefined }
        : { type: 2, maxFeePerGas: feeCap, maxPriorityFeePerGas: spec.tip };
      const chainId = fault === "chain" ? 5n : CHAIN_ID;
      const unknownToken = fault === "unknown-token";
      const gasLimit = fault === "gas" ? 21_500n : 100_000n;
      const signed = { ...(unknownToken ? transferTo(to, amount) : tx), ...fee, nonce: Math.max(0, nonce), gasLimit };
      const { op: signedOp, fee: entry } = await chain.signedOp(w, signed, chainId);
      // The intake refuses a token nobody registered, so pack that one by hand with the unknown id.
      const op: SignedOp = unknownToken
        ? { kind: OpKind.TOKEN_TRANSFER, feeIndex: 0, from: signedOp.from, tokenId: s.tokenCount, to: Math.min(spec.to, s.accountCount - 1), amount, sig: signedOp.sig }
        : signedOp;
      sent.set(w.address, (sent.get(w.address) ?? 0) + 1);
      let feeIndex = fees.findIndex((x) => JSON.stringify(x, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) === JSON.stringify(entry, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
      if (feeIndex < 0) feeIndex = fees.push(entry) - 1;
      const out = { ...op, feeIndex };
      if (fault === "tamper") out.sig = { ...out.sig, r: Buffer.from(out.sig.r.map((b, i) => (i === 31 ? b ^ 1 : b))) };
      if (fault === "bad-index") out.from = s.accountCount + 3;
      if (fault === "new-but-exists" && (out.kind === OpKind.ETH_TRANSFER || out.kind === OpKind.TOKEN_TRANSFER)) {
        // Name an existing account as if it were new.
        return out.kind === OpKind.ETH_TRANSFER ? { ...out, kind: OpKind.ETH_TRANSFER_NEW, to: known(out.to) } : { ...out, kind: OpKind.TOKEN_TRANSFER_NEW, to: known(out.to) };
      }
      return out;
    };

    await fc.assert(
      fc.asyncProperty(fc.array(opSpec, { minLength: 1, maxLength: 6 }), async (specs) => {
        const s = chain.state;
        const fees: FeeEntry[] = [];
        const ops: Op[] = [];
        sent = new Map();
        for (const spec of specs) ops.push(await build(spec, fees));
        // The claimed post-state: what src/core computes when every operation is valid.
        const cp = s.checkpoint();
        let claimed = s.root();
        let withdrawalRoot: Buffer | null = null;
        const queueEntry = chain.queueEntry;
        try {
          const results = ops.map((op) => applyOp(s, op, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, fees, queueEntry }));
          claimed = s.root();
          withdrawalRoot = withdrawalTree(withdrawalsOf(results))?.getRoot() ?? null;
        } catch (e) {
          if (!(e instanceof InvalidOperationError)) throw e;
        } finally {
          s.rollback(cp);
        }
        const body = encodeCommitment({ postStateRoot: claimed, withdrawalRoot, timestamp: 1, baseFee: BASE_FEE, feeRecipient: 0, fees, ops });
        const position = { queueLimit: BigInt(chain.queue.length), lastInBatch: false };
        const { verdict, packed } = buildFraudWitness(s, body, { chainId: CHAIN_ID, queueEntry, position });
        const [kind, reason] = await f.verifier.verify(body, packed, {
          preStateRoot: "0x" + s.root().toString("hex"),
          chainId: CHAIN_ID,
          bridge: f.addresses.bridge,
          queueLimit: position.queueLimit,
          lastInBatch: false,
        });
        const expected = onChainVerdict(verdict);
        expect({ kind: Number(kind), reason: Number(reason) }, JSON.stringify(verdict, (_k, v) => (typeof v === "bigint" ? v.toString() : v))).to.deep.equal(expected);
        opsChecked += ops.length;
        verdictsSeen.add(verdict.ok ? "ok" : verdict.kind === "invalid-operation" ? verdict.reason : verdict.kind);
        if (verdict.ok) honestClasses.add(body[32] >> 6);
        if (!verdict.ok) invalidSeen++;
        // Move on from honest commitments so later ones run on a richer state.
        if (verdict.ok) {
          const keep = s.checkpoint();
          for (const op of ops) applyOp(s, op, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, fees, queueEntry });
          s.release(keep);
        }
      }),
      { numRuns: 330, seed: 20261124 },
    );
    console.log(`      ${opsChecked} operations in 330 commitments; ${invalidSeen} invalid; verdicts: ${[...verdictsSeen].join(", ")}`);
    expect(opsChecked).to.be.at.least(1000);
    expect(invalidSeen).to.be.greaterThan(30);
    expect(330 - invalidSeen, "honest commitments whose post-state roots agree").to.be.greaterThan(100);
    expect([...honestClasses].sort(), "token width classes of honest commitments").to.deep.equal([0, 2]);
    expect([...verdictsSeen]).to.include.members(["ok", "bad-signature", "insufficient-funds", "unknown-token", "fee-too-low", "gas-limit-too-low", "unknown-account"]);
  });
});
