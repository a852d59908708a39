import { expect } from "chai";
import { SigningKey, Wallet } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { l1Fixture } from "../helpers/l1Fixture";
import { CHAIN_ID } from "../helpers/fraudFixture";
import { L2State } from "../../src/core/state";
import { buildFraudWitness, onChainVerdict } from "../../src/core/fraudProof";
import { encodeCommitment, feeWidth, type Commitment } from "../../src/core/commitment";
import { writeOp, writeFeeEntry } from "../../src/core/ops";
import { ByteWriter, MAX_UINT256, MAX_UINT64 } from "../../src/core/bytes";
import { writeAmount } from "../../src/core/amount";
import { OpKind, WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "../../src/core/constants";
import { signingHash, type FeeEntry, type TxSignature } from "../../src/core/txSigning";
import { withdrawCalldata } from "../../src/core/calldata";
import { gasUsedOf } from "../../src/core/gas";
import type { SignedOp } from "../../src/core/ops";
import { keccak256 } from "../../src/core/hash";

/**
 * The verifier answers for every commitment, whatever its fields and whatever the pre-state:
 * each case here made `FraudVerifier` revert (a checked-arithmetic panic, which hid every other
 * fraud in the commitment) or accept a second encoding, before the fix. Each is run through
 * src/core and `FraudVerifier.verify` on the same pre-state, and the two verdicts must match.
 */
const alice = Wallet.createRandom();
const bob = Wallet.createRandom();
const feeSink = Wallet.createRandom();
const BASE_FEE = 10_000_000n;
const WRONG_ROOT = keccak256(Buffer.from("a root no replay gives"));
const TIMESTAMP = 1_700_000_000;

interface Pre {
  alice?: { balance?: bigint; nonce?: bigint };
  feeSink?: bigint;
  bob?: bigint;
  withdrawalCount?: bigint;
}

/** Accounts: 0 the zero address, 1 alice, 2 the fee recipient, 3 bob. */
function preState(p: Pre = {}): L2State {
  const account = (address: string, balance: bigint, nonce = 0n) => ({ address: address.toLowerCase(), nonce, balance, tokens: [] });
  return L2State.restore(
    [account(ZERO_ADDRESS, 0n), account(alice.address, p.alice?.balance ?? 10n ** 19n, p.alice?.nonce ?? 0n), account(feeSink.address, p.feeSink ?? 0n), account(bob.address, p.bob ?? 0n)],
    { accountCount: 4, tokens: [], queueIndex: 0n, withdrawalCount: p.withdrawalCount ?? 0n },
  );
}

/** An operation alice signs at `nonce`, rebuilt exactly as the verifier rebuilds it. */
function aliceSigns(fee: FeeEntry, nonce: bigint, what: { to: number; amount: bigint } | { withdraw: bigint }): SignedOp {
  const to = "withdraw" in what ? WITHDRAWAL_PREDEPLOY : [ZERO_ADDRESS, alice.address, feeSink.address, bob.address][what.to].toLowerCase();
  const value = "withdraw" in what ? 0n : what.amount;
  const data = "withdraw" in what ? withdrawCalldata(alice.address.toLowerCase(), ZERO_ADDRESS, what.withdraw) : Buffer.alloc(0);
  const sig = new SigningKey(alice.privateKey).sign(signingHash({ fee, chainId: CHAIN_ID, nonce, to, value, data }));
  const signature: TxSignature = { r: Buffer.from(sig.r.slice(2), "hex"), s: Buffer.from(sig.s.slice(2), "hex"), yParity: sig.yParity };
  if ("withdraw" in what) return { kind: OpKind.WITHDRAW_ETH, feeIndex: 0, from: 1, amount: what.withdraw, l1Recipient: alice.address.toLowerCase(), sig: signature };
  return { kind: OpKind.ETH_TRANSFER, feeIndex: 0, from: 1, to: what.to, amount: what.amount, sig: signature };
}

function commitment(op: SignedOp, fee: FeeEntry, header: Partial<Commitment> = {}): Commitment {
  return { postStateRoot: WRONG_ROOT, withdrawalRoot: null, timestamp: TIMESTAMP, baseFee: BASE_FEE, feeRecipient: 2, fees: [fee], ops: [op], ...header };
}

const eip1559 = (maxPriorityFeePerGas: bigint, maxFeePerGas: bigint, gasLimit = 100_000n): FeeEntry => ({ type: 2, maxPriorityFeePerGas, maxFeePerGas, gasLimit });
const legacy = (gasPrice: bigint, gasLimit = 100_000n): FeeEntry => ({ type: 0, gasPrice, gasLimit });
const quoted = eip1559(0n, 2n * BASE_FEE);

describe("FraudVerifier answers every commitment, as src/core does", () => {
  async function verifierFixture() {
    const f = await l1Fixture();
    return { verifier: f.verifier, bridge: f.addresses.bridge };
  }

  /** Both verdicts on `body` from `state`; the verifier must return one, not revert. */
  async function verdicts(state: L2State, body: Buffer) {
    const { verifier, bridge } = await loadFixture(verifierFixture);
    const preStateRoot = "0x" + state.root().toString("hex");
    const position = { queueLimit: state.queueIndex, lastInBatch: false };
    const { verdict, packed } = buildFraudWitness(state, body, { chainId: CHAIN_ID, queueEntry: () => undefined, position });
    const [kind, reason] = await verifier.verify(body, packed, { preStateRoot, chainId: CHAIN_ID, bridge, queueLimit: position.queueLimit, lastInBatch: false });
    return { core: onChainVerdict(verdict), chain: { kind: Number(kind), reason: Number(reason) }, details: verdict };
  }

  async function expectAgreement(state: L2State, body: Buffer, expected: { kind: number; reason?: number }) {
    const { core, chain, details } = await verdicts(state, body);
    expect(chain, "FraudVerifier").to.deep.equal(core);
    expect(core, `src/core: ${JSON.stringify(details, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`).to.deep.equal({ kind: expected.kind, reason: expected.reason ?? 0 });
  }

  const INVALID = 2;
  const MALFORMED = 1;
  const WRONG_POST_STATE = 4;
  const REASON = { insufficientFunds: 3, overflow: 9 };

  describe("fee fields at the top of uint256 (finding 1)", () => {
    it("an EIP-1559 max fee and tip of 2^250: insufficient funds, not a panic", async () => {
      const fee = eip1559(2n ** 250n, 2n ** 250n);
      await expectAgreement(preState(), encodeCommitment(commitment(aliceSigns(fee, 0n, { to: 3, amount: 1n }), fee)), { kind: INVALID, reason: REASON.insufficientFunds });
    });

    it("a legacy gas price of 2^250: insufficient funds", async () => {
      const fee = legacy(2n ** 250n);
      await expectAgreement(preState(), encodeCommitment(commitment(aliceSigns(fee, 0n, { to: 3, amount: 1n }), fee)), { kind: INVALID, reason: REASON.insufficientFunds });
    });

    it("a base fee of 2^255 with a tip of 2^255 (their sum passes 2^256): insufficient funds", async () => {
      const fee = eip1559(2n ** 255n, MAX_UINT256);
      const body = encodeCommitment(commitment(aliceSigns(fee, 0n, { to: 3, amount: 1n }), fee, { baseFee: 2n ** 255n }));
      await expectAgreement(preState(), body, { kind: INVALID, reason: REASON.insufficientFunds });
    });

    it("a gas limit of 2^256 − 1 at a price of 1: insufficient funds", async () => {
      const fee = eip1559(0n, 1n, MAX_UINT256);
      const body = encodeCommitment(commitment(aliceSigns(fee, 0n, { to: 3, amount: 1n }), fee, { baseFee: 1n }));
      await expectAgreement(preState(), body, { kind: INVALID, reason: REASON.insufficientFunds });
    });

    it("a sender who can pay a fee near 2^255: applied, and the wrong root is what is proven", async () => {
      const fee = eip1559(0n, 2n ** 230n);
      const body = encodeCommitment(commitment(aliceSigns(fee, 0n, { to: 3, amount: 1n }), fee, { baseFee: 2n ** 230n }));
      await expectAgreement(preState({ alice: { balance: 2n ** 255n } }), body, { kind: WRONG_POST_STATE });
    });
  });

  describe("credits past 2^256 − 1 on pre-states no honest chain reaches", () => {
    it("the fee recipient's balance would overflow: overflow", async () => {
      const fee = quoted;
      const body = encodeCommitment(commitment(aliceSigns(fee, 0n, { to: 3, amount: 1n }), fee));
      await expectAgreement(preState({ feeSink: MAX_UINT256 - 1000n }), body, { kind: INVALID, reason: REASON.overflow });
    });

    it("the recipient is the fee recipient and fee plus amount overflow it: overflow", async () => {
      const fee = quoted;
      const op = aliceSigns(fee, 0n, { to: 2, amount: 1n });
      // Exactly full once the fee is credited: the amount of 1 wei is what overflows.
      const full = MAX_UINT256 - gasUsedOf(op.kind, false) * BASE_FEE;
      await expectAgreement(preState({ feeSink: full }), encodeCommitment(commitment(op, fee)), { kind: INVALID, reason: REASON.overflow });
      await expectAgreement(preState({ feeSink: full - 1n }), encodeCommitment(commitment(op, fee)), { kind: WRONG_POST_STATE });
    });

    it("the sender's nonce is 2^64 − 1: overflow", async () => {
      const nonce = MAX_UINT64;
      const body = encodeCommitment(commitment(aliceSigns(quoted, nonce, { to: 3, amount: 1n }), quoted));
      await expectAgreement(preState({ alice: { nonce } }), body, { kind: INVALID, reason: REASON.overflow });
    });

    it("the withdrawal count is 2^64 − 1: overflow", async () => {
      const body = encodeCommitment(commitment(aliceSigns(quoted, 0n, { withdraw: 1n }), quoted));
      await expectAgreement(preState({ withdrawalCount: MAX_UINT64 }), body, { kind: INVALID, reason: REASON.overflow });
    });
  });

  describe("one encoding per commitment", () => {
    /** The body of `c` with the field writers the test chooses (a non-canonical spelling). */
    function spelled(c: Commitment, parts: { baseFee?: Buffer; feeRecipient?: Buffer; indexBits?: number; tokenClass?: number }): Buffer {
      const w = new ByteWriter();
      const indexBits = parts.indexBits ?? 2; // indices up to 3
      const tokenClass = parts.tokenClass ?? 0;
      w.bytes(c.postStateRoot).u8((tokenClass << 6) | (indexBits << 1)).uint(c.timestamp, 5);
      if (parts.baseFee) w.bytes(parts.baseFee);
      else writeAmount(w, c.baseFee);
      if (parts.feeRecipient) w.bytes(parts.feeRecipient);
      else w.varint(c.feeRecipient);
      w.u8(c.fees.length);
      for (const f of c.fees) writeFeeEntry(w, f);
      w.u8(c.ops.length);
      for (const op of c.ops) writeOp(w, op, { indexBits, feeBits: feeWidth(c.fees.length), tokenBits: 8 * (tokenClass + 1) });
      return w.toBuffer();
    }
    const c = () => commitment(aliceSigns(quoted, 0n, { to: 3, amount: 1n }), quoted, { postStateRoot: WRONG_ROOT });

    it("the canonical spelling is what encodeCommitment writes, and is judged on its merits", async () => {
      expect(spelled(c(), {}).equals(encodeCommitment(c()))).to.equal(true);
      await expectAgreement(preState(), spelled(c(), {}), { kind: WRONG_POST_STATE });
    });

    it("a fee recipient varint with a redundant zero group is malformed", async () => {
      await expectAgreement(preState(), spelled(c(), { feeRecipient: Buffer.of(0x82, 0x00) }), { kind: MALFORMED });
    });

    it("an index width wider than the operations need is malformed", async () => {
      await expectAgreement(preState(), spelled(c(), { indexBits: 3 }), { kind: MALFORMED });
      await expectAgreement(preState(), spelled(c(), { indexBits: 24 }), { kind: MALFORMED });
    });

    for (const [what, bytes] of [
      ["a trailing decimal zero in the mantissa (10 × 10^6)", Buffer.of((1 << 5) | 6, 10)],
      ["a leading zero byte in the mantissa", Buffer.of((2 << 5) | 7, 0, 1)],
      ["the length escape for a one-byte mantissa", Buffer.of((7 << 5) | 7, 1, 1)],
    ] as const) {
      it(`a base fee spelled with ${what} is malformed`, async () => {
        await expectAgreement(preState(), spelled(c(), { baseFee: bytes }), { kind: MALFORMED });
      });
    }

    it("a zero base fee spelled with an exponent is malformed", async () => {
      const zeroFee = commitment(aliceSigns(eip1559(0n, 0n), 0n, { to: 3, amount: 1n }), eip1559(0n, 0n), { baseFee: 0n });
      await expectAgreement(preState(), spelled(zeroFee, {}), { kind: WRONG_POST_STATE });
      await expectAgreement(preState(), spelled(zeroFee, { baseFee: Buffer.of(1) }), { kind: MALFORMED });
    });
  });
});
