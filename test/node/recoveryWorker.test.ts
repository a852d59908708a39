import { expect } from "chai";
import { Wallet } from "ethers";
import { CHAIN_ID, signParsed } from "../helpers/coreFixture";
import { RecoveryWorker, recoverHere, type RecoveryRequest } from "../../src/node/recoveryWorker";
import { decodeRawTransaction } from "../../src/core/intake";
import { keccak256 } from "../../src/core/hash";

describe("node/recoveryWorker: the worker answers what the calling thread would, in order", function () {
  this.timeout(30_000);

  it("signers and transaction hashes, from payloads or hashes, with and without raw bytes, and null for a forged signature", async () => {
    const worker = RecoveryWorker.start();
    expect(worker, "native bindings load here").to.not.equal(null);
    try {
      const wallets = [Wallet.createRandom(), Wallet.createRandom()];
      const requests: RecoveryRequest[] = [];
      for (let i = 0; i < 6; i++) {
        const parsed = await signParsed(wallets[i % 2], { to: wallets[(i + 1) % 2].address, value: BigInt(i + 1), nonce: i });
        const d = decodeRawTransaction("0x" + parsed.raw.toString("hex"), CHAIN_ID);
        if (i % 3 === 0) requests.push({ payload: d.signingPayload, sig: d.sig, raw: d.raw });
        else if (i % 3 === 1) requests.push({ hash: keccak256(d.signingPayload), sig: d.sig });
        else requests.push({ payload: d.signingPayload, sig: { ...d.sig, r: Buffer.alloc(32, 0x11) }, raw: d.raw });
      }
      const expected = requests.map(recoverHere);
      expect(expected.filter((e) => e.from === null)).to.have.length.greaterThan(0);
      expect(await Promise.all(requests.map((r) => worker!.recover(r)))).to.deep.equal(expected);
      expect(await worker!.recoverAll(requests)).to.deep.equal(expected);
      expect(expected[0].from).to.equal(wallets[0].address.toLowerCase());
    } finally {
      await worker?.stop();
    }
  });

  it("stop() while thousands of recoveries are in flight: every request is answered as the calling thread would, and the thread exits by itself between two items — never terminated from outside, which inside a native call aborts the process", async () => {
    const wallet = Wallet.createRandom();
    const parsed = await signParsed(wallet, { to: Wallet.createRandom().address, value: 1n, nonce: 0 });
    const d = decodeRawTransaction("0x" + parsed.raw.toString("hex"), CHAIN_ID);
    const requests: RecoveryRequest[] = Array.from({ length: 3_000 }, (_, i) => (i % 2 ? { payload: d.signingPayload, sig: d.sig, raw: d.raw } : { payload: d.signingPayload, sig: { ...d.sig, r: Buffer.alloc(32, 0x11) } }));
    for (const delayMs of [0, 5, 30]) {
      const worker = RecoveryWorker.start()!;
      const thread = (worker as unknown as { worker: { terminate(): Promise<number>; threadId: number } }).worker;
      let terminated = false;
      thread.terminate = () => ((terminated = true), Promise.resolve(0));
      const answers = worker.recoverAll(requests);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      await worker.stop();
      expect(terminated, "terminate() called").to.equal(false);
      expect(thread.threadId, "the thread has exited").to.equal(-1);
      const got = await answers;
      expect(got[0]).to.deep.equal(recoverHere(requests[0]));
      expect(got[1]).to.deep.equal(recoverHere(requests[1]));
      expect(new Set(got.map((a) => a.from))).to.deep.equal(new Set([null, wallet.address.toLowerCase()]));
    }
  });
});
