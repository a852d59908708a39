import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { l1Fixture } from "../helpers/l1Fixture";
import { CHAIN_ID } from "../helpers/fraudFixture";
import { L2State } from "../../src/core/state";
import { buildFraudWitness, onChainVerdict } from "../../src/core/fraudProof";
import { blockBodies, emptyRunOf, encodeEmptyRun, mergeEmptyRuns } from "../../src/core/commitment";
import { replayCommitment } from "../../src/core/replay";
import { DecodeError, OutOfRangeError } from "../../src/core/errors";
import { ZERO_ADDRESS } from "../../src/core/constants";

/** A state that has consumed `consumed` queue entries (all token registrations: no account changes). */
function stateAt(consumed: bigint): L2State {
  return L2State.restore([{ address: ZERO_ADDRESS, nonce: 0n, balance: 0n, tokens: [] }], { accountCount: 1, tokens: [], queueIndex: consumed, withdrawalCount: 0n });
}

describe("empty runs: n empty L2 blocks in one 7-byte body", () => {
  async function verifierFixture() {
    const f = await l1Fixture();
    return { verifier: f.verifier, bridge: f.addresses.bridge };
  }

  /** src/core's verdict and FraudVerifier's on the same run, at a position in its batch. */
  async function verdicts(state: L2State, body: Buffer, position: { queueLimit: bigint; lastInBatch: boolean }) {
    const { verifier, bridge } = await loadFixture(verifierFixture);
    const { verdict, packed, witness } = buildFraudWitness(state, body, { chainId: CHAIN_ID, queueEntry: () => undefined, position });
    expect(witness.accounts, "a run's witness names no account").to.deep.equal([]);
    const [kind, reason] = await verifier.verify(body, packed, { preStateRoot: "0x" + state.root().toString("hex"), chainId: CHAIN_ID, bridge, ...position });
    return { core: onChainVerdict(verdict), chain: { kind: Number(kind), reason: Number(reason) } };
  }

  it("is honest anywhere in a batch, and as the last body only when the batch's queue count is what the state consumed (QUEUE_COUNT_MISMATCH otherwise), on both sides", async () => {
    const run = encodeEmptyRun({ blocks: 1_000, timestamp: 1_700_000_000 });
    const cases: Array<[bigint, { queueLimit: bigint; lastInBatch: boolean }, number]> = [
      [3n, { queueLimit: 3n, lastInBatch: false }, 0],
      [3n, { queueLimit: 9n, lastInBatch: false }, 0],
      [3n, { queueLimit: 3n, lastInBatch: true }, 0],
      [3n, { queueLimit: 4n, lastInBatch: true }, 5],
      [0n, { queueLimit: 2n ** 64n - 1n, lastInBatch: true }, 5],
    ];
    for (const [consumed, position, kind] of cases) {
      const { core, chain } = await verdicts(stateAt(consumed), run, position);
      expect(chain, JSON.stringify({ consumed: String(consumed), position: { ...position, queueLimit: String(position.queueLimit) } })).to.deep.equal(core);
      expect(core.kind).to.equal(kind);
    }
  });

  it("changes no state when replayed, and a replay says how many blocks it holds", () => {
    const state = stateAt(5n);
    const root = state.root();
    const r = replayCommitment(state, encodeEmptyRun({ blocks: 7, timestamp: 42 }), { chainId: CHAIN_ID, queueEntry: () => undefined, position: { queueLimit: 5n, lastInBatch: true } });
    expect(r.verdict).to.deep.equal({ ok: true });
    expect(r.emptyRun).to.deep.equal({ blocks: 7, timestamp: 42 });
    expect(state.root().equals(root)).to.equal(true);
  });

  it("merges neighbouring empty blocks at one timestamp, splits them back one per block, and never merges across a commitment, a timestamp or 65,535 blocks", () => {
    const one = (t: number) => encodeEmptyRun({ blocks: 1, timestamp: t });
    const commitment = Buffer.alloc(40, 9);
    const perBlock = [one(1), one(1), one(1), commitment, one(1), one(2), one(2), ...Array.from({ length: 0x10000 }, () => one(3))];
    const merged = mergeEmptyRuns(perBlock);
    expect(merged.map((b) => emptyRunOf(b) ?? "commitment")).to.deep.equal([
      { blocks: 3, timestamp: 1 },
      "commitment",
      { blocks: 1, timestamp: 1 },
      { blocks: 2, timestamp: 2 },
      { blocks: 0xffff, timestamp: 3 },
      { blocks: 1, timestamp: 3 },
    ]);
    expect(blockBodies(merged).every((b, i) => b.equals(perBlock[i]))).to.equal(true);
    expect(blockBodies(merged)).to.have.length(perBlock.length);
  });

  it("refuses a run of no blocks or of more than 65,535, when decoding and when encoding", () => {
    expect(() => emptyRunOf(Buffer.from("00000000000001", "hex"))).to.throw(DecodeError);
    expect(() => encodeEmptyRun({ blocks: 0, timestamp: 1 })).to.throw(OutOfRangeError);
    expect(() => encodeEmptyRun({ blocks: 0x10000, timestamp: 1 })).to.throw(OutOfRangeError);
    expect(emptyRunOf(Buffer.alloc(38))).to.equal(null);
  });
});
