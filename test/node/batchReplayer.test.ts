import { expect } from "chai";
import { Wallet } from "ethers";
import { CoreChain, ETH, QueueKind, signParsed } from "../helpers/coreFixture";
import { BatchReplayer } from "../../src/node/replica/batchReplayer";
import { RecoveryWorker } from "../../src/node/recoveryWorker";
import type { SealedBlock } from "../../src/core/blockBuilder";

/** Three funded senders; blocks of transfers among them, one to an account the batch creates, which then spends. */
async function history() {
  const chain = new CoreChain();
  const senders = [Wallet.createRandom(), Wallet.createRandom(), Wallet.createRandom()];
  for (const s of senders) chain.enqueue(QueueKind.ETH_DEPOSIT, s.address, 10n * ETH);
  chain.drainQueue();
  const before = chain.state.checkpoint();
  const preRoot = chain.state.root();
  const fresh = Wallet.createRandom();
  const blocks: SealedBlock[] = [];
  const nonces = [0, 0, 0];
  for (let round = 0; round < 6; round++) {
    const b = chain.builder();
    for (let i = 0; i < 3; i++) {
      const to = round === 1 && i === 0 ? fresh.address : senders[(i + 1) % 3].address;
      b.addTransaction(await signParsed(senders[i], { to, value: ETH / 10n, nonce: nonces[i]++ }));
    }
    if (round >= 2) b.addTransaction(await signParsed(fresh, { to: senders[0].address, value: 1n, nonce: round - 2 }));
    blocks.push(b.seal(1_700_000_000 + round));
  }
  const postRoot = chain.state.root();
  chain.state.rollback(before);
  expect(chain.state.root().equals(preRoot)).to.equal(true);
  return { chain, blocks, postRoot, queueEntry: (i: bigint) => chain.queue[Number(i)] };
}

describe("node/batchReplayer: replays batches with signatures recovered ahead on a worker thread", function () {
  this.timeout(60_000);
  let worker: RecoveryWorker | null;
  before(() => {
    worker = RecoveryWorker.start();
  });
  after(async () => worker?.stop());

  it("reaches the same state as the builder, with or without the worker, final or not, across batches", async () => {
    const { chain, blocks, postRoot, queueEntry } = await history();
    expect(worker, "native secp256k1 loads here").to.not.equal(null);
    for (const recovery of [worker, null]) {
      for (const final of [true, false]) {
        const cp = chain.state.checkpoint();
        const batches = [blocks.slice(0, 2), blocks.slice(2)].map((bs) => ({ bodies: bs.map((b) => b.body), final }));
        const results = await new BatchReplayer(recovery).replayBatches(chain.state, batches, { chainId: 51730n, queueEntry });
        expect(results.flat().map((r) => r.verdict.ok)).to.deep.equal(blocks.map(() => true));
        expect(chain.state.root().equals(postRoot), `worker ${recovery !== null}, final ${final}`).to.equal(true);
        // Receipts match the builder's: same hashes and senders.
        expect(results.flat().flatMap((r) => r.results.map((x) => (x.type === "tx" ? x.hash : "")))).to.deep.equal(blocks.flatMap((b) => b.results.map((x) => (x.type === "tx" ? x.hash : ""))));
        chain.state.rollback(cp);
      }
    }
  });

  it("still catches a forged signature and a wrong intermediate root when recovering ahead", async () => {
    const { chain, blocks, queueEntry } = await history();
    const replayer = new BatchReplayer(worker);
    // A signature byte flipped in the third block: the predicted signer no longer matches.
    const forged = blocks.map((b) => Buffer.from(b.body));
    const sigAt = forged[2].length - 40;
    forged[2][sigAt] ^= 0x01;
    let cp = chain.state.checkpoint();
    const r1 = (await replayer.replay(chain.state, forged, { chainId: 51730n, queueEntry, final: false })).at(-1)!;
    expect(r1.verdict.ok).to.equal(false);
    chain.state.rollback(cp);

    // A batch still in its window is checked at every commitment; a final one at its end only.
    const badRoot = blocks.map((b) => Buffer.from(b.body));
    badRoot[1][1] ^= 0xff; // inside the claimed post-state root of the second commitment
    cp = chain.state.checkpoint();
    const open = await replayer.replay(chain.state, badRoot, { chainId: 51730n, queueEntry, final: false });
    expect(open.at(-1)!.verdict).to.include({ ok: false, kind: "wrong-post-state" });
    expect(open.length).to.equal(2);
    chain.state.rollback(cp);
  });
});
