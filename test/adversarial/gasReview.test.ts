import { expect } from "chai";
import { ethers } from "hardhat";
import { Interface, JsonRpcProvider, SigningKey, Wallet, parseEther } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { l1Fixture } from "../helpers/l1Fixture";
import { expectRefusedWith } from "../helpers/witnessRefusal";
import { CHAIN_ID } from "../helpers/fraudFixture";
import { postRaw, startTestNode } from "../helpers/nodeFixture";
import { L2State } from "../../src/core/state";
import { buildFraudWitness, encodeWitness, onChainVerdict, type Witness } from "../../src/core/fraudProof";
import { encodeCommitment, type Commitment } from "../../src/core/commitment";
import type { Op, SignedOp } from "../../src/core/ops";
import { OpKind, QueueKind, WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "../../src/core/constants";
import { signingHash, type FeeEntry, type TxSignature, type UnsignedTx } from "../../src/core/txSigning";
import { transferCalldata, withdrawCalldata } from "../../src/core/calldata";
import { gasUsedOn } from "../../src/core/gas";
import { intendedGas, type IntendedOp } from "../../src/core/estimate";
import { replayCommitment } from "../../src/core/replay";
import type { QueueEntry } from "../../src/core/queueOps";
import { keccak256 } from "../../src/core/hash";
import { l2TokenAddress } from "../../src/core/hashing";
import { MAX_UINT256 } from "../../src/core/bytes";
import { L1Contracts } from "../../src/node/l1/contracts";
import { BaseFeeTracker, MAX_L1_BASE_FEE } from "../../src/node/sequencer/baseFee";
import { SealWaiters } from "../../src/node/sequencer/sealWaiters";
import { Sequencer } from "../../src/node/sequencer/sequencer";
import { silentLogger } from "../../src/shared/logger";
import type { TestToken } from "../../typechain-types";

/**
 * Review of 8713969 (Ethereum's gas figures; the base fee that follows L1; receipts that wait
 * for the open block) as a malicious proposer, user or L1 RPC. The verifier cases run src/core
 * (buildFraudWitness: the challenger's verdict and witness) and FraudVerifier.verify on the same
 * fabricated pre-state: the verdicts must match and the verifier must answer, never revert, for
 * everything a proposer controls. Every test passes when the system is safe.
 */
const alice = Wallet.createRandom();
const carol = Wallet.createRandom();
const feeSink = Wallet.createRandom();
const bob = Wallet.createRandom();
const dave = Wallet.createRandom().address.toLowerCase();
const erin = Wallet.createRandom().address.toLowerCase();
const BASE_FEE = 10_000_000n;
const TIMESTAMP = 1_700_000_000;
const WRONG_ROOT = keccak256(Buffer.from("a root no replay gives"));
const KIND = { none: 0, malformed: 1, invalidOp: 2, withdrawalRoot: 3, postState: 4 };
const R = { badSignature: 1, unknownAccount: 2, insufficientFunds: 3, feeTooLow: 4, gasLimitTooLow: 5, unknownToken: 6, accountExists: 7, malformed: 8, overflow: 9 };
const G = { eth: 21_000n, holder: 34_311n, empty: 51_411n, withdrawal: 60_000n };
const MAX_INDEX = 2 ** 24 - 1;

const fee = (gasLimit: bigint, maxFeePerGas = 2n * BASE_FEE): FeeEntry => ({ type: 2, maxPriorityFeePerGas: 0n, maxFeePerGas, gasLimit });

/** Two tokens registered for real on the Bridge (ids 0 and 1), the queue position after them. */
async function gasFixture() {
  const f = await l1Fixture();
  await f.bridge.registerToken(f.token);
  const second = (await ethers.deployContract("TestToken", ["Second", "SEC", 18])) as unknown as TestToken;
  await f.bridge.registerToken(second);
  await second.mint(f.alice.address, 10n ** 24n);
  await second.connect(f.alice).approve(f.addresses.bridge, ethers.MaxUint256);
  const meta = [(await f.token.getAddress()).toLowerCase(), (await second.getAddress()).toLowerCase()];
  return { ...f, second, meta, queueLength: await f.bridge.queueLength(), bridgeAddr: await f.bridge.getAddress() };
}
type F = Awaited<ReturnType<typeof gasFixture>>;

interface Pre {
  queueIndex?: bigint;
  bobToken0?: bigint;
  carolEth?: bigint;
}

/**
 * Accounts: 0 the zero address, 1 alice (ETH, 1,000 of tokens 0 and 1), 2 the fee recipient (5 of
 * token 0), 3 bob (nothing), 4 carol (ETH, 1 of token 0, none of token 1), 5 the L1 signer
 * `f.alice` (50 of token 0, for forced withdrawals).
 */
function preState(f: F, p: Pre = {}): L2State {
  const acc = (address: string, balance: bigint, tokens: Array<[number, bigint]> = []) => ({ address: address.toLowerCase(), nonce: 0n, balance, tokens });
  return L2State.restore(
    [
      acc(ZERO_ADDRESS, 0n),
      acc(alice.address, 10n ** 19n, [[0, 1000n], [1, 1000n]]),
      acc(feeSink.address, 0n, [[0, 5n]]),
      acc(bob.address, 0n, p.bobToken0 ? [[0, p.bobToken0]] : []),
      acc(carol.address, p.carolEth ?? 10n ** 18n, [[0, 1n]]),
      acc(f.alice.address, 10n ** 18n, [[0, 50n]]),
    ],
    { accountCount: 6, tokens: f.meta, queueIndex: p.queueIndex ?? f.queueLength, withdrawalCount: 0n },
  );
}

const A = { key: alice, index: 1 };
const C = { key: carol, index: 4 };
type Who = typeof A;

function addressAt(f: F, index: number, created: string[] = []): string {
  const known = [ZERO_ADDRESS, alice.address, feeSink.address, bob.address, carol.address, f.alice.address, ...created];
  return (known[index] ?? ZERO_ADDRESS).toLowerCase();
}

function sign(key: { privateKey: string }, tx: UnsignedTx): TxSignature {
  const sig = new SigningKey(key.privateKey).sign(signingHash(tx));
  return { r: Buffer.from(sig.r.slice(2), "hex"), s: Buffer.from(sig.s.slice(2), "hex"), yParity: sig.yParity };
}

const l2Token = (f: F, tokenId: number) => (tokenId < f.meta.length ? l2TokenAddress(f.meta[tokenId]) : ZERO_ADDRESS);

/** A token transfer `from` signs at `nonce`: by index when `to` is a number, to a new address otherwise. */
function tokenOp(f: F, from: Who, nonce: bigint, tokenId: number, to: number | string, amount: bigint, fe: FeeEntry, feeIndex = 0, created: string[] = [], signer: { privateKey: string } = from.key): SignedOp {
  const recipient = typeof to === "number" ? addressAt(f, to, created) : to;
  const sig = sign(signer, { fee: fe, chainId: CHAIN_ID, nonce, to: l2Token(f, tokenId), value: 0n, data: transferCalldata(recipient, amount) });
  return typeof to === "number"
    ? { kind: OpKind.TOKEN_TRANSFER, feeIndex, from: from.index, tokenId, to, amount, sig }
    : { kind: OpKind.TOKEN_TRANSFER_NEW, feeIndex, from: from.index, tokenId, to, amount, sig };
}

function ethOp(f: F, from: Who, nonce: bigint, to: number | string, amount: bigint, fe: FeeEntry, feeIndex = 0, created: string[] = []): SignedOp {
  const recipient = typeof to === "number" ? addressAt(f, to, created) : to;
  const sig = sign(from.key, { fee: fe, chainId: CHAIN_ID, nonce, to: recipient, value: amount, data: Buffer.alloc(0) });
  return typeof to === "number"
    ? { kind: OpKind.ETH_TRANSFER, feeIndex, from: from.index, to, amount, sig }
    : { kind: OpKind.ETH_TRANSFER_NEW, feeIndex, from: from.index, to, amount, sig };
}

function withdrawOp(f: F, from: Who, nonce: bigint, tokenId: number | null, amount: bigint, fe: FeeEntry, feeIndex = 0): SignedOp {
  const l1Recipient = from.key.address.toLowerCase();
  const token = tokenId === null ? ZERO_ADDRESS : l2Token(f, tokenId);
  const sig = sign(from.key, { fee: fe, chainId: CHAIN_ID, nonce, to: WITHDRAWAL_PREDEPLOY, value: 0n, data: withdrawCalldata(l1Recipient, token, amount) });
  return tokenId === null
    ? { kind: OpKind.WITHDRAW_ETH, feeIndex, from: from.index, amount, l1Recipient, sig }
    : { kind: OpKind.WITHDRAW_TOKEN, feeIndex, from: from.index, tokenId, amount, l1Recipient, sig };
}

function commitment(ops: Op[], fees: FeeEntry[], header: Partial<Commitment> = {}): Commitment {
  return { postStateRoot: WRONG_ROOT, withdrawalRoot: null, timestamp: TIMESTAMP, baseFee: BASE_FEE, feeRecipient: 2, fees, ops, ...header };
}

type QueueFn = (i: bigint) => QueueEntry | undefined;
const noQueue: QueueFn = () => undefined;
const show = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : Buffer.isBuffer(x) ? x.toString("hex") : x));

async function verdicts(f: F, state: L2State, body: Buffer, queue: QueueFn = noQueue, queueLimit = state.queueIndex) {
  const preStateRoot = "0x" + state.root().toString("hex");
  const position = { queueLimit, lastInBatch: false };
  const { verdict, packed, witness } = buildFraudWitness(state, body, { chainId: CHAIN_ID, queueEntry: queue, position });
  const ctx = { preStateRoot, chainId: CHAIN_ID, bridge: f.bridgeAddr, queueLimit, lastInBatch: false };
  const [kind, reason] = await f.verifier.verify(body, packed, ctx);
  return { core: onChainVerdict(verdict), chain: { kind: Number(kind), reason: Number(reason) }, details: verdict, witness, ctx };
}

/** Both sides' verdicts on `body` agree, and are `expected` (op: the failing operation's index). */
async function expectAgreement(f: F, state: L2State, body: Buffer, expected: { kind: number; reason?: number; op?: number }, queue?: QueueFn, queueLimit?: bigint) {
  const r = await verdicts(f, state, body, queue, queueLimit);
  expect(r.chain, `FraudVerifier (src/core: ${show(r.details)})`).to.deep.equal(r.core);
  expect(r.core, `src/core: ${show(r.details)}`).to.deep.equal({ kind: expected.kind, reason: expected.reason ?? 0 });
  if (expected.op !== undefined && !r.details.ok && r.details.kind === "invalid-operation") expect(r.details.opIndex, show(r.details)).to.equal(expected.op);
  return r;
}

/** `c` with the post-state (and withdrawal root) an honest replay gives on a fresh `mk()`. */
function honest(mk: () => L2State, c: Commitment, queue: QueueFn = noQueue, queueLimit?: bigint): Commitment {
  const s = mk();
  const position = { queueLimit: queueLimit ?? s.queueIndex, lastInBatch: false };
  const r = replayCommitment(s, encodeCommitment(c), { chainId: CHAIN_ID, queueEntry: queue, position, checkStateRoot: false });
  expect(r.verdict.ok || r.verdict.kind === "wrong-post-state" || r.verdict.kind === "wrong-withdrawal-root", show(r.verdict)).to.equal(true);
  let withdrawalRoot: Buffer | null = null;
  if (r.withdrawals.length) {
    const again = replayCommitment(mk(), encodeCommitment({ ...c, withdrawalRoot: WRONG_ROOT }), { chainId: CHAIN_ID, queueEntry: queue, position });
    if (again.verdict.ok || again.verdict.kind !== "wrong-withdrawal-root" || !again.verdict.expected) throw new Error(`no withdrawal root: ${show(again.verdict)}`);
    withdrawalRoot = again.verdict.expected;
  }
  return { ...c, postStateRoot: s.root(), withdrawalRoot };
}

/** `c` is valid on both sides: its honest form is NONE, a wrong post-state root WRONG_POST_STATE. */
async function expectValid(f: F, mk: () => L2State, c: Commitment, queue?: QueueFn, queueLimit?: bigint) {
  const h = honest(mk, c, queue, queueLimit);
  await expectAgreement(f, mk(), encodeCommitment(h), { kind: KIND.none }, queue, queueLimit);
  await expectAgreement(f, mk(), encodeCommitment({ ...h, postStateRoot: WRONG_ROOT }), { kind: KIND.postState }, queue, queueLimit);
}

async function expectInvalid(f: F, mk: () => L2State, c: Commitment, reason: number, op = 0, queue?: QueueFn, queueLimit?: bigint) {
  return expectAgreement(f, mk(), encodeCommitment(c), { kind: KIND.invalidOp, reason, op }, queue, queueLimit);
}

/** The L1 queue as the Bridge holds it now. */
async function l1Queue(f: F): Promise<{ queue: QueueFn; limit: bigint }> {
  const entries = await new L1Contracts(ethers.provider, f.addresses).queueEntries(0, await ethers.provider.getBlockNumber());
  return { queue: (i) => entries[Number(i)], limit: BigInt(entries.length) };
}

describe("Gas review (8713969): Ethereum's figures on both sides, the L1-following base fee, the receipt wait", function () {
  this.timeout(300_000);

  describe("src/core and FraudVerifier charge the same gas on the same pre-state", () => {
    /** [what, sender, token, recipient index, amount, gasUsed]. */
    const cases: Array<[string, Who, number, number, bigint, bigint]> = [
      ["alice → bob (holds none of token 0)", A, 0, 3, 5n, G.empty],
      ["alice → carol of token 1 (carol holds only token 0)", A, 1, 4, 5n, G.empty],
      ["carol → carol, 0 of token 1 she does not hold (self-transfer)", C, 1, 4, 0n, G.empty],
      ["alice → the fee recipient (holds 5)", A, 0, 2, 5n, G.holder],
      ["alice → alice (self-transfer, holds 1,000)", A, 0, 1, 5n, G.holder],
      ["carol → carol, her whole 1 of token 0 (self-transfer to zero and back)", C, 0, 4, 1n, G.holder],
    ];
    it("token transfer alice → the zero account: charged as to one holding none, then MALFORMED on both sides (OpenZeppelin's ERC20InvalidReceiver)", async () => {
      const f = await loadFixture(gasFixture);
      const at = (gasLimit: bigint) => commitment([tokenOp(f, A, 0n, 0, 0, 5n, fee(gasLimit))], [fee(gasLimit)]);
      await expectInvalid(f, () => preState(f), at(G.empty), R.malformed);
      await expectInvalid(f, () => preState(f), at(G.empty - 1n), R.gasLimitTooLow);
    });
    for (const [name, from, tokenId, to, amount, charged] of cases) {
      it(`token transfer ${name}: gasUsed ${charged}; exactly that limit is valid, one less GAS_LIMIT_TOO_LOW, on both sides`, async () => {
        const f = await loadFixture(gasFixture);
        const at = (gasLimit: bigint) => commitment([tokenOp(f, from, 0n, tokenId, to, amount, fee(gasLimit))], [fee(gasLimit)]);
        expect(gasUsedOn(preState(f), tokenOp(f, from, 0n, tokenId, to, amount, fee(0n)))).to.equal(charged);
        await expectValid(f, () => preState(f), at(charged));
        const r = await expectInvalid(f, () => preState(f), at(charged - 1n), R.gasLimitTooLow);
        // The witness carries the recipient's balance of the token, read at the gas check.
        expect(r.witness.accounts.find((a) => a.index === to)!.tokenIds).to.include(tokenId);
      });
    }

    it("an ETH transfer (by index, to a new address, to oneself) is 21,000, a token transfer to a new address 51,411, an ETH or token withdrawal 60,000: exact limits valid, one less GAS_LIMIT_TOO_LOW, on both sides", async () => {
      const f = await loadFixture(gasFixture);
      const make: Array<[(fe: FeeEntry) => SignedOp, bigint]> = [
        [(fe) => ethOp(f, A, 0n, 3, 1n, fe), G.eth],
        [(fe) => ethOp(f, A, 0n, 1, 1n, fe), G.eth],
        [(fe) => ethOp(f, A, 0n, dave, 1n, fe), G.eth],
        [(fe) => tokenOp(f, A, 0n, 0, dave, 1n, fe), G.empty],
        [(fe) => withdrawOp(f, A, 0n, null, 1n, fe), G.withdrawal],
        [(fe) => withdrawOp(f, A, 0n, 1, 1n, fe), G.withdrawal],
      ];
      for (const [op, gas] of make) {
        expect(gasUsedOn(preState(f), op(fee(gas)))).to.equal(gas);
        await expectValid(f, () => preState(f), commitment([op(fee(gas))], [fee(gas)]));
        await expectInvalid(f, () => preState(f), commitment([op(fee(gas - 1n))], [fee(gas - 1n)]), R.gasLimitTooLow);
      }
    });

    it("a recipient index that is no account (the account count, 2^24 − 1) under a limit short for either figure is UNKNOWN_ACCOUNT, an unknown token id (the token count, 2^24 − 1) UNKNOWN_TOKEN first: the verifier answers, reading no token", async () => {
      const f = await loadFixture(gasFixture);
      for (const to of [6, MAX_INDEX]) {
        for (const gas of [G.holder - 1n, G.holder, G.empty]) {
          await expectInvalid(f, () => preState(f), commitment([tokenOp(f, A, 0n, 0, to, 5n, fee(gas))], [fee(gas)]), R.unknownAccount);
          for (const tokenId of [2, MAX_INDEX]) {
            await expectInvalid(f, () => preState(f), commitment([tokenOp(f, A, 0n, tokenId, to, 5n, fee(gas))], [fee(gas)]), R.unknownToken);
          }
        }
      }
    });

    it("failures before the gas check win over a short limit — a bad signature, a fee below the base fee, a fee recipient that is no account, a fee index past the list — and the witness leaves the recipient's token out, which the verifier then does not read", async () => {
      const f = await loadFixture(gasFixture);
      const short = fee(G.holder);
      const mk = () => preState(f);
      // Signed by carol for alice's account.
      let r = await expectInvalid(f, mk, commitment([tokenOp(f, A, 0n, 0, 3, 5n, short, 0, [], carol)], [short]), R.badSignature);
      expect(r.witness.accounts.find((a) => a.index === 3)!.tokenIds).to.deep.equal([]);
      const cheap = fee(G.holder, BASE_FEE - 1n);
      r = await expectInvalid(f, mk, commitment([tokenOp(f, A, 0n, 0, 3, 5n, cheap)], [cheap]), R.feeTooLow);
      expect(r.witness.accounts.find((a) => a.index === 3)!.tokenIds).to.deep.equal([]);
      r = await expectInvalid(f, mk, commitment([tokenOp(f, A, 0n, 0, 3, 5n, short)], [short], { feeRecipient: 6 }), R.unknownAccount);
      expect(r.witness.accounts.find((a) => a.index === 3)!.tokenIds).to.deep.equal([]);
      // A fee index past the list (a 2-bit index among 3 entries) makes the whole commitment MALFORMED.
      const fees = [short, fee(1n), fee(2n)];
      await expectAgreement(f, mk(), encodeCommitment(commitment([tokenOp(f, A, 0n, 0, 3, 5n, short, 3)], fees)), { kind: KIND.malformed });
    });

    it("failures after the gas check — ETH short of gasLimit × maxFee, token short of the amount, the recipient's token balance at 2^256 − 1, a new address that is an account — agree on both sides, the recipient's token witnessed", async () => {
      const f = await loadFixture(gasFixture);
      const exact = fee(G.empty);
      // Carol can pay 51,410 × maxFee but not 51,411 × maxFee.
      const poor = () => preState(f, { carolEth: G.empty * 2n * BASE_FEE - 1n });
      await expectInvalid(f, poor, commitment([tokenOp(f, C, 0n, 0, 3, 1n, exact)], [exact]), R.insufficientFunds);
      await expectInvalid(f, () => preState(f), commitment([tokenOp(f, A, 0n, 0, 3, 1001n, exact)], [exact]), R.insufficientFunds);
      // Bob full: to a holder, 34,311 reaches the overflow check; 34,310 stops at the gas check.
      const full = () => preState(f, { bobToken0: MAX_UINT256 });
      const holder = fee(G.holder);
      const r = await expectInvalid(f, full, commitment([tokenOp(f, A, 0n, 0, 3, 1n, holder)], [holder]), R.overflow);
      expect(r.witness.accounts.find((a) => a.index === 3)!.tokenBalances).to.deep.equal([MAX_UINT256]);
      await expectInvalid(f, full, commitment([tokenOp(f, A, 0n, 0, 3, 1n, fee(G.holder - 1n))], [fee(G.holder - 1n)]), R.gasLimitTooLow);
      // Bob's address as a "new" recipient: 51,411 reaches ACCOUNT_EXISTS, 51,410 stops at the gas check.
      await expectInvalid(f, () => preState(f), commitment([tokenOp(f, A, 0n, 0, bob.address.toLowerCase(), 1n, exact)], [exact]), R.accountExists);
      await expectInvalid(f, () => preState(f), commitment([tokenOp(f, A, 0n, 0, bob.address.toLowerCase(), 1n, fee(G.empty - 1n))], [fee(G.empty - 1n)]), R.gasLimitTooLow);
    });

    it("the figure reads the recipient's balance as the commitment left it: bob paid twice (51,411 then 34,311; the other way round the first is short), carol drained to zero by her own earlier transfer (then 51,411; 34,311 is short)", async () => {
      const f = await loadFixture(gasFixture);
      const mk = () => preState(f);
      const [e, h] = [fee(G.empty), fee(G.holder)];
      await expectValid(f, mk, commitment([tokenOp(f, A, 0n, 0, 3, 5n, e, 0), tokenOp(f, A, 1n, 0, 3, 5n, h, 1)], [e, h]));
      await expectInvalid(f, mk, commitment([tokenOp(f, A, 0n, 0, 3, 5n, h, 0), tokenOp(f, A, 1n, 0, 3, 5n, e, 1)], [h, e]), R.gasLimitTooLow, 0);
      await expectInvalid(f, mk, commitment([tokenOp(f, A, 0n, 0, 3, 5n, e, 0), tokenOp(f, A, 1n, 0, 3, 5n, fee(G.holder - 1n), 1)], [e, fee(G.holder - 1n)]), R.gasLimitTooLow, 1);
      // Carol gives her only token-0 unit to bob; a transfer to her after that is to an account holding none.
      await expectInvalid(f, mk, commitment([tokenOp(f, C, 0n, 0, 3, 1n, e, 0), tokenOp(f, A, 0n, 0, 4, 7n, h, 1)], [e, h]), R.gasLimitTooLow, 1);
      await expectValid(f, mk, commitment([tokenOp(f, C, 0n, 0, 3, 1n, e, 0), tokenOp(f, A, 0n, 0, 4, 7n, e, 0)], [e]));
      // Alice drains her own token 1 to bob, then sends herself 0 of it: a self-transfer to an empty balance.
      await expectInvalid(f, mk, commitment([tokenOp(f, A, 0n, 1, 3, 1000n, e, 0), tokenOp(f, A, 1n, 1, 1, 0n, h, 1)], [e, h]), R.gasLimitTooLow, 1);
      await expectValid(f, mk, commitment([tokenOp(f, A, 0n, 1, 3, 1000n, e, 0), tokenOp(f, A, 1n, 1, 1, 0n, e, 0)], [e]));
    });

    it("through the L1 queue: a forced withdrawal emptying the recipient earlier in the commitment makes the next transfer to it 51,411; one asking more than it holds leaves it at 34,311; a token deposit to bob makes him a holder", async () => {
      const f = await loadFixture(gasFixture);
      // Account 5 is the L1 signer, holding 50 of token 0 on L2.
      await f.bridge.connect(f.alice).forceWithdrawal(f.token, 50n);
      await f.bridge.connect(f.alice).forceWithdrawal(f.token, 51n);
      await f.bridge.connect(f.alice).depositERC20(f.token, bob.address, 3n);
      const { queue, limit } = await l1Queue(f);
      const [e, h] = [fee(G.empty), fee(G.holder)];
      const first = () => preState(f);
      await expectInvalid(f, first, commitment([{ kind: OpKind.QUEUE, credit: "existing", index: 5 }, tokenOp(f, A, 0n, 0, 5, 1n, h)], [h]), R.gasLimitTooLow, 1, queue, limit);
      await expectValid(f, first, commitment([{ kind: OpKind.QUEUE, credit: "existing", index: 5 }, tokenOp(f, A, 0n, 0, 5, 1n, e)], [e]), queue, limit);
      // The second forced withdrawal (51 > 50) is consumed without effect: account 5 still holds.
      const second = () => preState(f, { queueIndex: f.queueLength + 1n });
      await expectValid(f, second, commitment([{ kind: OpKind.QUEUE, credit: "existing", index: 5 }, tokenOp(f, A, 0n, 0, 5, 1n, h)], [h]), queue, limit);
      // The deposit to bob: a transfer to him after it is to a holder.
      const third = () => preState(f, { queueIndex: f.queueLength + 2n });
      await expectValid(f, third, commitment([{ kind: OpKind.QUEUE, credit: "existing", index: 3 }, tokenOp(f, A, 0n, 0, 3, 1n, h)], [h]), queue, limit);
      await expectInvalid(f, third, commitment([{ kind: OpKind.QUEUE, credit: "existing", index: 3 }, tokenOp(f, A, 0n, 0, 3, 1n, fee(G.holder - 1n))], [fee(G.holder - 1n)]), R.gasLimitTooLow, 1, queue, limit);
    });

    it("accounts created earlier in the commitment, then named by index: 34,311 after a token transfer or a token deposit made it, 51,411 after an ETH transfer made it (34,311 short); named before it exists, UNKNOWN_ACCOUNT", async () => {
      const f = await loadFixture(gasFixture);
      const mk = () => preState(f);
      const [e, h, eth] = [fee(G.empty), fee(G.holder), fee(G.eth)];
      const created = [dave];
      await expectValid(f, mk, commitment([tokenOp(f, A, 0n, 0, dave, 5n, e, 0), tokenOp(f, A, 1n, 0, 6, 5n, h, 1, created)], [e, h]));
      const r = await expectInvalid(f, mk, commitment([ethOp(f, A, 0n, dave, 1n, eth, 0), tokenOp(f, A, 1n, 0, 6, 5n, h, 1, created)], [eth, h]), R.gasLimitTooLow, 1);
      // The created account is witnessed empty, with the token entry the gas check read (zero, no siblings).
      const witnessed = r.witness.accounts.find((a) => a.index === 6)!;
      expect(witnessed).to.include({ empty: true });
      expect(witnessed.tokenIds).to.deep.equal([0]);
      expect(witnessed.tokenProof).to.deep.equal([]);
      await expectValid(f, mk, commitment([ethOp(f, A, 0n, dave, 1n, eth, 0), tokenOp(f, A, 1n, 0, 6, 5n, e, 1, created)], [eth, e]));
      // A transfer to index 6 before the account exists; and to index 7 when only 6 was created.
      await expectInvalid(f, mk, commitment([tokenOp(f, A, 0n, 0, 6, 5n, e, 0, created), tokenOp(f, A, 1n, 0, dave, 5n, e, 0)], [e]), R.unknownAccount, 0);
      await expectInvalid(f, mk, commitment([tokenOp(f, A, 0n, 0, dave, 5n, e, 0), tokenOp(f, A, 1n, 0, 7, 5n, e, 0, created)], [e]), R.unknownAccount, 1);
      // A token deposit to a new account through the queue, then a transfer to it by index.
      await f.bridge.connect(f.alice).depositERC20(f.token, erin, 9n);
      const { queue, limit } = await l1Queue(f);
      await expectValid(f, mk, commitment([{ kind: OpKind.QUEUE, credit: "new" }, tokenOp(f, A, 0n, 0, 6, 5n, h, 0, [erin])], [h]), queue, limit);
      await expectInvalid(f, mk, commitment([{ kind: OpKind.QUEUE, credit: "new" }, tokenOp(f, A, 0n, 0, 6, 5n, fee(G.holder - 1n), 0, [erin])], [fee(G.holder - 1n)]), R.gasLimitTooLow, 1, queue, limit);
    });

    it("a challenger's witness that leaves out the recipient's token entry reverts FraudWitnessMissingToken, one that lies about it a witness error: never a verdict against an honest proposer", async () => {
      const f = await loadFixture(gasFixture);
      const short = fee(G.empty - 1n);
      const state = preState(f);
      const body = encodeCommitment(commitment([tokenOp(f, A, 0n, 0, 3, 5n, short)], [short]));
      const r = await verdicts(f, state, body);
      expect(r.core).to.deep.equal({ kind: KIND.invalidOp, reason: R.gasLimitTooLow });
      const strip = (w: Witness, how: "drop" | "lie"): string => {
        const copy: Witness = structuredClone(w);
        const bobW = copy.accounts.find((a) => a.index === 3)!;
        if (how === "drop") Object.assign(bobW, { tokenIds: [], tokenBalances: [], tokenProof: [], tokenZeroFlags: "0x" });
        else bobW.tokenBalances = [1n];
        return encodeWitness(copy);
      };
      await expect(f.verifier.verify(body, strip(r.witness, "drop"), r.ctx)).to.be.revertedWithCustomError(f.verifier, "FraudWitnessMissingToken");
      // The lie (the recipient holds the token) passes the gas check, and the replay then needs
      // the sender's token entry, which this witness never had to carry.
      await expectRefusedWith(f.verifier.verify(body, strip(r.witness, "lie"), r.ctx), f.verifier.interface, ["FraudWitnessTokensMismatch", "FraudWitnessMissingToken"]);
      // The same lie against a valid commitment cannot make it fraudulent either.
      const ok = honest(() => preState(f), commitment([tokenOp(f, A, 0n, 0, 3, 5n, fee(G.empty))], [fee(G.empty)]));
      const okBody = encodeCommitment(ok);
      const good = await verdicts(f, preState(f), okBody);
      expect(good.core).to.deep.equal({ kind: KIND.none, reason: 0 });
      await expect(f.verifier.verify(okBody, strip(good.witness, "lie"), good.ctx)).to.be.revertedWithCustomError(f.verifier, "FraudWitnessTokensMismatch");
    });

    it("30 random commitments of token and ETH transfers among holders, non-holders, the senders themselves and accounts created on the way, and withdrawals, with limits on both sides of 34,311 and 51,411: src/core and FraudVerifier agree on every one, wrong and honest roots", async () => {
      const f = await loadFixture(gasFixture);
      let seed = 0x6a5;
      const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), (seed >>> 16) % n);
      const limits = [G.holder - 1n, G.holder, G.empty - 1n, G.empty, G.eth, G.withdrawal];
      const amounts = [0n, 1n, 5n, 1000n, 1001n];
      const seen = new Map<string, number>();
      for (let round = 0; round < 30; round++) {
        const fees: FeeEntry[] = [];
        const ops: SignedOp[] = [];
        const nonces = new Map<number, bigint>();
        const created: string[] = [];
        const n = 1 + rnd(6);
        for (let k = 0; k < n; k++) {
          const from = rnd(3) === 0 ? C : A;
          const nonce = nonces.get(from.index) ?? 0n;
          nonces.set(from.index, nonce + 1n);
          const gasLimit = limits[rnd(limits.length)];
          const fe = fee(gasLimit);
          let feeIndex = fees.findIndex((x) => x.gasLimit === gasLimit);
          if (feeIndex < 0) feeIndex = fees.push(fe) - 1;
          const tokenId = rnd(8) === 0 ? 2 : rnd(2);
          const pick = rnd(10);
          let op: SignedOp;
          if (pick < 6) {
            // By index: 0..5 exist, 6 and 7 only once created (an index past them is unknown).
            const to = rnd(8);
            op = tokenOp(f, from, nonce, tokenId, to, amounts[rnd(amounts.length)], fe, feeIndex, created);
          } else if (pick < 8) {
            const to = [dave, erin][rnd(2)];
            op = rnd(2) === 0 ? tokenOp(f, from, nonce, tokenId, to, amounts[rnd(3)], fe, feeIndex) : ethOp(f, from, nonce, to, 1n, fe, feeIndex);
            if (!created.includes(to)) created.push(to);
          } else if (pick < 9) {
            op = ethOp(f, from, nonce, rnd(8), 1n, fe, feeIndex, created);
          } else {
            op = withdrawOp(f, from, nonce, rnd(2) === 0 ? null : tokenId, 1n, fe, feeIndex);
          }
          ops.push(op);
        }
        const c = commitment(ops, fees);
        const bodies = [encodeCommitment(c)];
        const probe = replayCommitment(preState(f), bodies[0], { chainId: CHAIN_ID, queueEntry: noQueue, position: { queueLimit: f.queueLength, lastInBatch: false } });
        if (!probe.verdict.ok && (probe.verdict.kind === "wrong-post-state" || probe.verdict.kind === "wrong-withdrawal-root")) bodies.push(encodeCommitment(honest(() => preState(f), c)));
        for (const body of bodies) {
          const r = await verdicts(f, preState(f), body);
          expect(r.chain, `round ${round}: ${show(r.details)}`).to.deep.equal(r.core);
          const key = r.details.ok ? "none" : r.details.kind === "invalid-operation" ? r.details.reason : r.details.kind;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }
      }
      // Honest commitments and short gas limits were both exercised, among other outcomes.
      expect(seen.get("none") ?? 0, show([...seen])).to.be.at.least(3);
      expect(seen.get("gas-limit-too-low") ?? 0, show([...seen])).to.be.at.least(3);
      expect(seen.size, show([...seen])).to.be.at.least(5);
    });
  });

  describe("eth_estimateGas is the gas the operation then uses", () => {
    it("on src/core's state, the estimate of every intent equals what execution charges: to a holder, to one holding none, to oneself with and without the token, to the zero account, to the fee recipient, to a new address, and withdrawals", async () => {
      const f = await loadFixture(gasFixture);
      const s = preState(f);
      const lower = (a: string) => a.toLowerCase();
      const cases: Array<[IntendedOp, SignedOp]> = [
        [{ kind: "eth-transfer", to: lower(bob.address) }, ethOp(f, A, 0n, 3, 1n, fee(G.eth))],
        [{ kind: "eth-transfer", to: lower(alice.address) }, ethOp(f, A, 0n, 1, 1n, fee(G.eth))],
        [{ kind: "eth-transfer", to: dave }, ethOp(f, A, 0n, dave, 1n, fee(G.eth))],
        [{ kind: "token-transfer", tokenId: 0, to: lower(feeSink.address) }, tokenOp(f, A, 0n, 0, 2, 1n, fee(G.empty))],
        [{ kind: "token-transfer", tokenId: 0, to: lower(bob.address) }, tokenOp(f, A, 0n, 0, 3, 1n, fee(G.empty))],
        [{ kind: "token-transfer", tokenId: 0, to: lower(alice.address) }, tokenOp(f, A, 0n, 0, 1, 1n, fee(G.empty))],
        [{ kind: "token-transfer", tokenId: 1, to: lower(carol.address) }, tokenOp(f, C, 0n, 1, 4, 0n, fee(G.empty))],
        [{ kind: "token-transfer", tokenId: 0, to: lower(carol.address) }, tokenOp(f, C, 0n, 0, 4, 1n, fee(G.empty))],
        [{ kind: "token-transfer", tokenId: 0, to: ZERO_ADDRESS }, tokenOp(f, A, 0n, 0, 0, 1n, fee(G.empty))],
        [{ kind: "token-transfer", tokenId: 0, to: dave }, tokenOp(f, A, 0n, 0, dave, 1n, fee(G.empty))],
        [{ kind: "withdrawal", tokenId: null }, withdrawOp(f, A, 0n, null, 1n, fee(G.withdrawal))],
        [{ kind: "withdrawal", tokenId: 1 }, withdrawOp(f, A, 0n, 1, 1n, fee(G.withdrawal))],
      ];
      for (const [intent, op] of cases) expect(intendedGas(s, intent), show(intent)).to.equal(gasUsedOn(s, op));
      expect(cases.map(([i]) => intendedGas(s, i))).to.deep.equal([G.eth, G.eth, G.eth, G.holder, G.empty, G.holder, G.empty, G.holder, G.empty, G.empty, G.withdrawal, G.withdrawal]);
    });
  });

  describe("on a running sequencer: estimates, receipts and the wait", () => {
    const ierc20 = new Interface(["function transfer(address to, uint256 amount)", "function balanceOf(address) view returns (uint256)"]);
    const withdraw = new Interface(["function withdraw(address l1Recipient, address token, uint256 amount)"]);

    it("a transaction sent with exactly eth_estimateGas's answer is included and uses exactly it (ETH, token to a holder, to a fresh address, to oneself, a withdrawal); a recipient emptied between estimate and send makes the send refused at intake, and the next estimate says 51,411", async () => {
      const t = await startTestNode(2, { blockTimeMs: 100 });
      try {
        const provider = new JsonRpcProvider(t.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
        const [w0, w1] = t.wallets.map((w) => new Wallet(w.privateKey, provider));
        const token = l2TokenAddress((await t.token.getAddress()).toLowerCase());
        const fresh = Wallet.createRandom().address;
        const requests = [
          { to: fresh, value: 1n },
          { to: token, data: ierc20.encodeFunctionData("transfer", [w1.address, 7n]) },
          { to: token, data: ierc20.encodeFunctionData("transfer", [Wallet.createRandom().address, 7n]) },
          { to: token, data: ierc20.encodeFunctionData("transfer", [w0.address, 7n]) },
          { to: WITHDRAWAL_PREDEPLOY, data: withdraw.encodeFunctionData("withdraw", [w0.address, ZERO_ADDRESS, 1n]) },
        ];
        const used: bigint[] = [];
        for (const req of requests) {
          const gasLimit = await provider.estimateGas({ from: w0.address, ...req });
          const receipt = await (await w0.sendTransaction({ ...req, gasLimit })).wait();
          expect(receipt?.status).to.equal(1);
          expect(receipt?.gasUsed, show(req)).to.equal(gasLimit);
          used.push(receipt!.gasUsed);
        }
        expect(used).to.deep.equal([G.eth, G.holder, G.empty, G.holder, G.withdrawal]);
        // Quoted 34,311 to w1; w1 then sends its whole balance away; the quoted limit is now short.
        const toW1 = { to: token, data: ierc20.encodeFunctionData("transfer", [w1.address, 1n]) };
        expect(await provider.estimateGas({ from: w0.address, ...toW1 })).to.equal(G.holder);
        const all = BigInt(await provider.call({ to: token, data: ierc20.encodeFunctionData("balanceOf", [w1.address]) }));
        await (await w1.sendTransaction({ to: token, data: ierc20.encodeFunctionData("transfer", [fresh, all]) })).wait();
        let refusal = "";
        try {
          await w0.sendTransaction({ ...toW1, gasLimit: G.holder });
        } catch (e) {
          refusal = (e as Error).message;
        }
        expect(refusal).to.match(/gas limit/i);
        expect(await provider.estimateGas({ from: w0.address, ...toW1 })).to.equal(G.empty);
        provider.destroy();
      } finally {
        await t.stop();
      }
    });

    it("1,000 receipt requests in one batch and 24 more on their own, for a transaction in the open block, all get the receipt once the block is sealed (within a block time and a bit); past 32 connections a client is refused 429 at once, not held; a hash that is not pending is null at once", async () => {
      const t = await startTestNode(1, { blockTimeMs: 300 });
      try {
        const provider = new JsonRpcProvider(t.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
        const wallet = new Wallet(t.wallets[0].privateKey, provider);
        const receiptOf = (hash: string) => postRaw(t.url, JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getTransactionReceipt", params: [hash] }));
        const hashOf = (a: { json: unknown }) => (a.json as { result?: { transactionHash: string } | null }).result?.transactionHash;
        let tx = await wallet.sendTransaction({ to: Wallet.createRandom().address, value: 1n, gasLimit: 21_000n });
        let started = performance.now();
        const batch = Array.from({ length: 1000 }, (_, id) => ({ jsonrpc: "2.0", id, method: "eth_getTransactionReceipt", params: [tx.hash] }));
        const [answers, ...alone] = await Promise.all([postRaw(t.url, JSON.stringify(batch)), ...Array.from({ length: 24 }, () => receiptOf(tx.hash))]);
        let elapsed = performance.now() - started;
        expect(Array.isArray(answers.json), show(answers)).to.equal(true);
        const results = (answers.json as Array<{ result: { transactionHash: string } | null }>).map((a) => a.result?.transactionHash);
        expect(results.filter((h) => h === tx.hash).length).to.equal(1000);
        expect(alone.map(hashOf)).to.deep.equal(Array(24).fill(tx.hash));
        expect(elapsed, `${elapsed.toFixed(0)} ms`).to.be.below(1_500);
        // 100 connections at once from one client: the 32-connection quota answers the rest 429 without waiting.
        tx = await wallet.sendTransaction({ to: Wallet.createRandom().address, value: 1n, gasLimit: 21_000n, nonce: 1 });
        started = performance.now();
        const many = await Promise.all(Array.from({ length: 100 }, () => receiptOf(tx.hash)));
        elapsed = performance.now() - started;
        const found = many.filter((a) => hashOf(a) === tx.hash).length;
        const refused = many.filter((a) => a.status === 429).length;
        expect(found + refused, show(many.find((a) => hashOf(a) !== tx.hash && a.status !== 429))).to.equal(100);
        expect(found).to.be.at.least(1);
        expect(elapsed, `${elapsed.toFixed(0)} ms`).to.be.below(1_500);
        // The flood's connections may still be closing: its quota frees within moments.
        let unknown = await receiptOf("0x" + "cd".repeat(32));
        for (let i = 0; unknown.status === 429 && i < 40; i++) {
          await new Promise((r) => setTimeout(r, 50));
          unknown = await receiptOf("0x" + "cd".repeat(32));
        }
        const t0 = performance.now();
        unknown = await receiptOf("0x" + "cd".repeat(32));
        expect(unknown.json).to.deep.include({ result: null });
        expect(performance.now() - t0).to.be.below(250);
        provider.destroy();
      } finally {
        await t.stop();
      }
    });

    it("a node with blockTimeMs 0 answers each receipt at the first look, without waiting out the 100 ms bound", async () => {
      const t = await startTestNode(1, { blockTimeMs: 0 });
      try {
        const provider = new JsonRpcProvider(t.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
        const wallet = new Wallet(t.wallets[0].privateKey, provider);
        let nonce = await provider.getTransactionCount(wallet.address, "pending");
        let slowest = 0;
        for (let i = 0; i < 20; i++) {
          const tx = await wallet.sendTransaction({ to: Wallet.createRandom().address, value: 1n, gasLimit: 21_000n, nonce: nonce++ });
          const started = performance.now();
          const receipt = await provider.send("eth_getTransactionReceipt", [tx.hash]);
          slowest = Math.max(slowest, performance.now() - started);
          expect(receipt?.transactionHash).to.equal(tx.hash);
        }
        expect(slowest, `${slowest.toFixed(0)} ms`).to.be.below(100);
        provider.destroy();
      } finally {
        await t.stop();
      }
    });

    it("SealWaiters: 40,000 waiters that all time out (no block sealed) are let go in linear time, and 100,000 released by a seal likewise", async () => {
      const w = new SealWaiters();
      const waits = Array.from({ length: 40_000 }, () => w.wait(20));
      const t0 = performance.now();
      await Promise.all(waits);
      const timedOut = performance.now() - t0;
      // Quadratic (an array searched per waiter) took ~3 s here.
      expect(timedOut, `${timedOut.toFixed(0)} ms`).to.be.below(1_000);
      const more = Array.from({ length: 100_000 }, () => w.wait(60_000));
      const t1 = performance.now();
      w.release();
      await Promise.all(more);
      expect(performance.now() - t1).to.be.below(1_000);
      // Released waiters left nothing behind: a later release has nothing to do.
      w.release();
    });
  });

  describe("the base fee policy against a hostile or broken L1 RPC", () => {
    const MIN = 10_000_000n;
    const GWEI = 10n ** 9n;

    it("a negative L1 base fee (ethers reads \"-0x1\" as −1) leaves the quote at the floor, never below it", () => {
      const t = new BaseFeeTracker({ minBaseFee: MIN, l1GasPerByte: 40n });
      for (const l1 of [-1n, -(10n ** 18n), -(2n ** 300n)]) expect(t.update(l1), `${l1}`).to.equal(MIN);
      t.recordBlock(70, 21_000n, MIN);
      expect(t.update(-(10n ** 30n))).to.equal(MIN);
    });

    it("a sequencer whose L1 RPC once reports a negative base fee charges the floor and keeps sealing; no sender is paid to transact", async () => {
      let l1 = -(10n ** 18n);
      const seq = new Sequencer({ chainId: CHAIN_ID, fees: { minBaseFee: MIN, l1GasPerByte: 40n }, l1BaseFee: () => l1, feeRecipient: ZERO_ADDRESS, logger: silentLogger, now: () => TIMESTAMP });
      const user = Wallet.createRandom();
      seq.addQueueEntries([{ index: 0n, kind: QueueKind.ETH_DEPOSIT, account: user.address.toLowerCase(), tokenId: 0, amount: parseEther("1") }]);
      expect(seq.sealBlock(), "the deposit's block seals").to.not.equal(null);
      expect(seq.baseFee).to.equal(MIN);
      const signed = await user.signTransaction({ type: 2, chainId: CHAIN_ID, nonce: 0, to: dave, value: 1n, gasLimit: G.eth, maxFeePerGas: 2n * MIN, maxPriorityFeePerGas: 0n });
      seq.sendRawTransaction(signed);
      expect(seq.sealBlock(), "the transfer's block seals").to.not.equal(null);
      expect(seq.state.accountOf(user.address.toLowerCase())!.balance).to.equal(parseEther("1") - 1n - G.eth * MIN);
      // L1 sane again: the quote follows it up.
      l1 = 10n * GWEI;
      expect(seq.baseFee > MIN).to.equal(true);
    });

    it("an L1 base fee of 2^256 or of 100,000 hex digits: the quote is computed in milliseconds, rises by at most an eighth a sealed block, stays a uint256, and falls back at once when L1 does", () => {
      for (const huge of [2n ** 256n, BigInt("0x" + "f".repeat(100_000))]) {
        const t = new BaseFeeTracker({ minBaseFee: MIN, l1GasPerByte: 40n });
        t.recordBlock(70, 21_000n, MIN);
        const t0 = performance.now();
        let last = MIN;
        for (let block = 0; block < 50; block++) {
          const q = t.update(huge);
          // Asked again and again within a block (every eth_gasPrice, eth_call, estimate): no compounding.
          for (let k = 0; k < 20; k++) expect(t.update(huge)).to.equal(q);
          expect(q * 8n <= last * 9n, `${last} → ${q}`).to.equal(true);
          expect(q <= MAX_UINT256).to.equal(true);
          last = q;
          t.recordBlock(70, 21_000n, q);
        }
        expect(performance.now() - t0, "50 blocks × 21 quotes").to.be.below(500);
        // The clamp: never more than what MAX_L1_BASE_FEE makes it.
        const capped = new BaseFeeTracker({ minBaseFee: MIN, l1GasPerByte: 40n });
        capped.recordBlock(70, 21_000n, 0n);
        expect(capped.update(huge)).to.equal(capped.update(MAX_L1_BASE_FEE));
        // L1 calm again: the quote follows it down at once, not stuck high.
        expect(t.update(10n * GWEI)).to.equal(1_400_000_000n);
      }
    });

    it("blocks without transactions (queue only) from the very first never divide by zero; l1GasPerByte 0 keeps the floor whatever L1 says", () => {
      const t = new BaseFeeTracker({ minBaseFee: MIN, l1GasPerByte: 40n, window: 2 });
      t.recordBlock(500, 0n, MIN);
      t.recordBlock(500, 0n, MIN);
      expect(t.update(GWEI) >= MIN).to.equal(true);
      const fixed = new BaseFeeTracker({ minBaseFee: MIN, l1GasPerByte: 0n });
      for (const l1 of [-1n, 0n, GWEI, 2n ** 256n]) expect(fixed.update(l1)).to.equal(MIN);
    });

    it("a wallet signing twice the latest block's base fee stays valid through five blocks of maximal rises from any floor of 8 wei or more; below 8 wei a rise is +1 wei (1 → 2 → 3), so twice the latest covers one block", () => {
      for (const floor of [8n, 9n, 10n, 99n, 123n, MIN, 123_456_789n]) {
        const t = new BaseFeeTracker({ minBaseFee: floor, l1GasPerByte: 40n });
        t.recordBlock(70, 21_000n, floor);
        const signedAt = t.update(10n ** 15n);
        t.recordBlock(70, 21_000n, signedAt);
        for (let block = 0; block < 5; block++) {
          const q = t.update(10n ** 15n);
          expect(q <= 2n * signedAt, `floor ${floor}, block ${block}: ${q} > 2 × ${signedAt}`).to.equal(true);
          t.recordBlock(70, 21_000n, q);
        }
      }
      const tiny = new BaseFeeTracker({ minBaseFee: 1n, l1GasPerByte: 40n });
      tiny.recordBlock(70, 21_000n, 1n);
      const quotes: bigint[] = [];
      for (let block = 0; block < 3; block++) {
        quotes.push(tiny.update(10n ** 15n));
        tiny.recordBlock(70, 21_000n, quotes[block]);
      }
      expect(quotes).to.deep.equal([2n, 3n, 4n]);
    });
  });
});
