/**
 * The pure pieces of the experimental EVM mode (docs/design/evm.md, *Tracer bullet*): the contract
 * leaf and its rollback, the EVM block encoding beside the commitment decoder, the contract
 * transaction parser's refusals, and the engine on an L2State — a deployment and calls that a
 * second state, replaying the same blocks, ends at the same roots with.
 */
import { expect } from "chai";
import { artifacts } from "hardhat";
import { Interface, Wallet, type TransactionRequest } from "ethers";
import { L2State } from "../../../src/core/state";
import { OpKind, WITHDRAWAL_PREDEPLOY } from "../../../src/core/constants";
import { isContractTransaction, refusePackedOnContracts } from "../../../src/core/evm/routing";
import { decodeCommitment } from "../../../src/core/commitment";
import { DecodeError, InvalidOperationError } from "../../../src/core/errors";
import { EVM_BLOCK_MARKER, encodeEvmBlock, evmBlockOf } from "../../../src/core/evm/evmBlock";
import { MAX_EVM_TX_GAS, MAX_INIT_CODE_BYTES, parseEvmTransaction } from "../../../src/core/evm/evmTransaction";
import { executeEvmTransaction, estimateEvmGas, simulateEvmCall, type EvmBlockContext } from "../../../src/core/evm/engine";
import { EMPTY_STORAGE_ROOT, storageRootOf } from "../../../src/core/evm/contractStore";
import { replayBody, replayEvmBlock } from "../../../src/core/evm/replayEvm";

const CHAIN_ID = 1_637_401n;
const BASE_FEE = 10_000_000n;
const key = new Wallet("0x" + "11".repeat(32));
const other = new Wallet("0x" + "22".repeat(32));

function fundedState(): L2State {
  const s = L2State.genesis();
  for (const w of [key, other]) s.setBalance(s.createAccount(w.address.toLowerCase()), 10n ** 20n);
  return s;
}

const ctx = (number: number): EvmBlockContext => ({ chainId: CHAIN_ID, number, timestamp: 1_800_000_000 + number, baseFee: BASE_FEE, feeRecipient: 0 });

async function sign(w: Wallet, nonce: number, req: TransactionRequest): Promise<Buffer> {
  const raw = await w.signTransaction({ type: 2, chainId: CHAIN_ID, nonce, maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 1n, gasLimit: 1_000_000n, value: 0n, ...req });
  return Buffer.from(raw.slice(2), "hex");
}

describe("experimental EVM: the core pieces", () => {
  let counterCode: string;
  let counter: Interface;
  before(async () => {
    const a = await artifacts.readArtifact("Counter");
    counterCode = a.bytecode;
    counter = new Interface(a.abi);
  });

  describe("state", () => {
    it("keeps today's leaf, and root, for an account without code or storage", () => {
      const a = fundedState();
      const b = fundedState();
      b.setCode(1, Buffer.from("6000", "hex"));
      expect(b.root()).to.not.deep.equal(a.root());
      b.setCode(1, Buffer.alloc(0));
      expect(b.root()).to.deep.equal(a.root());
    });

    it("commits to each storage slot, and a rollback restores code, storage and root", () => {
      const s = fundedState();
      const before = s.root();
      const cp = s.checkpoint();
      s.setCode(2, Buffer.from("600160005500", "hex"));
      s.setStorage(2, 7n, 9n);
      const withSlot = s.root();
      s.setStorage(2, 7n, 10n);
      expect(s.root()).to.not.deep.equal(withSlot);
      s.rollback(cp);
      expect(s.root()).to.deep.equal(before);
      expect(s.contractState.code(2).length).to.equal(0);
      expect(s.contractState.storage(2, 7n)).to.equal(0n);
    });

    it("has the empty storage root for no slots, and another for one", () => {
      expect(storageRootOf(new Map())).to.deep.equal(EMPTY_STORAGE_ROOT);
      expect(storageRootOf(new Map([[1n, 1n]]))).to.not.deep.equal(EMPTY_STORAGE_ROOT);
      expect(storageRootOf(new Map([[1n, 0n]]))).to.deep.equal(EMPTY_STORAGE_ROOT);
    });
  });

  describe("EVM block encoding", () => {
    const block = { postStateRoot: Buffer.alloc(32, 7), timestamp: 1_800_000_000, baseFee: BASE_FEE, feeRecipient: 300, number: 42, rawTx: Buffer.from("02c0ffee", "hex") };

    it("round-trips, and is MALFORMED to the commitment decoder (and so to FraudVerifier)", () => {
      const body = encodeEvmBlock(block);
      expect(evmBlockOf(body)).to.deep.equal(block);
      expect(() => decodeCommitment(body)).to.throw(DecodeError, /239 fee entries/);
    });

    it("is never read into a commitment, an empty run, or a body with flags", () => {
      const body = encodeEvmBlock(block);
      expect(evmBlockOf(Buffer.alloc(7, 1))).to.equal(null);
      const flagged = Buffer.from(body);
      flagged[32] = 1; // a withdrawal root would follow
      expect(evmBlockOf(flagged)).to.equal(null);
      const notMarked = Buffer.from(body);
      notMarked[body.indexOf(EVM_BLOCK_MARKER, 38)] = 0;
      expect(evmBlockOf(notMarked)).to.equal(null);
    });

    it("refuses a marked body without its block number or transaction", () => {
      const body = encodeEvmBlock(block);
      const headerEnd = body.length - block.rawTx.length;
      expect(() => evmBlockOf(body.subarray(0, headerEnd))).to.throw(DecodeError, /without a transaction/);
      expect(() => evmBlockOf(body.subarray(0, headerEnd - 3))).to.throw(DecodeError, /block number/);
    });
  });

  describe("contract transactions at intake", () => {
    const refused = (raw: Buffer, reason: string, pattern: RegExp) => {
      try {
        parseEvmTransaction(raw, CHAIN_ID);
      } catch (e) {
        expect(e).to.be.instanceOf(InvalidOperationError);
        expect((e as InvalidOperationError).reason).to.equal(reason);
        expect((e as Error).message).to.match(pattern);
        return;
      }
      expect.fail("accepted");
    };

    it("accepts a creation and a call, with their sender", async () => {
      const created = parseEvmTransaction(await sign(key, 0, { data: counterCode }), CHAIN_ID);
      expect(created.from).to.equal(key.address.toLowerCase());
      expect(created.fields.to).to.equal(null);
      const call = parseEvmTransaction(await sign(key, 1, { to: other.address, data: "0x1234" }), CHAIN_ID);
      expect(call.fields.to).to.equal(other.address.toLowerCase());
    });

    it("refuses garbage, other types, access lists, another chain, big init code and gas over the cap", async () => {
      refused(Buffer.from("02deadbeef", "hex"), "malformed", /cannot decode/);
      refused(Buffer.from("01c0", "hex"), "unsupported", /type 1/);
      refused(await sign(key, 0, { to: other.address, accessList: [{ address: other.address, storageKeys: [] }] }), "unsupported", /access lists/);
      refused(await sign(key, 0, { to: other.address, chainId: 1n }), "malformed", /cannot decode/);
      refused(await sign(key, 0, { data: "0x" + "00".repeat(MAX_INIT_CODE_BYTES + 1) }), "malformed", /EIP-3860/);
      refused(await sign(key, 0, { to: other.address, gasLimit: MAX_EVM_TX_GAS + 1n }), "gas-limit-too-high", /cap/);
      refused(Buffer.alloc(70_000, 2), "malformed", /over/);
    });
  });

  describe("routing", () => {
    it("sends creations, calls with data and anything to a contract to the engine; ETH transfers, token calls and withdrawals to the packed path", async () => {
      const s = fundedState();
      const token = s.registerToken("0x" + "ab".repeat(20));
      const contract = s.createAccount("0x" + "cd".repeat(20));
      s.setCode(contract, Buffer.from("00", "hex"));
      const route = async (req: TransactionRequest) => isContractTransaction(s, await sign(key, 0, req), CHAIN_ID);
      expect(await route({ data: counterCode })).to.equal(true);
      expect(await route({ to: other.address, data: "0x12" })).to.equal(true);
      expect(await route({ to: "0x" + "cd".repeat(20), value: 1n })).to.equal(true);
      expect(await route({ to: other.address, value: 1n })).to.equal(false);
      expect(await route({ to: token.l2Address, data: "0xa9059cbb" })).to.equal(false);
      expect(await route({ to: WITHDRAWAL_PREDEPLOY, data: "0x12" })).to.equal(false);
      expect(isContractTransaction(s, Buffer.from("02c0", "hex"), CHAIN_ID), "bytes that do not decode: the packed intake explains").to.equal(false);
    });

    it("refuses a packed operation that names a contract", () => {
      const s = fundedState();
      const contract = s.createAccount("0x" + "cd".repeat(20));
      s.setStorage(contract, 0n, 1n);
      const op = { kind: OpKind.TOKEN_TRANSFER, feeIndex: 0, from: 1, to: contract, tokenId: 0, amount: 1n, sig: { r: Buffer.alloc(32), s: Buffer.alloc(32), yParity: 0 } } as const;
      expect(() => refusePackedOnContracts(s, op)).to.throw(InvalidOperationError, /is a contract/);
      expect(() => refusePackedOnContracts(s, { ...op, to: 2 })).to.not.throw();
    });
  });

  describe("the engine on an L2State", () => {
    it("deploys, calls, estimates and reads; a second state replaying the blocks agrees on every root", async function () {
      this.timeout(30_000);
      const s = fundedState();
      const replica = fundedState();
      const raws = [await sign(key, 0, { data: counterCode }), await sign(key, 1, { data: counter.encodeFunctionData("increment") }), await sign(other, 0, { data: counter.encodeFunctionData("add", [5n]), value: 3n })];
      const deployed = await executeEvmTransaction(s, parseEvmTransaction(raws[0], CHAIN_ID), ctx(1));
      expect(deployed.status).to.equal(1);
      const address = deployed.contractAddress!;
      const roots: Buffer[] = [s.root()];
      const bodies = [encodeEvmBlock({ postStateRoot: roots[0], timestamp: ctx(1).timestamp, baseFee: BASE_FEE, feeRecipient: 0, number: 1, rawTx: raws[0] })];
      for (const [i, raw] of raws.slice(1).entries()) {
        // Re-signed with the contract as recipient (the address is known only now).
        const w = i === 0 ? key : other;
        const tx = parseEvmTransaction(await sign(w, i === 0 ? 1 : 0, { to: address, data: "0x" + parseEvmTransaction(raw, CHAIN_ID).fields.data.toString("hex"), value: i === 0 ? 0n : 3n }), CHAIN_ID);
        const r = await executeEvmTransaction(s, tx, ctx(i + 2));
        expect(r.status).to.equal(1);
        expect(r.logs).to.have.length(1);
        roots.push(s.root());
        bodies.push(encodeEvmBlock({ postStateRoot: roots[i + 1], timestamp: ctx(i + 2).timestamp, baseFee: BASE_FEE, feeRecipient: 0, number: i + 2, rawTx: tx.raw }));
      }
      const index = s.indexOf(address)!;
      expect(s.contractState.storage(index, 0n)).to.equal(6n);
      expect(s.account(index).balance).to.equal(3n);
      expect(s.account(index).nonce).to.equal(1n);

      for (const [i, body] of bodies.entries()) {
        const r = await replayEvmBlock(replica, evmBlockOf(body)!, { chainId: CHAIN_ID, expectedNumber: i + 1 });
        expect(r.verdict, `block ${i + 1}`).to.deep.equal({ ok: true });
        expect(replica.root()).to.deep.equal(roots[i]);
      }

      const view = await simulateEvmCall(s, { to: address, data: Buffer.from(counter.encodeFunctionData("count").slice(2), "hex"), value: 0n }, ctx(9));
      expect(view.success).to.equal(true);
      expect(BigInt("0x" + view.returnData.toString("hex"))).to.equal(6n);
      const rootBefore = s.root();
      const reverting = await simulateEvmCall(s, { from: key.address, to: address, data: Buffer.from(counter.encodeFunctionData("add", [0n]).slice(2), "hex"), value: 0n }, ctx(9));
      expect(reverting.success).to.equal(false);
      expect(reverting.returnData.toString("hex")).to.equal(counter.getError("CounterZeroIncrement")!.selector.slice(2));
      const estimate = await estimateEvmGas(s, { from: key.address, to: address, data: Buffer.from(counter.encodeFunctionData("increment").slice(2), "hex"), value: 0n }, ctx(9));
      expect(estimate.success).to.equal(true);
      expect(estimate.gasUsed > 21_000n).to.equal(true);
      expect(s.root(), "calls change nothing").to.deep.equal(rootBefore);
    });

    it("judges a posted EVM block as a replica and the challenger do: a wrong root, a wrong number, an invalid transaction, a malformed body", async () => {
      const s = fundedState();
      const raw = await sign(key, 0, { data: counterCode });
      const honest = fundedState();
      await executeEvmTransaction(honest, parseEvmTransaction(raw, CHAIN_ID), ctx(1));
      const block = { postStateRoot: honest.root(), timestamp: ctx(1).timestamp, baseFee: BASE_FEE, feeRecipient: 0, number: 1, rawTx: raw };
      const queueEntry = () => undefined;
      const judge = async (b: typeof block, expectedNumber?: number) => {
        const cp = s.checkpoint();
        const r = await replayBody(s, encodeEvmBlock(b), { chainId: CHAIN_ID, queueEntry, expectedNumber });
        s.rollback(cp);
        return r.verdict;
      };
      expect(await judge(block, 1)).to.deep.equal({ ok: true });
      expect(await judge({ ...block, postStateRoot: Buffer.alloc(32, 1) })).to.include({ ok: false, kind: "wrong-post-state" });
      expect(await judge(block, 2)).to.include({ ok: false, kind: "malformed" });
      expect(await judge({ ...block, rawTx: await sign(key, 3, { data: counterCode }) })).to.include({ ok: false, kind: "invalid-operation", reason: "nonce-too-high" });
      expect(await judge({ ...block, rawTx: Buffer.from("02c0ffee", "hex") })).to.include({ ok: false, kind: "invalid-operation", reason: "malformed" });
      expect(await judge({ ...block, feeRecipient: 99 })).to.include({ ok: false, kind: "malformed" });
      const truncated = encodeEvmBlock(block).subarray(0, 32 + 1 + 5 + 4 + 1 + 1 + 2);
      expect((await replayBody(s, truncated, { chainId: CHAIN_ID, queueEntry })).verdict).to.include({ ok: false, kind: "malformed" });
      expect(s.root(), "nothing judged changed the state").to.deep.equal(fundedState().root());
    });

    it("reverts a contract's call to a bridged token or the withdrawal predeploy (no native code in the engine yet)", async () => {
      const s = fundedState();
      const token = s.registerToken("0x" + "ab".repeat(20));
      for (const to of [WITHDRAWAL_PREDEPLOY, token.l2Address]) {
        const r = await simulateEvmCall(s, { from: key.address, to, data: Buffer.from("a9059cbb", "hex"), value: 1n }, ctx(1));
        expect(r, to).to.include({ success: false, error: "revert" });
      }
    });

    it("refuses an invalid transaction with the state untouched, and includes a reverting one", async () => {
      const s = fundedState();
      const before = s.root();
      for (const [raw, reason] of [
        [await sign(key, 1, { data: counterCode }), "nonce-too-high"],
        [await sign(key, 0, { data: counterCode, maxFeePerGas: BASE_FEE - 1n, maxPriorityFeePerGas: 0n }), "fee-too-low"],
        [await sign(key, 0, { data: counterCode, gasLimit: 21_000n }), "gas-limit-too-low"],
        [await sign(key, 0, { data: counterCode, value: 10n ** 21n }), "insufficient-funds"],
      ] as const) {
        try {
          await executeEvmTransaction(s, parseEvmTransaction(raw, CHAIN_ID), ctx(1));
          expect.fail(`accepted (${reason})`);
        } catch (e) {
          expect((e as InvalidOperationError).reason).to.equal(reason);
        }
        expect(s.root()).to.deep.equal(before);
      }
      // Init code that reverts: included, status 0, the gas paid, the nonce used.
      const r = await executeEvmTransaction(s, parseEvmTransaction(await sign(key, 0, { data: "0x60006000fd" }), CHAIN_ID), ctx(1));
      expect(r.status).to.equal(0);
      expect(s.account(1).nonce).to.equal(1n);
      expect(s.account(0).balance, "the fee recipient is paid gasUsed × price").to.equal(r.gasUsed * r.effectiveGasPrice);
    });
  });
});
