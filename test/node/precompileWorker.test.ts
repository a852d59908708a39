/**
 * Simulations' precompile calls on a worker thread (src/node/precompileWorker.ts): the same
 * answers as the engine's own precompiles — gas, output, error, or the same throw — and the
 * node's event loop free while a slow one runs.
 */
import { expect } from "chai";
import { getActivePrecompiles } from "@ethereumjs/evm";
import { L2State } from "../../src/core/state";
import { simulateEvmCall, type EngineOptions, type EvmBlockContext } from "../../src/core/evm/engine";
import { evmCommon } from "../../src/core/evm/evmTransaction";
import { PrecompileWorker } from "../../src/node/precompileWorker";
import { yieldingPause } from "../../src/shared/eventLoop";
import { Rng } from "../adversarial/rng";
import { BN254_GENERATOR_PAIR, blake2fInput, longestWait, word } from "../helpers/evmCode";

const CHAIN_ID = 1_637_401n;
const ctx: EvmBlockContext = { chainId: CHAIN_ID, number: 1, timestamp: 1, baseFee: 0n, feeRecipient: 0 };

describe("node: precompiles on a worker thread (experimental EVM simulations)", function () {
  this.timeout(120_000);
  let worker: PrecompileWorker;
  const state = L2State.genesis();
  const addresses = [...getActivePrecompiles(evmCommon(CHAIN_ID)).keys()];

  before(() => (worker = new PrecompileWorker()));
  after(() => worker.close());

  it("answers every precompile of the hardfork as the engine does: success, output, gas used and error, for empty, random, valid and oversized inputs at a low and a high gas limit", async () => {
    const rng = new Rng("precompile-worker");
    const random = (n: number) => rng.bytes(n);
    const modexp = Buffer.from(word(1) + word(1) + word(1) + "03" + "05" + "07", "hex");
    const inputs = [Buffer.alloc(0), random(32), random(64), random(128), random(160), random(192), random(213), random(384), Buffer.from(BN254_GENERATOR_PAIR, "hex"), modexp, blake2fInput(12), random(1_000)];
    let compared = 0;
    const answers = new Set<string>();
    for (const address of addresses) {
      for (const data of inputs) {
        for (const gas of [25_000n, 3_000_000n]) {
          const call = { to: "0x" + address, data, value: 0n, gas };
          const here = await simulateEvmCall(state, call, ctx);
          const there = await simulateEvmCall(state, call, ctx, { precompiles: worker.run });
          expect(there, `precompile ${address}, ${data.length} bytes, gas ${gas}`).to.deep.equal(here);
          answers.add(`${here.success}:${here.error ?? ""}`);
          compared++;
        }
      }
    }
    expect(addresses.length, "precompiles at Osaka").to.be.at.least(18);
    // Not one kind of answer over and over: successes, out of gas and the precompiles' own errors.
    expect(answers.size, [...answers].join(" | ")).to.be.at.least(5);
    expect(compared).to.equal(addresses.length * inputs.length * 2);
  });

  for (const [name, to, data] of [
    ["blake2f of 4,000,000 rounds", "09", blake2fInput(4_000_000)],
    ["a 60-pair BN254 pairing", "08", Buffer.from(BN254_GENERATOR_PAIR.repeat(60), "hex")],
  ] as const) {
    it(`an eth_call of ${name} (one precompile call) does not hold the node's event loop: the worker runs it`, async () => {
      const call = { to: "0x" + to.padStart(40, "0"), data, value: 0n };
      const measured = async (options: EngineOptions) => {
        let r: Awaited<ReturnType<typeof simulateEvmCall>> | null = null;
        const longest = await longestWait(async () => (r = await simulateEvmCall(state, call, ctx, options)));
        expect(r!.success, r!.error).to.equal(true);
        return { r: r!, longest };
      };
      const here = await measured({ pause: yieldingPause() });
      const there = await measured({ pause: yieldingPause(), precompiles: worker.run });
      console.log(`      ${name}: the event loop was held ${here.longest.toFixed(0)} ms on the main thread, ${there.longest.toFixed(0)} ms with the worker`);
      expect(there.r).to.deep.equal(here.r);
      expect(here.longest, "held on the main thread (the reproduction)").to.be.greaterThan(250);
      expect(there.longest, "held with the worker").to.be.lessThan(250);
    });
  }
});
