/**
 * `npm run bench:fraud`: L1 gas of the worst-case fraud proof of each kind, at the maximum
 * commitment size (32 operations, the fraud in the last one or in the claimed roots, so the
 * verifier replays everything first), on a state of 100,000 accounts with the senders spread
 * evenly through the tree (so their Merkle paths share little) and as many new recipients. Prints
 * one JSON object.
 *
 * The pre-state is claimed by an unchallenged batch 0 (the verifier takes a commitment's
 * pre-state root as given, so only the disputed commitment needs to be honest up to its fraud).
 */
import hre from "hardhat";
import { Interface, Wallet, parseEther, type HDNodeWallet } from "ethers";
import { deployCairn } from "../deploy/cairn";
import { registerTestTokens } from "../test/helpers/tokenCount";
import { DEVNET_PARAMS } from "../deploy/params";
import { L1Contracts } from "../src/node/l1/contracts";
import { L2State } from "../src/core/state";
import { BlockBuilder, withdrawalTree, withdrawalsOf } from "../src/core/blockBuilder";
import { decodeCommitment, encodeBatch, encodeCommitment, type Commitment } from "../src/core/commitment";
import { summarizeBatch } from "../src/core/batch";
import { positionalProof } from "../src/core/merkle";
import { buildFraudWitness, onChainVerdict } from "../src/core/fraudProof";
import { parseRawTransaction, toSignedOp } from "../src/core/intake";
import type { Op } from "../src/core/ops";
import { MAX_FEE_ENTRIES, MAX_OPS_PER_COMMITMENT, MAX_TOKEN_PROOF_WEIGHT, OpKind, WITHDRAWAL_PREDEPLOY } from "../src/core/constants";
import { proofWeight, withinCaps } from "../src/core/proofWeight";
import { l2TokenAddress } from "../src/core/hashing";
import { replayCommitment } from "../src/core/replay";
import { applyOp } from "../src/core/execute";
import { type QueueEntry } from "../src/core/queueOps";

const CHAIN_ID = DEVNET_PARAMS.l2ChainId;
const BASE_FEE = 10_000_000n;
const FILLER_ACCOUNTS = 100_000;
const erc20 = new Interface(["function transfer(address to, uint256 amount)", "function transferFrom(address owner, address to, uint256 amount)"]);
const predeploy = new Interface(["function withdraw(address l1Recipient, address token, uint256 amount)"]);
const hex = (b: Buffer) => "0x" + b.toString("hex");

async function main(): Promise<void> {
  const [deployer, funder] = await hre.ethers.getSigners();
  const d = await deployCairn(deployer, DEVNET_PARAMS);
  const token = await hre.ethers.deployContract("TestToken", ["Bench", "B", 18], funder);
  await d.bridge.registerToken(token);
  await (token as unknown as { mint(a: string, v: bigint): Promise<unknown> }).mint(funder.address, parseEther("1000000"));
  await (token as unknown as { approve(a: string, v: bigint): Promise<unknown> }).approve(d.addresses.bridge, parseEther("1000000"));
  // Real L1 queue entries for the deposit kinds: the verifier authenticates them on the Bridge.
  for (let i = 0; i < 2; i++) await d.bridge.connect(funder).depositETH(Wallet.createRandom().address, { value: 1000n });
  // Tokens 1–31 (after the deposits, so the queue indices the cases use stay put): the 8-bit shape.
  const narrowL1 = await registerTestTokens(d.bridge, "Narrow", "N", MAX_OPS_PER_COMMITMENT - 1, 1);
  await d.rollup.postBond({ value: DEVNET_PARAMS.bondSize * 20n });
  const l1 = new L1Contracts(hre.ethers.provider, d.addresses, deployer);
  const queue = await l1.queueEntries(0, await hre.ethers.provider.getBlockNumber());
  const queueEntry = (i: bigint): QueueEntry | undefined => queue[Number(i)];
  const l2Token = l2TokenAddress((await token.getAddress()).toLowerCase());

  // The pre-state: the token registration consumed, 64 funded senders, 100,000 other accounts.
  const state = L2State.genesis();
  const boot = new BlockBuilder(state, { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, queueEntry });
  boot.addQueueEntry();
  boot.seal(1);
  // Senders spread evenly through the tree, so their Merkle paths share as little as possible.
  const senders: HDNodeWallet[] = Array.from({ length: MAX_OPS_PER_COMMITMENT }, () => Wallet.createRandom());
  const spacing = Math.floor(FILLER_ACCOUNTS / MAX_OPS_PER_COMMITMENT);
  for (let i = 0; i < FILLER_ACCOUNTS; i++) {
    const k = i / spacing;
    if (i % spacing === 0 && k < senders.length) {
      const at = state.createAccount(senders[k].address.toLowerCase());
      state.setBalance(at, parseEther("10"));
      state.setTokenBalance(at, 0, parseEther("10"));
    }
    state.createAccount("0x" + (0x10000000 + i).toString(16).padStart(40, "0"));
  }
  // Spenders: sender i has allowed spender i (an account of its own, elsewhere in the tree) to
  // take its token, so that a commitment of transferFroms touches three accounts an operation.
  const spenders: HDNodeWallet[] = Array.from({ length: MAX_OPS_PER_COMMITMENT }, () => Wallet.createRandom());
  spenders.forEach((w, i) => {
    const at = state.createAccount(w.address.toLowerCase());
    state.setBalance(at, parseEther("10"));
    state.setAllowance(state.indexOf(senders[i].address.toLowerCase())!, 0, at, parseEther("5"));
  });
  const genesisRoot = Buffer.from((await d.rollup.genesisStateRoot()).slice(2), "hex");
  const preRoot = state.root();
  const fake0 = encodeCommitment({ postStateRoot: preRoot, withdrawalRoot: null, timestamp: 1, baseFee: BASE_FEE, feeRecipient: 0, fees: [], ops: [] });
  await d.rollup.submitBatch(0, genesisRoot, 1, encodeBatch([fake0]));

  type Signed = { op: Op; fee: ReturnType<typeof parseRawTransaction>["fee"] };
  const sign = async (w: HDNodeWallet, tx: Record<string, unknown>, opts: { chainId?: bigint; nonce?: number; gasLimit?: bigint } = {}) => {
    const chainId = opts.chainId ?? CHAIN_ID;
    const raw = await w.signTransaction({ type: 2, chainId, nonce: opts.nonce ?? 0, gasLimit: opts.gasLimit ?? 200_000n, maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 0n, ...tx });
    const parsed = parseRawTransaction(raw, chainId);
    return { op: toSignedOp(state, parsed, 0, { checkNonce: false }), fee: parsed.fee };
  };
  const tokenTransferTo = (w: HDNodeWallet, to: string, token = l2Token) => sign(w, { to: token, data: erc20.encodeFunctionData("transfer", [to, 12n * 10n ** 16n]) });
  const tokenTransfer = (w: HDNodeWallet, token = l2Token) => tokenTransferTo(w, Wallet.createRandom().address, token);
  /** The filler account halfway between senders i and i + 1 in the tree. */
  const spreadAddress = (i: number) => "0x" + (0x10000000 + i * spacing + Math.floor(spacing / 2)).toString(16).padStart(40, "0");
  // The filler created right after sender i: its neighbour leaf, which costs the proof weight
  // nothing (the attack review's shape: heavier than a new, empty account once the cap is hit).
  const neighbourAddress = (i: number) => "0x" + (0x10000000 + i * spacing).toString(16).padStart(40, "0");
  /** The bits k where the path to `key` has an open level below `count` (its sibling flips bit k). */
  const openBits = (key: number, count: number) => Array.from({ length: 24 }, (_, k) => k).filter((k) => (Math.floor(key / 2 ** k) ^ 1) * 2 ** k < count);
  /**
   * Operations i = 0..n−1: `fallback(i)` (to a new account) while the commitment stays within
   * both proof-weight caps, each then turned into `spread(i)` where it still does: the heaviest
   * commitment of that shape the caps admit.
   */
  const heaviest = async (n: number, spread: (i: number) => Promise<Signed>, fallback: (i: number) => Promise<Signed>) => {
    const fits = (ops: Op[]) => withinCaps(proofWeight(ops, 0, state.accountCount, state.tokenCount));
    const ops: Op[] = [];
    let fee: Signed["fee"] | undefined;
    for (let i = 0; i < n; i++) {
      const f = await fallback(i);
      if (!fits([...ops, f.op])) break;
      ops.push(f.op);
      fee = f.fee;
    }
    for (let i = 0; i < ops.length; i++) {
      const candidate = [...ops];
      candidate[i] = (await spread(i)).op;
      if (fits(candidate)) ops[i] = candidate[i];
    }
    return { ops, fee: fee! };
  };
  /** Spender i takes sender i's token (the owner, named by index) and sends it to a new account. */
  const transferFromTo = (i: number, to: string, tokenAddress = l2Token) =>
    sign(spenders[i], { to: tokenAddress, data: erc20.encodeFunctionData("transferFrom", [senders[i].address, to, 12n * 10n ** 16n]) });
  const transferFromOf = (i: number, tokenAddress = l2Token) => transferFromTo(i, Wallet.createRandom().address, tokenAddress);
  const tokenWithdrawal = (w: HDNodeWallet) => sign(w, { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [w.address, l2Token, 12n * 10n ** 16n]) });

  /** All but one (or all) operations heavy and honest — token transfers to new accounts — and a final one. */
  const fillers = async (n: number, make = tokenTransfer) => {
    const out: Op[] = [];
    let fee;
    for (let i = 0; i < n; i++) {
      const s = await make(senders[i]);
      out.push(s.op);
      fee = s.fee;
    }
    return { ops: out, fee: fee! };
  };
  /** Builds the commitment, claiming the roots src/core computes for its valid prefix. */
  const commitment = (ops: Op[], fees: Commitment["fees"], mutate: (c: Commitment) => void = () => {}) => {
    const cp = state.checkpoint();
    const env = { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, fees, queueEntry };
    const results = [];
    for (const op of ops) {
      try {
        results.push(applyOp(state, op, env));
      } catch {
        break;
      }
    }
    const w = withdrawalTree(withdrawalsOf(results));
    const c: Commitment = { postStateRoot: state.root(), withdrawalRoot: w ? w.getRoot() : null, timestamp: 2, baseFee: BASE_FEE, feeRecipient: 0, fees, ops };
    state.rollback(cp);
    mutate(c);
    return encodeCommitment(c);
  };

  const last = senders[MAX_OPS_PER_COMMITMENT - 1];
  const cases: Record<string, () => Promise<{ body: Buffer; queueCount?: bigint }>> = {
    "bad-signature": async () => {
      const f = await fillers(MAX_OPS_PER_COMMITMENT - 1);
      const { op } = await tokenTransfer(last);
      const r = Buffer.from(op.sig.r);
      r[31] ^= 1;
      return { body: commitment([...f.ops, { ...op, sig: { ...op.sig, r } } as Op], [f.fee]) };
    },
    "wrong-chain": async () => {
      const f = await fillers(MAX_OPS_PER_COMMITMENT - 1);
      const { op } = await sign(last, { to: l2Token, data: erc20.encodeFunctionData("transfer", [Wallet.createRandom().address, 1n]) }, { chainId: 1n });
      return { body: commitment([...f.ops, op], [f.fee]) };
    },
    nonce: async () => {
      const f = await fillers(MAX_OPS_PER_COMMITMENT - 1);
      const { op } = await sign(last, { to: l2Token, data: erc20.encodeFunctionData("transfer", [Wallet.createRandom().address, 1n]) }, { nonce: 3 });
      return { body: commitment([...f.ops, op], [f.fee]) };
    },
    "insufficient-balance": async () => {
      const f = await fillers(MAX_OPS_PER_COMMITMENT - 1);
      const { op } = await sign(last, { to: l2Token, data: erc20.encodeFunctionData("transfer", [Wallet.createRandom().address, parseEther("11")]) });
      return { body: commitment([...f.ops, op], [f.fee]) };
    },
    "unknown-token": async () => {
      const f = await fillers(MAX_OPS_PER_COMMITMENT - 1);
      const { op } = await tokenTransfer(last);
      return { body: commitment([...f.ops, { ...op, tokenId: 7 } as Op], [f.fee]) };
    },
    malformed: async () => {
      const f = await fillers(MAX_OPS_PER_COMMITMENT);
      const body = commitment(f.ops, [f.fee]);
      return { body: body.subarray(0, body.length - 1) };
    },
    "unknown-account": async () => {
      const f = await fillers(MAX_OPS_PER_COMMITMENT - 1);
      const { op } = await tokenTransfer(last);
      return { body: commitment([...f.ops, { ...op, kind: OpKind.TOKEN_TRANSFER, to: state.accountCount + 1000 } as Op], [f.fee]) };
    },
    "deposit-skipped": async () => {
      const f = await fillers(MAX_OPS_PER_COMMITMENT);
      return { body: commitment(f.ops, [f.fee]), queueCount: 2n };
    },
    "deposit-misapplied": async () => {
      const f = await fillers(MAX_OPS_PER_COMMITMENT - 1);
      return { body: commitment([...f.ops, { kind: OpKind.QUEUE, credit: "existing", index: 1 }], [f.fee]), queueCount: 2n };
    },
    "deposit-amount": async () => {
      const f = await fillers(MAX_OPS_PER_COMMITMENT - 1);
      return { body: commitment([...f.ops, { kind: OpKind.QUEUE, credit: "new" }], [f.fee], (c) => void (c.postStateRoot = Buffer.alloc(32, 1))), queueCount: 2n };
    },
    "post-state": async () => {
      const f = await fillers(MAX_OPS_PER_COMMITMENT);
      return { body: commitment(f.ops, [f.fee], (c) => void (c.postStateRoot = Buffer.alloc(32, 1))) };
    },
    // Recipients that exist, each halfway between two senders in the tree, while the proof
    // weight allows (then new ones): the most spread commitment the cap admits.
    "post-state-spread-recipients": async () => {
      const { ops, fee } = await heaviest(MAX_OPS_PER_COMMITMENT, (i) => tokenTransferTo(senders[i], spreadAddress(i)), (i) => tokenTransfer(senders[i]));
      return { body: commitment(ops, [fee], (c) => void (c.postStateRoot = Buffer.alloc(32, 1))) };
    },
    // All 32 recipients spread: 64 paths that share little, over the cap — MALFORMED, at once.
    "over-proof-weight": async () => {
      const ops: Op[] = [];
      let fee;
      for (let i = 0; i < MAX_OPS_PER_COMMITMENT; i++) ({ op: ops[i], fee } = await tokenTransferTo(senders[i], spreadAddress(i)));
      return { body: commitment(ops, [fee!]) };
    },
    // A transferFrom takes two of a commitment's slots: 16 fill it.
    "post-state-transfer-from": async () => {
      const ops: Op[] = [];
      let fee;
      for (let i = 0; i < MAX_OPS_PER_COMMITMENT / 2; i++) {
        const s = await transferFromOf(i);
        ops.push(s.op);
        fee = s.fee;
      }
      return { body: commitment(ops, [fee!], (c) => void (c.postStateRoot = Buffer.alloc(32, 1))) };
    },
    "withdrawal-root": async () => {
      const f = await fillers(MAX_OPS_PER_COMMITMENT, tokenWithdrawal);
      return { body: commitment(f.ops, [f.fee], (c) => void (c.withdrawalRoot = Buffer.alloc(32, 1))) };
    },
  };

  const gas: Record<string, number> = {};
  const calldata: Record<string, number> = {};
  const witnessSize: Record<string, { accounts: number; accountSiblings: number; tokenSiblings: number; weight?: { accounts: number; tokens: number }; witnessBytes: number; commitmentBytes: number }> = {};
  const prove = async (kind: string, body: Buffer, queueCount: bigint, pre: Buffer) => {
    const batchIndex = Number(await d.rollup.batchCount());
    await d.rollup.submitBatch(batchIndex, hex(pre), queueCount, encodeBatch([body]));
    const position = { queueLimit: queueCount, lastInBatch: true };
    const { verdict, witness, packed } = buildFraudWitness(state, body, { chainId: CHAIN_ID, queueEntry, position });
    if (verdict.ok) throw new Error(`${kind}: src/core finds no fraud`);
    const path = positionalProof(summarizeBatch(pre, [body]).leaves, 0).map(hex);
    const tokenSiblings = witness.accounts.reduce((n, a) => n + a.tokenProof.length + a.allowanceProof.length, 0);
    let weight;
    try {
      const c = decodeCommitment(body);
      weight = proofWeight(c.ops, c.feeRecipient, state.accountCount, state.tokenCount);
    } catch {
      weight = undefined; // the malformed case: no operations to weigh
    }
    witnessSize[kind] = { accounts: witness.accounts.length, accountSiblings: witness.accountProof.length, tokenSiblings, weight, witnessBytes: (packed.length - 2) / 2, commitmentBytes: body.length };
    const tx = await d.rollup.proveFraud(batchIndex, 0, hex(pre), hex(body), path, packed, { gasLimit: 16_777_216 });
    const receipt = (await tx.wait())!;
    const proven = receipt.logs.map((l) => d.rollup.interface.parseLog(l)).find((e) => e?.name === "FraudProven");
    if (!proven) throw new Error(`${kind}: not proven`);
    const expected = onChainVerdict(verdict);
    if (Number(proven.args.kind) !== expected.kind) throw new Error(`${kind}: verifier says ${proven.args.kind}, src/core ${expected.kind}`);
    gas[kind] = Number(receipt.gasUsed);
    calldata[kind] = (tx.data.length - 2) / 2;
    await d.rollup.postBond({ value: DEVNET_PARAMS.bondSize });
    void replayCommitment;
  };
  for (const [kind, build] of Object.entries(cases)) {
    const { body, queueCount = 1n } = await build();
    await prove(kind, body, queueCount, preRoot);
  }
  // Proof cost does not grow with history: the same post-state fraud proven with no batch after
  // it, and with 1,000 batches stacked on it (all inside the challenge window).
  const { body: disputed } = await cases["post-state"]();
  const later: Record<string, number> = {};
  for (const n of [0, 1000]) {
    const batchIndex = Number(await d.rollup.batchCount());
    await d.rollup.submitBatch(batchIndex, hex(preRoot), 1n, encodeBatch([disputed]));
    await stackBatches(d.rollup, n, batchIndex + 1, disputed.subarray(0, 32));
    const position = { queueLimit: 1n, lastInBatch: true };
    const { packed } = buildFraudWitness(state, disputed, { chainId: CHAIN_ID, queueEntry, position });
    const path = positionalProof(summarizeBatch(preRoot, [disputed]).leaves, 0).map(hex);
    const receipt = (await (await d.rollup.proveFraud(batchIndex, 0, hex(preRoot), hex(disputed), path, packed, { gasLimit: 16_777_216 })).wait())!;
    later[`fraudProofGasWith${n}LaterBatches`] = Number(receipt.gasUsed);
    await d.rollup.postBond({ value: DEVNET_PARAMS.bondSize });
  }
  const growth = later.fraudProofGasWith1000LaterBatches / later.fraudProofGasWith0LaterBatches - 1;

  // The heaviest shape both caps admit: 32 token transfers of 32 distinct 8-bit tokens on a chain
  // of 32 (ids 1–31 registered on L1 above, and on L2 here), so each path has 5 open levels and
  // 64 paths fill MAX_TOKEN_PROOF_WEIGHT, every open level crowded; recipients spread while the
  // account weight allows and the senders' neighbour leaves after; MAX_FEE_ENTRIES distinct fee
  // tuples. (24-bit ids from 65,536 on have 6 open levels: the cap then holds only 26 transfers.)
  {
    const cp = state.checkpoint();
    for (const l1Token of narrowL1) state.registerToken(l1Token);
    senders.forEach((w, i) => {
      const at = state.indexOf(w.address.toLowerCase())!;
      state.setTokenBalance(at, i, parseEther("10"));
      for (const other of [at, state.indexOf(spreadAddress(i))!, state.indexOf(neighbourAddress(i))!]) {
        for (const k of openBits(i, state.tokenCount)) state.setTokenBalance(other, i ^ (1 << k), 1n);
      }
    });
    const narrowRoot = state.root();
    await d.rollup.submitBatch(Number(await d.rollup.batchCount()), await d.rollup.tipStateRoot(), 1n, encodeBatch([encodeCommitment({ postStateRoot: narrowRoot, withdrawalRoot: null, timestamp: 2, baseFee: BASE_FEE, feeRecipient: 0, fees: [], ops: [] })]));
    const l2Of = (i: number) => state.token(i)!.l2Address;
    const to = (i: number, recipient: string) =>
      sign(senders[i], { to: l2Of(i), data: erc20.encodeFunctionData("transfer", [recipient, 12n * 10n ** 16n]) }, { gasLimit: 200_000n + BigInt(i % MAX_FEE_ENTRIES) });
    const narrow = await heaviest(MAX_OPS_PER_COMMITMENT, (i) => to(i, spreadAddress(i)), (i) => to(i, neighbourAddress(i)));
    // Operation i signed the tuple of gas limit 200,000 + i mod MAX_FEE_ENTRIES: listed in that order.
    const feeList = await Promise.all(Array.from({ length: Math.min(MAX_FEE_ENTRIES, narrow.ops.length) }, (_, k) => to(k, neighbourAddress(k)).then((x) => x.fee)));
    const ops = narrow.ops.map((op, i) => ({ ...op, feeIndex: i % MAX_FEE_ENTRIES }) as Op);
    await prove("post-state-spread-crowded-8-bit-tokens", commitment(ops, feeList, (c) => void (c.postStateRoot = Buffer.alloc(32, 1))), 1n, narrowRoot);
    state.rollback(cp);
  }

  // The post-state case again with 24-bit token ids: sender i holds only token 65,536 + i, so
  // every operation writes a 24-bit id (width class 2) and the verifier reads 32 distinct tokens
  // from the Bridge. The Bridge's token count is set in storage (65,536 registrations are out of
  // reach); on L2 the skipped ids are placeholders, and the pre-state is claimed by a batch.
  const WIDE = 65_536;
  await hre.network.provider.send("hardhat_setStorageAt", [d.addresses.bridge, "0x2", hre.ethers.toBeHex(WIDE, 32)]);
  if ((await d.bridge.tokenCount()) !== BigInt(WIDE)) throw new Error("Bridge._tokens is not at storage slot 2");
  const wideL1 = await registerTestTokens(d.bridge, "Wide", "W", MAX_OPS_PER_COMMITMENT);
  while (state.tokenCount < WIDE) state.registerToken("0x" + "5c".repeat(8) + state.tokenCount.toString(16).padStart(24, "0"));
  for (const l1Token of wideL1) state.registerToken(l1Token);
  senders.forEach((w, i) => {
    const at = state.indexOf(w.address.toLowerCase())!;
    state.setTokenBalance(at, 0, 0n);
    state.setTokenBalance(at, WIDE + i, parseEther("10"));
    state.setAllowance(at, WIDE + i, state.indexOf(spenders[i].address.toLowerCase())!, parseEther("5"));
  });
  const wideRoot = state.root();
  const claim = encodeCommitment({ postStateRoot: wideRoot, withdrawalRoot: null, timestamp: 2, baseFee: BASE_FEE, feeRecipient: 0, fees: [], ops: [] });
  await d.rollup.submitBatch(Number(await d.rollup.batchCount()), await d.rollup.tipStateRoot(), 1n, encodeBatch([claim]));
  const wideOps: Op[] = [];
  let wideFee;
  for (let i = 0; i < MAX_OPS_PER_COMMITMENT; i++) {
    const s = await sign(senders[i], { to: l2TokenAddress(wideL1[i]), data: erc20.encodeFunctionData("transfer", [Wallet.createRandom().address, 12n * 10n ** 16n]) });
    wideOps.push(s.op);
    wideFee = s.fee;
  }
  await prove("post-state-24-bit-tokens", commitment(wideOps, [wideFee!], (c) => void (c.postStateRoot = Buffer.alloc(32, 1))), 1n, wideRoot);
  // And with transferFroms: 24-bit ids in 48-bit allowance keys, three accounts an operation (as
  // many as the token weight admits: each counts ~24 open levels here).
  const wideFromOps: Op[] = [];
  let wideFromFee;
  for (let i = 0; i < MAX_OPS_PER_COMMITMENT / 2; i++) {
    const s = await transferFromOf(i, l2TokenAddress(wideL1[i]));
    if (!withinCaps(proofWeight([...wideFromOps, s.op], 0, state.accountCount, state.tokenCount))) break;
    wideFromOps.push(s.op);
    wideFromFee = s.fee;
  }
  await prove("post-state-transfer-from-24-bit-tokens", commitment(wideFromOps, [wideFromFee!], (c) => void (c.postStateRoot = Buffer.alloc(32, 1))), 1n, wideRoot);

  // The shapes at once: recipients that exist, spread through the tree as far as the proof
  // weight allows and the senders' neighbour leaves after that; 24-bit ids; and every open level
  // of every touched token path crowded (a non-zero sibling wherever the pre-state's token count
  // allows one). Registering 2^m tokens above 65,536 gives sender i's token 65,536 + i (i < 32)
  // 1 + m open levels (bits 0 to m − 1, and 16), so m is set for 32 transfers between existing
  // holders, 64 paths, to fill the token cap (MAX_TOKEN_PROOF_WEIGHT) as nearly as it can.
  const OPEN_LEVELS = Math.floor(MAX_TOKEN_PROOF_WEIGHT / (2 * MAX_OPS_PER_COMMITMENT));
  const CROWDED_TOKENS = WIDE + 2 ** Math.max(5, OPEN_LEVELS - 1);
  while (state.tokenCount < CROWDED_TOKENS) state.registerToken("0x" + "5d".repeat(8) + state.tokenCount.toString(16).padStart(24, "0"));
  const spreadRecipient = (i: number) => state.indexOf(spreadAddress(i))!;
  if (state.indexOf(neighbourAddress(0)) !== state.indexOf(senders[0].address.toLowerCase())! + 1) throw new Error("the filler after sender 0 is not its neighbour leaf");
  senders.forEach((w, i) => {
    for (const at of [state.indexOf(w.address.toLowerCase())!, spreadRecipient(i), state.indexOf(neighbourAddress(i))!]) {
      for (const k of openBits(WIDE + i, state.tokenCount)) state.setTokenBalance(at, (WIDE + i) ^ (1 << k), 1n);
    }
  });
  const crowdedRoot = state.root();
  await d.rollup.submitBatch(Number(await d.rollup.batchCount()), hex(wideRoot), 1n, encodeBatch([encodeCommitment({ postStateRoot: crowdedRoot, withdrawalRoot: null, timestamp: 2, baseFee: BASE_FEE, feeRecipient: 0, fees: [], ops: [] })]));
  const crowded = await heaviest(
    MAX_OPS_PER_COMMITMENT,
    (i) => tokenTransferTo(senders[i], spreadAddress(i), l2TokenAddress(wideL1[i])),
    (i) => tokenTransferTo(senders[i], neighbourAddress(i), l2TokenAddress(wideL1[i])),
  );
  await prove("post-state-spread-crowded-24-bit-tokens", commitment(crowded.ops, [crowded.fee], (c) => void (c.postStateRoot = Buffer.alloc(32, 1))), 1n, crowdedRoot);

  // The same with transferFroms (two slots each: 16), each owner's allowance tree crowded too,
  // at every open level of the spender's and the token's half of the key: three accounts an
  // operation, the owner's depth-48 allowance walk beside two token walks.
  for (let i = 0; i < MAX_OPS_PER_COMMITMENT / 2; i++) {
    const owner = state.indexOf(senders[i].address.toLowerCase())!;
    const spender = state.indexOf(spenders[i].address.toLowerCase())!;
    for (const k of openBits(spender, state.accountCount)) state.setAllowance(owner, WIDE + i, spender ^ (1 << k), 1n);
    for (const k of openBits(WIDE + i, state.tokenCount)) state.setAllowance(owner, (WIDE + i) ^ (1 << k), spender, 1n);
  }
  const crowdedAllowancesRoot = state.root();
  await d.rollup.submitBatch(Number(await d.rollup.batchCount()), hex(crowdedRoot), 1n, encodeBatch([encodeCommitment({ postStateRoot: crowdedAllowancesRoot, withdrawalRoot: null, timestamp: 2, baseFee: BASE_FEE, feeRecipient: 0, fees: [], ops: [] })]));
  const crowdedFrom = await heaviest(
    MAX_OPS_PER_COMMITMENT / 2,
    (i) => transferFromTo(i, state.account(spreadRecipient(i)).address, l2TokenAddress(wideL1[i])),
    (i) => transferFromTo(i, Wallet.createRandom().address, l2TokenAddress(wideL1[i])),
  );
  await prove("post-state-spread-crowded-transfer-from", commitment(crowdedFrom.ops, [crowdedFrom.fee], (c) => void (c.postStateRoot = Buffer.alloc(32, 1))), 1n, crowdedAllowancesRoot);

  const worst = Math.max(...Object.values(gas));
  process.stdout.write(
    JSON.stringify(
      {
        fraudProofGas: gas,
        fraudProofCalldataBytes: calldata,
        witness: witnessSize,
        worst,
        ...later,
        laterBatchesGrowth: Number(growth.toFixed(4)),
        laterBatchesWithin5Percent: Math.abs(growth) <= 0.05,
        target: 3_000_000,
        withinTarget: worst <= 3_000_000,
        l1TxGasCap: 16_777_216,
        setup: { opsPerCommitment: MAX_OPS_PER_COMMITMENT, accounts: state.accountCount, hardfork: hre.config.networks.hardhat.hardfork ?? "default (osaka)" },
      },
      null,
      2,
    ) + "\n",
  );
}

/**
 * Posts `n` batches of one empty commitment each on top of batch `from − 1` (whose post-state root
 * is `tip`), many to an L1 block, so that all of them land inside the challenge window.
 */
async function stackBatches(rollup: Awaited<ReturnType<typeof deployCairn>>["rollup"], n: number, from: number, tip: Buffer): Promise<void> {
  if (n === 0) return;
  const provider = hre.ethers.provider;
  const signer = (await hre.ethers.getSigners())[0];
  let nonce = await signer.getNonce();
  let pre = tip;
  await provider.send("evm_setAutomine", [false]);
  try {
    for (let i = 0; i < n; i++) {
      const body = encodeCommitment({ postStateRoot: Buffer.alloc(32, (i % 255) + 1), withdrawalRoot: null, timestamp: 2, baseFee: BASE_FEE, feeRecipient: 0, fees: [], ops: [] });
      await rollup.submitBatch(from + i, hex(pre), 1n, encodeBatch([body]), { nonce: nonce++, gasLimit: 300_000 });
      pre = body.subarray(0, 32);
    }
    while (Number(await rollup.batchCount()) < from + n) await provider.send("evm_mine", []);
  } finally {
    await provider.send("evm_setAutomine", [true]);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:fraud failed: ${(e as Error).stack}\n`);
  process.exitCode = 1;
});
