import { expect } from "chai";
import { withTokenClass } from "../helpers/spelling";
import { Wallet } from "ethers";
import { BASE_FEE, CHAIN_ID, CoreChain, ETH, L1_TOKEN, QueueKind, erc20, fundedChain, predeploy, signParsed } from "../helpers/coreFixture";
import { InvalidOperationError } from "../../src/core/errors";
import { ByteReader, ByteWriter } from "../../src/core/bytes";
import fc from "fast-check";
import { opTokenId, readOp, writeOp, type Op } from "../../src/core/ops";
import { decodeCommitment, encodeCommitment, type Commitment } from "../../src/core/commitment";
import { DecodeError } from "../../src/core/errors";
import type { FeeEntry } from "../../src/core/txSigning";
import { toSignedOp, parseRawTransaction } from "../../src/core/intake";
import { OpKind, WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "../../src/core/constants";
import { L2State } from "../../src/core/state";
import { replayCommitment } from "../../src/core/replay";
import { applyOp } from "../../src/core/execute";
import { rawTransaction } from "../../src/core/txSigning";
import { l2TokenAddress } from "../../src/core/hashing";
import { type HDNodeWallet } from "ethers";

const L2_TOKEN = l2TokenAddress(L1_TOKEN);

const expectInvalid = (fn: () => unknown, reason: string) => {
  try {
    fn();
  } catch (e) {
    expect(e).to.be.instanceOf(InvalidOperationError);
    expect((e as InvalidOperationError).reason).to.equal(reason);
    return;
  }
  expect.fail(`expected ${reason}`);
};

describe("core/codec: packed operations round-trip ethers-signed transactions", () => {
  const cases: Array<[string, (bob: string) => object]> = [
    ["ETH transfer to a new address", (bob) => ({ to: bob, value: 10n ** 16n })],
    ["token transfer", (bob) => ({ to: L2_TOKEN, data: erc20.encodeFunctionData("transfer", [bob, 7n]) })],
    ["ETH withdrawal", (bob) => ({ to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [bob, ZERO_ADDRESS, ETH]) })],
    ["token withdrawal", (bob) => ({ to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [bob, L2_TOKEN, 3n]) })],
  ];
  for (const [name, build] of cases) {
    for (const type of [2, 0] as const) {
      it(`${name}, ${type === 2 ? "EIP-1559" : "legacy EIP-155"}: encode → decode → rebuild gives the signed bytes`, async () => {
        const { chain, alice, bob } = fundedChain();
        const fee = type === 2 ? {} : { type: 0, gasPrice: BASE_FEE, maxFeePerGas: undefined, maxPriorityFeePerGas: undefined };
        const parsed = await signParsed(alice, { ...build(bob.address), ...fee, nonce: 0 });
        const op = toSignedOp(chain.state, parsed, 0);
        const w = new ByteWriter();
        const layout = { indexBits: 5, feeBits: 0, tokenBits: 8 };
        writeOp(w, op, layout);
        const r = new ByteReader(w.toBuffer());
        const decoded = readOp(r, layout);
        expect(r.remaining).to.equal(0);
        expect(decoded).to.deep.equal(op);
        const b = chain.builder();
        const result = b.addTransaction(parsed);
        expect(result.hash).to.equal(parsed.hash);
        expect(rawTransaction(result.tx, parsed.sig).equals(parsed.raw)).to.equal(true);
      });
    }
  }

  it("packs an ETH transfer into 67 bytes between early accounts and 70 among 10,000", async () => {
    const { chain, alice, bob } = fundedChain();
    chain.enqueue(QueueKind.ETH_DEPOSIT, bob.address, 1n);
    chain.drainQueue();
    for (let i = 0; i < 10_000; i++) chain.state.createAccount("0x" + (i + 1).toString(16).padStart(40, "0"));
    const late = Wallet.createRandom();
    chain.enqueue(QueueKind.ETH_DEPOSIT, late.address, ETH);
    chain.drainQueue();
    const packed = async (from: Wallet | HDNodeWallet, to: string) => {
      const op = toSignedOp(chain.state, await signParsed(from, { to, value: 5n * 10n ** 16n, nonce: 0 }), 0);
      const empty = encodeCommitment({ postStateRoot: Buffer.alloc(32), withdrawalRoot: null, timestamp: 1, baseFee: 1n, feeRecipient: 0, fees: [], ops: [] });
      const one = encodeCommitment({ postStateRoot: Buffer.alloc(32), withdrawalRoot: null, timestamp: 1, baseFee: 1n, feeRecipient: 0, fees: [], ops: [op] });
      return one.length - empty.length;
    };
    // Indices 1 and 2 take 2 bits each: 3 + 2 + 2 + 8 head bits round up to 2 bytes.
    expect(await packed(alice, bob.address)).to.equal(2 + 1 + 64);
    // Indices near 10,000 take 14 bits: a 39-bit head, 5 bytes.
    expect(await packed(late, "0x" + (9_000).toString(16).padStart(40, "0"))).to.equal(5 + 1 + 64);
  });

  it("round-trips commitments of random operations at every index, token and fee width; decoding charges what the sequencer charged", () => {
    const sig = { r: Buffer.alloc(32, 0x11), s: Buffer.alloc(32, 0x22), yParity: 1 as const };
    const index = fc.integer({ min: 0, max: 2 ** 24 - 1 });
    const amount = fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 256n - 1n }), fc.integer({ min: 1, max: 99 }).map((m) => BigInt(m) * 10n ** 16n));
    const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => "0x" + Buffer.from(b).toString("hex"));
    // Every token width class, and its edges.
    const tokenId = fc.oneof(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 256, max: 2 ** 16 - 1 }), fc.integer({ min: 2 ** 16, max: 2 ** 24 - 1 }), fc.constantFrom(255, 256, 2 ** 16 - 1, 2 ** 16, 2 ** 24 - 1));
    const op = (fees: number): fc.Arbitrary<Op> => {
      const base = { feeIndex: fc.integer({ min: 0, max: Math.max(fees - 1, 0) }), from: index, amount, sig: fc.constant(sig) };
      return fc.oneof(
        fc.constant<Op>({ kind: OpKind.QUEUE, credit: "new" }),
        index.map<Op>((i) => ({ kind: OpKind.QUEUE, credit: "existing", index: i })),
        fc.record({ kind: fc.constant(OpKind.ETH_TRANSFER), to: index, ...base }),
        fc.record({ kind: fc.constant(OpKind.ETH_TRANSFER_NEW), to: address, ...base }),
        fc.record({ kind: fc.constant(OpKind.TOKEN_TRANSFER), tokenId, to: index, ...base }),
        fc.record({ kind: fc.constant(OpKind.TOKEN_TRANSFER_NEW), tokenId, to: address, ...base }),
        fc.record({ kind: fc.constant(OpKind.WITHDRAW_TOKEN), tokenId, l1Recipient: address, ...base }),
      );
    };
    const fee = { type: 2, maxPriorityFeePerGas: 0n, maxFeePerGas: 10n ** 9n, gasLimit: 30_000n } as const;
    // The fee list in its one spelling: the tuples the operations use, in the order they first use them.
    const canonicalFees = (ops: Op[]) => {
      const slot = new Map<number, number>();
      const renumbered = ops.map((o) => {
        if (o.kind === OpKind.QUEUE) return o;
        if (!slot.has(o.feeIndex)) slot.set(o.feeIndex, slot.size);
        return { ...o, feeIndex: slot.get(o.feeIndex)! };
      });
      const fees = [...slot.keys()].map((generated) => ({ ...fee, gasLimit: 30_000n + BigInt(generated) }));
      return { fees, ops: renumbered };
    };
    const commitment = fc.integer({ min: 1, max: 5 }).chain((feeCount) =>
      fc.array(op(feeCount), { maxLength: 8 }).map((ops) => ({ postStateRoot: Buffer.alloc(32, 7), withdrawalRoot: null, timestamp: 9, baseFee: 10n ** 8n, feeRecipient: 3, ...canonicalFees(ops) })),
    );
    fc.assert(
      fc.property(commitment, (c) => {
        const body = encodeCommitment(c);
        const decoded = decodeCommitment(body);
        expect(decoded.ops).to.deep.equal(c.ops);
      }),
      { numRuns: 300 },
    );
  });
});

describe("core/codec: token ids of 24 bits in a per-commitment width class", () => {
  const sig = { r: Buffer.alloc(32, 0x11), s: Buffer.alloc(32, 0x22), yParity: 1 as const };
  const header = { postStateRoot: Buffer.alloc(32, 7), withdrawalRoot: Buffer.alloc(32, 9), timestamp: 1_700_000_000, baseFee: 10_000_000n, feeRecipient: 3 };
  const fees: FeeEntry[] = [{ type: 2, maxPriorityFeePerGas: 0n, maxFeePerGas: 20_000_000n, gasLimit: 100_000n }];
  const tokenOp = (tokenId: number): Op => ({ kind: OpKind.TOKEN_TRANSFER, feeIndex: 0, from: 5_000, tokenId, to: 9_000, amount: 12n * 10n ** 16n, sig });
  const ethOp: Op = { kind: OpKind.ETH_TRANSFER, feeIndex: 0, from: 5_000, to: 12, amount: 3n * 10n ** 17n, sig };


  it("keeps the bytes of the one-byte-id format for ETH and tokens below 256 (a commitment encoded before the change)", () => {
    // Written by the encoder of commit 8390014, when token ids were one byte.
    const before =
      "07070707070707070707070707070707070707070707070707070707070707071d0909090909090909090909090909090909090909090909090909090909090909006553f100270103010200270225010514e1e029c4001862031111111111111111111111111111111111111111111111111111111111111111a22222222222222222222222222222222222222222222222222222222222222269c403c650600c1111111111111111111111111111111111111111111111111111111111111111a22222222222222222222222222222222222222222222222222222222222222280067f900000000000000000000000000000000000deadbeef011111111111111111111111111111111111111111111111111111111111111111a222222222222222222222222222222222222222222222222222222222222222c006641000000000000000000000000000000000000000cafe051111111111111111111111111111111111111111111111111111111111111111a222222222222222222222222222222222222222222222222222222222222222";
    const ops: Op[] = [
      { kind: OpKind.QUEUE, credit: "existing", index: 9_999 },
      ethOp,
      tokenOp(7),
      { kind: OpKind.TOKEN_TRANSFER_NEW, feeIndex: 0, from: 12, tokenId: 255, to: "0x00000000000000000000000000000000deadbeef", amount: 1n, sig },
      { kind: OpKind.WITHDRAW_TOKEN, feeIndex: 0, from: 12, tokenId: 200, l1Recipient: "0x000000000000000000000000000000000000cafe", amount: 5n, sig },
    ];
    expect(encodeCommitment({ ...header, fees, ops }).toString("hex")).to.equal(before);
  });

  for (const [ids, expected] of [
    [[], 0],
    [[0, 255], 0],
    [[3, 256], 1],
    [[2 ** 16 - 1], 1],
    [[2 ** 16], 2],
    [[255, 2 ** 24 - 1], 2],
  ] as const) {
    it(`writes token ids [${ids.join(", ")}] in class ${expected} (${8 * (expected + 1)} bits) and decodes no other class`, () => {
      const c: Commitment = { ...header, fees, ops: [ethOp, ...ids.map(tokenOp)] };
      const body = encodeCommitment(c);
      expect(body[32] >> 6, "flags bits 6-7").to.equal(expected);
      expect(withTokenClass(c, expected).equals(body), "the test's writer spells the canonical class as the encoder does").to.equal(true);
      expect(decodeCommitment(body).ops.map(opTokenId)).to.deep.equal([undefined, ...ids]);
      // Wider classes hold the same ids but are a second spelling; class 3 is undefined.
      for (let wider = expected + 1; wider <= 3; wider++) {
        expect(() => decodeCommitment(withTokenClass(c, wider)), `class ${wider}`).to.throw(DecodeError, wider === 3 ? /token width class 3/ : /token width class/);
      }
    });
  }
});

describe("core/execute: the state transition", () => {
  it("credits deposits, creating accounts at the next index", () => {
    const { chain, alice } = fundedChain();
    const i = chain.state.indexOf(alice.address.toLowerCase())!;
    expect(i).to.equal(1);
    expect(chain.state.account(i).balance).to.equal(5n * ETH);
    expect(chain.state.tokenBalance(i, 0)).to.equal(1000n);
    expect(chain.state.queueIndex).to.equal(3n);
    expect(chain.state.tokenCount).to.equal(1);
  });

  it("moves value and charges gasUsed × effectiveGasPrice to the fee recipient", async () => {
    const { chain, alice, bob } = fundedChain();
    const before = chain.state.accountOf(alice.address.toLowerCase())!.balance;
    const b = chain.builder(0);
    const r = b.addTransaction(await signParsed(alice, { to: bob.address, value: ETH, nonce: 0 }));
    const fee = r.gasUsed * r.effectiveGasPrice;
    expect(r.effectiveGasPrice).to.equal(BASE_FEE);
    expect(chain.state.accountOf(alice.address.toLowerCase())!.balance).to.equal(before - ETH - fee);
    expect(chain.state.accountOf(bob.address.toLowerCase())!.balance).to.equal(ETH);
    expect(chain.state.account(0).balance).to.equal(fee);
    expect(chain.state.accountOf(alice.address.toLowerCase())!.nonce).to.equal(1n);
  });

  it("refuses a nonce below or above the account's", async () => {
    const { chain, alice, bob } = fundedChain();
    const b = chain.builder();
    b.addTransaction(await signParsed(alice, { to: bob.address, value: 1n, nonce: 0 }));
    const again = await signParsed(alice, { to: bob.address, value: 1n, nonce: 0 });
    expectInvalid(() => b.addTransaction(again), "nonce-too-low");
    const ahead = await signParsed(alice, { to: bob.address, value: 1n, nonce: 5 });
    expectInvalid(() => b.addTransaction(ahead), "nonce-too-high");
  });

  it("refuses a balance that does not cover value + gasLimit × maxFee", async () => {
    const { chain, alice, bob } = fundedChain();
    const tx = await signParsed(alice, { to: bob.address, value: 5n * ETH, nonce: 0 });
    const root = chain.state.root();
    expectInvalid(() => chain.builder().addTransaction(tx), "insufficient-funds");
    expect(chain.state.root().equals(root)).to.equal(true);
  });

  it("refuses token transfers beyond the token balance, and unknown tokens", async () => {
    const { chain, alice, bob } = fundedChain();
    const over = await signParsed(alice, { to: L2_TOKEN, data: erc20.encodeFunctionData("transfer", [bob.address, 1001n]), nonce: 0 });
    expectInvalid(() => chain.builder().addTransaction(over), "insufficient-funds");
    const unknown = await signParsed(alice, { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [bob.address, bob.address, 1n]), nonce: 0 });
    expectInvalid(() => chain.builder().addTransaction(unknown), "unknown-token");
  });

  it("refuses a fee cap below the base fee and a gas limit below gasUsed, and takes a plain send at exactly 21,000", async () => {
    const { chain, alice, bob } = fundedChain();
    const cheap = await signParsed(alice, { to: bob.address, value: 1n, nonce: 0, maxFeePerGas: BASE_FEE - 1n });
    expectInvalid(() => chain.builder().addTransaction(cheap), "fee-too-low");
    const short = await signParsed(alice, { to: bob.address, value: 1n, nonce: 0, gasLimit: 20_999n });
    expectInvalid(() => chain.builder().addTransaction(short), "gas-limit-too-low");
    const exact = await signParsed(alice, { to: bob.address, value: 1n, nonce: 0, gasLimit: 21_000n });
    expect(chain.builder().addTransaction(exact).gasUsed).to.equal(21_000n);
  });

  it("refuses another chain's transactions and unsupported ones at intake", async () => {
    const { alice, bob } = fundedChain();
    const other = await alice.signTransaction({ type: 2, chainId: 1n, to: bob.address, value: 1n, nonce: 0, gasLimit: 30_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 0n });
    expectInvalid(() => parseRawTransaction(other, CHAIN_ID), "wrong-chain");
    const create = await alice.signTransaction({ type: 2, chainId: CHAIN_ID, data: "0x6000", nonce: 0, gasLimit: 60_000n, maxFeePerGas: 1n, maxPriorityFeePerGas: 0n });
    expectInvalid(() => parseRawTransaction(create, CHAIN_ID), "unsupported");
    expectInvalid(() => parseRawTransaction("0x02f8", CHAIN_ID), "malformed");
    expectInvalid(() => parseRawTransaction("hello", CHAIN_ID), "malformed");
  });

  it("finds a tampered signature: the packed op then recovers another account", async () => {
    const { chain, alice, bob } = fundedChain();
    const parsed = await signParsed(alice, { to: bob.address, value: 1n, nonce: 0 });
    const op = toSignedOp(chain.state, parsed, 0);
    if (op.kind !== OpKind.ETH_TRANSFER_NEW) throw new Error("unexpected kind");
    const bad = { ...op, amount: 2n };
    const env = { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, fees: [parsed.fee], queueEntry: () => undefined };
    expectInvalid(() => applyOp(chain.state, bad, env), "bad-signature");
  });

  it("replays a sealed block on a fresh state to the same root (a replica's view)", async () => {
    const { chain, alice, bob } = fundedChain();
    const replica = new CoreChain();
    for (const e of chain.queue) replica.queue.push(e);
    // Replay the deposit block the fixture sealed, then one block of transfers and a withdrawal.
    const deposits = new CoreChain();
    for (const e of chain.queue) deposits.queue.push(e);
    const sealed0 = deposits.drainQueue();
    const r0 = replayCommitment(replica.state, sealed0.body, { chainId: CHAIN_ID, queueEntry: (i) => replica.queue[Number(i)] });
    expect(r0.verdict.ok).to.equal(true);

    const b = chain.builder(1);
    b.addTransaction(await signParsed(alice, { to: bob.address, value: ETH, nonce: 0 }));
    b.addTransaction(await signParsed(alice, { to: L2_TOKEN, data: erc20.encodeFunctionData("transfer", [bob.address, 10n]), nonce: 1 }));
    b.addTransaction(await signParsed(alice, { to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [alice.address, ZERO_ADDRESS, ETH]), nonce: 2 }));
    const sealed = b.seal(1_700_000_100);
    expect(sealed.withdrawals).to.have.length(1);
    const r1 = replayCommitment(replica.state, sealed.body, { chainId: CHAIN_ID, queueEntry: (i) => replica.queue[Number(i)] });
    expect(r1.verdict).to.deep.equal({ ok: true });
    expect(replica.state.root().equals(chain.state.root())).to.equal(true);
    expect(r1.results.map((r) => (r.type === "tx" ? r.hash : ""))).to.deep.equal(sealed.results.map((r) => (r.type === "tx" ? r.hash : "")));
  });

  it("flags a commitment whose post-state root is wrong", () => {
    const chain = new CoreChain();
    chain.enqueue(QueueKind.ETH_DEPOSIT, Wallet.createRandom().address, ETH);
    const sealed = chain.drainQueue();
    const forged = Buffer.from(sealed.body);
    forged[0] ^= 1;
    const replica = new CoreChain();
    replica.queue.push(...chain.queue);
    const r = replayCommitment(replica.state, forged, { chainId: CHAIN_ID, queueEntry: (i) => replica.queue[Number(i)] });
    expect(r.verdict.ok).to.equal(false);
    expect(r.verdict.ok === false && r.verdict.kind).to.equal("wrong-post-state");
  });

  it("gives the same genesis root every time", () => {
    expect(L2State.genesis().root().equals(L2State.genesis().root())).to.equal(true);
  });
});

describe("core/state checkpoints", () => {
  it("roll back nested changes, account creation and token registration exactly", async () => {
    const { chain, alice, bob } = fundedChain();
    const root0 = chain.state.root();
    const outer = chain.state.checkpoint();
    const b = chain.builder();
    b.addTransaction(await signParsed(alice, { to: bob.address, value: 1n, nonce: 0 }));
    b.seal(1);
    const root1 = chain.state.root();
    const inner = chain.state.checkpoint();
    chain.enqueue(QueueKind.TOKEN_REGISTRATION, "0x" + "99".repeat(20), 0n, 1);
    chain.drainQueue();
    expect(chain.state.tokenCount).to.equal(2);
    chain.state.rollback(inner);
    expect(chain.state.root().equals(root1)).to.equal(true);
    expect(chain.state.tokenCount).to.equal(1);
    chain.state.rollback(outer);
    expect(chain.state.root().equals(root0)).to.equal(true);
    expect(chain.state.indexOf(bob.address.toLowerCase())).to.equal(undefined);
    expect(() => chain.state.rollback(inner)).to.throw(/not open/);
  });

  it("keeps released changes while an older checkpoint stays open", async () => {
    const { chain, alice, bob } = fundedChain();
    const root0 = chain.state.root();
    const outer = chain.state.checkpoint();
    const inner = chain.state.checkpoint();
    const b = chain.builder();
    b.addTransaction(await signParsed(alice, { to: bob.address, value: 1n, nonce: 0 }));
    b.seal(1);
    chain.state.release(outer);
    const root1 = chain.state.root();
    expect(root1.equals(root0)).to.equal(false);
    chain.state.rollback(inner);
    expect(chain.state.root().equals(root0)).to.equal(true);
  });
});
