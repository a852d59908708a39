import { expect } from "chai";
import { ethers } from "hardhat";
import { deployCairn } from "../../deploy/cairn";
import { DEVNET_PARAMS } from "../../deploy/params";
import { encodeBatch, encodeEmptyRun } from "../../src/core/commitment";
import { summarizeEnvelope, EnvelopeRefusedError } from "../../src/core/batchEnvelope";
import type { Rollup } from "../../typechain-types";

/** A commitment body's header and `rest`: post-state root, flags, [withdrawal root], timestamp. */
function body(timestamp: number, options: { flags?: number; withdrawalRoot?: Buffer; root?: number; rest?: number } = {}): Buffer {
  const flags = options.flags ?? (options.withdrawalRoot ? 1 : 0);
  const parts: Buffer[] = [Buffer.alloc(32, options.root ?? 5), Buffer.from([flags])];
  if (options.withdrawalRoot) parts.push(options.withdrawalRoot);
  parts.push(Buffer.from(timestamp.toString(16).padStart(10, "0"), "hex"), Buffer.alloc(options.rest ?? 3, 0x42));
  return Buffer.concat(parts);
}

describe("contracts/BatchCodec and src/core/batchEnvelope: the same envelope rules and summary on both sides (what a blob batch is held to)", function () {
  let rollup: Rollup;
  let genesis: string;
  before(async () => {
    const [deployer] = await ethers.getSigners();
    rollup = (await deployCairn(deployer, DEVNET_PARAMS)).rollup;
    genesis = await rollup.genesisStateRoot();
  });

  const L1 = 2_000_000;
  const cases: Array<[string, Buffer, number?]> = [
    ["empty", Buffer.alloc(0)],
    ["a lone length byte", Buffer.from([0])],
    ["a body shorter than a header", Buffer.from([0, 5, 1, 2, 3, 4, 5])],
    ["a body running past the end", Buffer.concat([Buffer.from([0, 40]), Buffer.alloc(10)])],
    ["an index width of 25 bits", encodeBatch([body(10, { flags: 25 << 1 })])],
    ["token width class 3", encodeBatch([body(10, { flags: 0xc0 })])],
    ["a declared withdrawal root of zero", encodeBatch([body(10, { withdrawalRoot: Buffer.alloc(32) })])],
    ["a declared withdrawal root cut short", encodeBatch([Buffer.concat([Buffer.alloc(32, 5), Buffer.from([1]), Buffer.alloc(7, 9)])])],
    ["a run of no blocks", encodeBatch([Buffer.from([0, 0, 0, 0, 0, 0, 9])])],
    ["timestamps going back", encodeBatch([body(20), body(19)])],
    ["a timestamp after L1's", encodeBatch([body(L1 + 1)])],
    ["a run after L1's time", encodeBatch([encodeEmptyRun({ blocks: 2, timestamp: L1 + 1 })])],
    ["a previous timestamp after L1's", encodeBatch([body(10)]), L1 + 5],
    ["4,097 commitments", Buffer.concat(Array.from({ length: 4097 }, () => Buffer.from([0, 7, 0, 1, 0, 0, 0, 0, 9])))],
    // Written by hand: encodeBatch refuses to write more blocks than a batch may hold.
    ["4,097 blocks in two runs", Buffer.concat([Buffer.from([0, 7]), encodeEmptyRun({ blocks: 4000, timestamp: 9 }), Buffer.from([0, 7]), encodeEmptyRun({ blocks: 97, timestamp: 9 })])],
    ["honest: commitments, withdrawals and runs", encodeBatch([body(9), encodeEmptyRun({ blocks: 3, timestamp: 9 }), body(12, { withdrawalRoot: Buffer.alloc(32, 0x77), root: 6, rest: 40 }), body(12, { withdrawalRoot: Buffer.alloc(32, 0x11), root: 8 })])],
  ];

  for (const [name, envelope, previous] of cases) {
    it(`${name}: refused with the same error, or summarized alike`, async () => {
      const prev = previous ?? 0;
      let solidity: unknown;
      let solidityError: string | null = null;
      try {
        const s = await rollup.summarizeEnvelope(envelope, genesis, prev, L1);
        solidity = { commitmentsRoot: s.commitmentsRoot, postStateRoot: s.postStateRoot, withdrawalRoot: s.withdrawalRoot, count: Number(s.count), blocks: Number(s.blocks), lastTimestamp: s.lastTimestamp };
      } catch (e) {
        solidityError = rollup.interface.parseError((e as { data: string }).data)?.name ?? "unparsed";
      }
      let ts: unknown;
      let tsError: string | null = null;
      try {
        ts = summarizeEnvelope(envelope, genesis, BigInt(prev), BigInt(L1));
      } catch (e) {
        if (!(e instanceof EnvelopeRefusedError)) throw e;
        tsError = e.rule;
      }
      expect(tsError, "the rule each side names").to.equal(solidityError);
      if (!tsError) expect(ts).to.deep.equal(solidity);
    });
  }
});
