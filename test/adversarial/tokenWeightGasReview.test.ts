/**
 * Attack review of the token proof weight (MAX_TOKEN_PROOF_WEIGHT, 009bb68..29c1f74): the gas of
 * `Rollup.proveFraud` for commitments within both caps, heavier than bench:fraud's worst
 * (`post-state-spread-crowded-24-bit-tokens`). The shape is the bench's — 32 token transfers of
 * 24-bit ids between existing holders, senders spread through 100,000 accounts, recipients spread
 * while the account weight allows and the senders' neighbour leaves after, every open level of
 * every token path crowded (6 open levels a path, 64 paths: token weight 384) — and then what
 * neither weight counts, each reachable by the attacker's own accounts and tokens:
 *
 * - every witnessed account has given an allowance (32 more bytes each: its allowanceRoot);
 * - token balances with no zero byte (a rogue L1 token mints 2^256 − 1 and deposits it), in the
 *   touched leaves and in the crowded level-0 siblings (a level-0 sibling is the balance word);
 * - amounts with 31-byte mantissas;
 * - 32 distinct fee tuples, equal but for the gas limit (decoded and compared pairwise: 496
 *   comparisons that each read every field), with long mantissas, as ETH balances of ~1,235 ETH
 *   allow.
 *
 * The pre-state is claimed by unchallenged batches, as in bench:fraud (the verifier takes a
 * commitment's pre-state root as given).
 */
import { expect } from "chai";
import hre from "hardhat";
import { Interface, Wallet, parseEther, type HDNodeWallet } from "ethers";
import { deployCairn } from "../../deploy/cairn";
import { DEVNET_PARAMS } from "../../deploy/params";
import { L1Contracts } from "../../src/node/l1/contracts";
import { L2State } from "../../src/core/state";
import { BlockBuilder, withdrawalTree, withdrawalsOf } from "../../src/core/blockBuilder";
import { decodeCommitment, encodeBatch, encodeCommitment, type Commitment } from "../../src/core/commitment";
import { summarizeBatch } from "../../src/core/batch";
import { positionalProof } from "../../src/core/merkle";
import { buildFraudWitness, onChainVerdict } from "../../src/core/fraudProof";
import { parseRawTransaction, toSignedOp } from "../../src/core/intake";
import type { Op } from "../../src/core/ops";
import { MAX_FEE_ENTRIES, MAX_OPS_PER_COMMITMENT, MAX_PROOF_WEIGHT, MAX_TOKEN_PROOF_WEIGHT } from "../../src/core/constants";
import { proofWeight, withinCaps } from "../../src/core/proofWeight";
import { l2TokenAddress } from "../../src/core/hashing";
import { applyOp } from "../../src/core/execute";
import { type QueueEntry } from "../../src/core/queueOps";
import type { FeeEntry } from "../../src/core/txSigning";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { fraudFixture } from "../helpers/fraudFixture";
import { registerTestTokens } from "../helpers/tokenCount";
import { OpKind } from "../../src/core/constants";

const CHAIN_ID = DEVNET_PARAMS.l2ChainId;
const BASE_FEE = 10_000_000n;
const FILLER_ACCOUNTS = 100_000;
const WIDE = 65_536;
const erc20 = new Interface(["function transfer(address to, uint256 amount)"]);
const hex = (b: Buffer) => "0x" + b.toString("hex");
/** A 32-byte word with no zero byte. */
const dense = (byte: number) => BigInt("0x" + byte.toString(16).padStart(2, "0").repeat(32));

interface Heavy {
  /** Every witnessed account gives an allowance (its allowanceRoot is sent). */
  allowanceRoots: boolean;
  /** Token balances (touched leaves and crowded siblings) with no zero byte. */
  denseBalances: boolean;
  /** Transfer amounts with a 31-byte mantissa. */
  longAmounts: boolean;
  /**
   * The fee tuples: one short one (bench:fraud's), 32 distinct short ones (equal but for the gas
   * limit), one with long mantissas, or 32 distinct long ones.
   */
  fees: "shared-short" | "distinct-short" | "shared-long" | "distinct-long";
  /** The operations in reverse order: every index ProofWeight sorts arrives in descending order. */
  reversed?: boolean;
  /**
   * 8-bit ids on a chain of 32 tokens (5 open levels a path: 32 transfers fill the token cap)
   * instead of 24-bit ids from 65,536 on (6: the cap holds fewer transfers).
   */
  narrow?: boolean;
}

describe("Token proof weight review: proveFraud gas within both caps", function () {
  this.timeout(600_000);

  it("fixed (found here: 32 distinct fee tuples took a commitment within both caps to 3,372,585 gas): every heavy choice at once, on the 24-bit and the 8-bit crowded shapes, stays under 3,000,000", async () => {
    const [deployer, funder] = await hre.ethers.getSigners();
    const d = await deployCairn(deployer, DEVNET_PARAMS);
    const token = await hre.ethers.deployContract("TestToken", ["Bench", "B", 18], funder);
    await d.bridge.registerToken(token);
    // Ids 1–31 too, for the 8-bit shape: sender i moves token i on a chain of 32 tokens.
    const narrowL1 = [(await token.getAddress()).toLowerCase(), ...(await registerTestTokens(d.bridge, "Narrow", "N", MAX_OPS_PER_COMMITMENT - 1, 1))];
    await d.rollup.postBond({ value: DEVNET_PARAMS.bondSize * 20n });
    const l1 = new L1Contracts(hre.ethers.provider, d.addresses, deployer);
    const queue = await l1.queueEntries(0, await hre.ethers.provider.getBlockNumber());
    const queueEntry = (i: bigint): QueueEntry | undefined => queue[Number(i)];
    // 32 tokens from id 65,536 on, registered for real (the verifier reads each from the Bridge).
    await hre.network.provider.send("hardhat_setStorageAt", [d.addresses.bridge, "0x2", hre.ethers.toBeHex(WIDE, 32)]);
    expect(await d.bridge.tokenCount()).to.equal(BigInt(WIDE));
    const wideL1 = await registerTestTokens(d.bridge, "Wide", "W", MAX_OPS_PER_COMMITMENT);
    const senders: HDNodeWallet[] = Array.from({ length: MAX_OPS_PER_COMMITMENT }, () => Wallet.createRandom());
    const spenders: HDNodeWallet[] = Array.from({ length: MAX_OPS_PER_COMMITMENT }, () => Wallet.createRandom());
    const genesisRoot = Buffer.from((await d.rollup.genesisStateRoot()).slice(2), "hex");
    let tip: Buffer = genesisRoot;
    const claim = async (root: Buffer) => {
      const body = encodeCommitment({ postStateRoot: root, withdrawalRoot: null, timestamp: 2, baseFee: BASE_FEE, feeRecipient: 0, fees: [], ops: [] });
      await d.rollup.submitBatch(Number(await d.rollup.batchCount()), hex(tip), 1n, encodeBatch([body]));
      tip = root;
    };

    const spacing = Math.floor(FILLER_ACCOUNTS / MAX_OPS_PER_COMMITMENT);
    /** The 100,000 accounts and the tokens of a shape, with nothing held: what every run of that shape starts from. */
    const shape = (narrow: boolean): L2State => {
      const state = L2State.genesis();
      const boot = new BlockBuilder(state, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, queueEntry });
      boot.addQueueEntry();
      boot.seal(1);
      for (let i = 0; i < FILLER_ACCOUNTS; i++) {
        const k = i / spacing;
        if (i % spacing === 0 && k < senders.length) state.createAccount(senders[k].address.toLowerCase());
        state.createAccount("0x" + (0x10000000 + i).toString(16).padStart(40, "0"));
      }
      spenders.forEach((w) => state.setBalance(state.createAccount(w.address.toLowerCase()), parseEther("10")));
      if (narrow) {
        for (const l1Token of narrowL1.slice(1)) state.registerToken(l1Token);
      } else {
        while (state.tokenCount < WIDE) state.registerToken("0x" + "5c".repeat(8) + state.tokenCount.toString(16).padStart(24, "0"));
        for (const l1Token of wideL1) state.registerToken(l1Token);
        const OPEN_LEVELS = Math.floor(MAX_TOKEN_PROOF_WEIGHT / (2 * MAX_OPS_PER_COMMITMENT));
        const CROWDED_TOKENS = WIDE + 2 ** Math.max(5, OPEN_LEVELS - 1);
        while (state.tokenCount < CROWDED_TOKENS) state.registerToken("0x" + "5d".repeat(8) + state.tokenCount.toString(16).padStart(24, "0"));
      }
      return state;
    };
    // Built once a shape (~1 s each); every run writes its balances after a checkpoint and rolls back to it.
    const shapes = new Map<boolean, { state: L2State; root: Buffer }>();

    const run = async (heavy: Heavy) => {
      const narrow = heavy.narrow ?? false;
      if (!shapes.has(narrow)) {
        const built = shape(narrow);
        shapes.set(narrow, { state: built, root: built.root() });
      }
      const { state, root: shapeRoot } = shapes.get(narrow)!;
      expect(state.root().equals(shapeRoot), "the shape's state is as built").to.equal(true);
      const start = state.checkpoint();
      try {
        return await runOn(state, heavy);
      } finally {
        state.rollback(start);
      }
    };

    const runOn = async (state: L2State, heavy: Heavy) => {
      const long = heavy.fees.endsWith("long");
      const distinct = heavy.fees.startsWith("distinct");
      const ethBalance = long ? 1_234_567_890_123_456_789_012n : parseEther("10");
      for (const w of senders) state.setBalance(state.indexOf(w.address.toLowerCase())!, ethBalance);
      const base = heavy.narrow ? 0 : WIDE;
      const l1Of = (i: number) => (heavy.narrow ? narrowL1[i] : wideL1[i]);
      const held = heavy.denseBalances || heavy.longAmounts ? dense(0xfe) : parseEther("10");
      const sibling = heavy.denseBalances ? dense(0xfd) : 1n;
      const spreadAddress = (i: number) => "0x" + (0x10000000 + i * spacing + Math.floor(spacing / 2)).toString(16).padStart(40, "0");
      const neighbourAddress = (i: number) => "0x" + (0x10000000 + i * spacing).toString(16).padStart(40, "0");
      const openBits = (key: number, count: number) => Array.from({ length: 24 }, (_, k) => k).filter((k) => (Math.floor(key / 2 ** k) ^ 1) * 2 ** k < count);
      senders.forEach((w, i) => {
        const at = state.indexOf(w.address.toLowerCase())!;
        state.setTokenBalance(at, base + i, held);
        state.setAllowance(at, base + i, state.indexOf(spenders[i].address.toLowerCase())!, parseEther("5"));
        for (const other of [at, state.indexOf(spreadAddress(i))!, state.indexOf(neighbourAddress(i))!]) {
          for (const k of openBits(base + i, state.tokenCount)) state.setTokenBalance(other, (base + i) ^ (1 << k), sibling);
          // Any allowance will do: the account's allowanceRoot is then sent with its leaf.
          if (heavy.allowanceRoots && other !== at) state.setAllowance(other, 0, 1, 1n);
        }
      });
      const preRoot = state.root();
      await claim(preRoot);

      const amount = heavy.longAmounts ? 2n ** 247n + 1n : 12n * 10n ** 16n;
      const feeOf = (i: number): Partial<Record<string, bigint>> =>
        long
          ? { gasLimit: 100_001n + (distinct ? BigInt(i) * 7n : 0n), maxFeePerGas: 9_876_543_210_987_651n, maxPriorityFeePerGas: 1_234_567_890_123_457n }
          : { gasLimit: 200_000n + (distinct ? BigInt(i) : 0n), maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 0n };
      const fees: FeeEntry[] = [];
      const transferTo = async (i: number, to: string) => {
        // As many distinct tuples as a commitment may list, then each used again.
        const feeIndex = distinct ? i % MAX_FEE_ENTRIES : 0;
        const raw = await senders[i].signTransaction({ type: 2, chainId: CHAIN_ID, nonce: 0, ...feeOf(feeIndex), to: l2TokenAddress(l1Of(i)), data: erc20.encodeFunctionData("transfer", [to, amount]) });
        const parsed = parseRawTransaction(raw, CHAIN_ID);
        fees[feeIndex] = parsed.fee;
        return toSignedOp(state, parsed, feeIndex, { checkNonce: false });
      };
      // bench:fraud's `heaviest`: neighbours while both caps hold, then spread recipients where they still do.
      const fits = (ops: Op[]) => withinCaps(proofWeight(ops, 0, state.accountCount, state.tokenCount));
      const ops: Op[] = [];
      for (let i = 0; i < MAX_OPS_PER_COMMITMENT; i++) {
        const op = await transferTo(i, neighbourAddress(i));
        if (!fits([...ops, op])) break;
        ops.push(op);
      }
      for (let i = 0; i < ops.length; i++) {
        const candidate = [...ops];
        candidate[i] = await transferTo(i, spreadAddress(i));
        if (fits(candidate)) ops[i] = candidate[i];
      }
      // The 24-bit shape's paths have 6 open levels: the token cap holds fewer than 32 of them.
      if (heavy.narrow) expect(ops).to.have.length(MAX_OPS_PER_COMMITMENT);
      if (heavy.reversed) {
        // Independent transfers (distinct senders): any order is valid; fee tuples stay in first-use order.
        ops.reverse();
        if (distinct) {
          // The fee list in the order the reversed operations first use it.
          const order: number[] = [];
          for (const op of ops) if ("feeIndex" in op && !order.includes(op.feeIndex)) order.push(op.feeIndex);
          const listed = order.map((k) => fees[k]);
          for (let i = 0; i < ops.length; i++) ops[i] = { ...ops[i], feeIndex: order.indexOf((ops[i] as { feeIndex: number }).feeIndex) } as Op;
          fees.splice(0, fees.length, ...listed);
        }
      }
      // The claimed roots are src/core's but for the post-state root.
      const cp = state.checkpoint();
      const env = { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, fees, queueEntry };
      const results = ops.map((op) => applyOp(state, op, env));
      const w = withdrawalTree(withdrawalsOf(results));
      const c: Commitment = { postStateRoot: Buffer.alloc(32, 1), withdrawalRoot: w ? w.getRoot() : null, timestamp: 2, baseFee: BASE_FEE, feeRecipient: 0, fees, ops };
      state.rollback(cp);
      const body = encodeCommitment(c);
      const weight = proofWeight(decodeCommitment(body).ops, 0, state.accountCount, state.tokenCount);
      expect(weight.accounts).to.be.at.most(MAX_PROOF_WEIGHT);
      expect(weight.tokens).to.be.at.most(MAX_TOKEN_PROOF_WEIGHT);

      const batchIndex = Number(await d.rollup.batchCount());
      await d.rollup.submitBatch(batchIndex, hex(preRoot), 1n, encodeBatch([body]));
      const { verdict, witness, packed } = buildFraudWitness(state, body, { chainId: CHAIN_ID, queueEntry, position: { queueLimit: 1n, lastInBatch: true } });
      expect(verdict.ok).to.equal(false);
      const path = positionalProof(summarizeBatch(preRoot, [body]).leaves, 0).map(hex);
      const tx = await d.rollup.proveFraud(batchIndex, 0, hex(preRoot), hex(body), path, packed, { gasLimit: 16_777_216 });
      const receipt = (await tx.wait())!;
      const proven = receipt.logs.map((l) => d.rollup.interface.parseLog(l)).find((e) => e?.name === "FraudProven");
      expect(Number(proven!.args.kind)).to.equal(onChainVerdict(verdict).kind);
      await d.rollup.postBond({ value: DEVNET_PARAMS.bondSize });
      // The proof reverted every batch from `batchIndex` on: the next claim starts from the pre-state.
      tip = preRoot;
      const tokenSiblings = witness.accounts.reduce((n, a) => n + a.tokenProof.length + a.allowanceProof.length, 0);
      return { gas: Number(receipt.gasUsed), calldataBytes: (tx.data.length - 2) / 2, weight, tokenSiblings, accounts: witness.accounts.length, accountSiblings: witness.accountProof.length, commitmentBytes: body.length };
    };

    const none: Heavy = { allowanceRoots: false, denseBalances: false, longAmounts: false, fees: "shared-short" };
    const figures: Record<string, Awaited<ReturnType<typeof run>>> = {};
    figures.bench = await run(none);
    figures.allowanceRoots = await run({ ...none, allowanceRoots: true });
    figures.denseBalances = await run({ ...none, denseBalances: true });
    figures.longAmounts = await run({ ...none, longAmounts: true });
    figures.distinctShortFees = await run({ ...none, fees: "distinct-short" });
    figures.sharedLongFee = await run({ ...none, fees: "shared-long" });
    figures.distinctLongFees = await run({ ...none, fees: "distinct-long" });
    figures.all = await run({ allowanceRoots: true, denseBalances: true, longAmounts: true, fees: "distinct-long" });
    figures.allReversed = await run({ allowanceRoots: true, denseBalances: true, longAmounts: true, fees: "distinct-long", reversed: true });
    figures.narrow = await run({ ...none, narrow: true });
    figures.narrowAllReversed = await run({ allowanceRoots: true, denseBalances: true, longAmounts: true, fees: "distinct-long", reversed: true, narrow: true });
    console.log("      proveFraud gas:", JSON.stringify(figures, null, 1));
    // Every token sibling the witness sends lies on a level the weight counts.
    for (const f of Object.values(figures)) expect(f.tokenSiblings).to.be.at.most(f.weight.tokens);
    // Found 2026-12-02 with 32 fee tuples, caps 480/384: bench 2,889,810; 32 distinct long tuples
    // 3,261,528; all at once, reversed, 3,372,585 (CommitmentDecoder._canonicalFees compared 496
    // pairs field by field, and each tuple's amounts cost ~4k to decode). After the fix (hashed
    // tuples, amounts read in assembly, 16 tuples, caps 448/320): the 8-bit shape with everything
    // at once, reversed, 2,878,300; the 24-bit shape 2,535,071.
    for (const [k, f] of Object.entries(figures)) expect(f.gas, k).to.be.below(3_000_000);
  });

  it("measured: the cost of MAX_FEE_ENTRIES distinct fee tuples alone, on a commitment MALFORMED by its account weight (decoded in full, then weighed, nothing replayed): linear, ~1.3k gas a tuple (32 cost ~+320k before the fix, ~650 gas a pair)", async () => {
    const f = await loadFixture(fraudFixture);
    const { op } = await f.chain.signedOp(f.alice, { to: f.bob.address, value: 1n });
    const gasOf = async (fees: FeeEntry[]) => {
      // 32 ETH transfers to recipients 2^19 apart (none exists): over MAX_PROOF_WEIGHT, MALFORMED before any replay.
      const ops: Op[] = Array.from({ length: 32 }, (_, i) => ({ ...(op as Extract<Op, { kind: 1 }>), kind: OpKind.ETH_TRANSFER, to: i * 2 ** 19 + 7, feeIndex: Math.min(i, fees.length - 1) }));
      const p = f.chain.proof(await f.chain.post([f.chain.handMade(ops, fees)]));
      expect(p.verdict).to.deep.include({ ok: false, kind: "malformed" });
      const receipt = (await (await f.rollup.proveFraud(...p.args)).wait())!;
      await f.rollup.postBond({ value: f.params.bondSize });
      return Number(receipt.gasUsed);
    };
    const tuple = (i: number): FeeEntry => ({ type: 2, maxPriorityFeePerGas: 0n, maxFeePerGas: 2n * BASE_FEE, gasLimit: 100_000n + BigInt(i) });
    const one = await gasOf([tuple(0)]);
    const sameButGasLimit = await gasOf(Array.from({ length: MAX_FEE_ENTRIES }, (_, i) => tuple(i)));
    // Tuples that differ in their first compared amount.
    const differFirst = await gasOf(Array.from({ length: MAX_FEE_ENTRIES }, (_, i) => ({ ...tuple(0), maxPriorityFeePerGas: BigInt(i + 1) })));
    const byCount: Record<number, number> = {};
    for (const n of [2, 4, 8, 12]) byCount[n] = await gasOf(Array.from({ length: n }, (_, i) => tuple(i)));
    console.log("      over-weight MALFORMED proveFraud gas:", JSON.stringify({ one, sameButGasLimit, differFirst, byCount }));
    // Measured 2026-12-02 before the fix: one 370,563; 32 tuples 690,976; by count 8: 379,282,
    // 16: 454,355, 24: 558,274 (quadratic). After: one 353,497; 16 tuples 374,064.
    // Linear now: each tuple costs its decoding and one hash, never a comparison of fields.
    expect(sameButGasLimit - one).to.be.below(80_000);
  });
});
