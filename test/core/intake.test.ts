import { expect } from "chai";
import fc from "fast-check";
import { Transaction, Wallet, encodeRlp } from "ethers";
import { parseRawTransaction } from "../../src/core/intake";
import { rlpDecode, RlpError } from "../../src/core/rlp";
import { InvalidOperationError } from "../../src/core/errors";
import { CHAIN_ID } from "../helpers/coreFixture";

const wallet = new Wallet("0x" + "11".repeat(32));

describe("core/intake: raw transactions are decoded strictly, without ethers", () => {
  it("agrees with ethers on every field of signed type-2 and legacy transactions", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          legacy: fc.boolean(),
          nonce: fc.integer({ min: 0, max: 2 ** 40 }),
          value: fc.bigInt({ min: 0n, max: 2n ** 100n }),
          gasLimit: fc.bigInt({ min: 21_000n, max: 2n ** 40n }),
          fee: fc.bigInt({ min: 0n, max: 2n ** 64n }),
          tip: fc.bigInt({ min: 0n, max: 2n ** 32n }),
          data: fc.uint8Array({ maxLength: 80 }),
          to: fc.uint8Array({ minLength: 20, maxLength: 20 }),
        }),
        async (t) => {
          const to = "0x" + Buffer.from(t.to).toString("hex");
          const request = t.legacy
            ? { type: 0, chainId: CHAIN_ID, nonce: t.nonce, gasPrice: t.fee, gasLimit: t.gasLimit, to, value: t.value, data: "0x" + Buffer.from(t.data).toString("hex") }
            : { type: 2, chainId: CHAIN_ID, nonce: t.nonce, maxFeePerGas: t.fee + t.tip, maxPriorityFeePerGas: t.tip, gasLimit: t.gasLimit, to, value: t.value, data: "0x" + Buffer.from(t.data).toString("hex") };
          const raw = await wallet.signTransaction(request);
          const ours = parseRawTransaction(raw, CHAIN_ID);
          const theirs = Transaction.from(raw);
          expect(ours.from).to.equal(theirs.from!.toLowerCase());
          expect(ours.hash).to.equal(theirs.hash);
          expect(ours.nonce).to.equal(BigInt(theirs.nonce));
          expect(ours.value).to.equal(theirs.value);
          expect(ours.to).to.equal(theirs.to!.toLowerCase());
          expect("0x" + ours.data.toString("hex")).to.equal(theirs.data);
          expect(ours.fee.gasLimit).to.equal(theirs.gasLimit);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("refuses any byte string that is not such a transaction with an InvalidOperationError, never another error", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.constantFrom(0x02, 0xf8, 0xc0, 0x01, 0x03), (body, first) => {
        const raw = "0x" + Buffer.concat([Buffer.of(first), Buffer.from(body)]).toString("hex");
        try {
          parseRawTransaction(raw, CHAIN_ID);
        } catch (e) {
          expect(e, String(e)).to.be.instanceOf(InvalidOperationError);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it("refuses access lists, contract creation, other chains, other types and non-canonical RLP", async () => {
    const base = { type: 2, chainId: CHAIN_ID, nonce: 0, maxFeePerGas: 1n, maxPriorityFeePerGas: 0n, gasLimit: 21_000n, to: wallet.address, value: 1n };
    const reason = async (tx: object) => {
      try {
        parseRawTransaction(await wallet.signTransaction(tx), CHAIN_ID);
      } catch (e) {
        return (e as InvalidOperationError).reason;
      }
      return "accepted";
    };
    expect(await reason({ ...base, accessList: [{ address: wallet.address, storageKeys: [] }] })).to.equal("unsupported");
    expect(await reason({ ...base, to: null, data: "0x00" })).to.equal("unsupported");
    expect(await reason({ ...base, chainId: 1n })).to.equal("wrong-chain");
    const legacy = { type: 0, nonce: 0, gasPrice: 1n, gasLimit: 21_000n, to: wallet.address, value: 1n };
    expect(await reason({ ...legacy, chainId: 1n })).to.equal("wrong-chain");
    expect(await reason({ ...legacy, chainId: CHAIN_ID })).to.equal("accepted");
    expect(await reason({ ...legacy, type: 1, chainId: CHAIN_ID })).to.equal("unsupported");
    expect(await reason(base)).to.equal("accepted");
    // A long-form length for a short string, as a sloppy encoder would write it.
    expect(() => rlpDecode(Buffer.from("b801ff", "hex"))).to.throw(RlpError, /long form/);
    expect(() => rlpDecode(Buffer.from("8100", "hex"))).to.throw(RlpError, /encode itself/);
    expect(() => rlpDecode(Buffer.from(encodeRlp(["0x01"]).slice(2) + "00", "hex"))).to.throw(RlpError, /trailing/);
    expect(rlpDecode(Buffer.from(encodeRlp(["0x01", ["0x", "0x0203"]]).slice(2), "hex"))).to.deep.equal([Buffer.of(1), [Buffer.alloc(0), Buffer.of(2, 3)]]);
  });
});
