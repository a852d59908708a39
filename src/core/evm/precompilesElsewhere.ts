/**
 * Precompile calls run elsewhere (EngineOptions.precompiles: a node's worker thread) and answered
 * to the engine as its own precompiles answer: the gas used, the output, the engine's error.
 */
import { EVMError, getActivePrecompiles, type CustomPrecompile, type ExecResult } from "@ethereumjs/evm";
import { createAddressFromString } from "@ethereumjs/util";
import type { Common } from "@ethereumjs/common";
import { CairnError } from "../errors";
import { PrecompileRunnerFailedError } from "./driverErrors";

/**
 * What a precompile call answers: the gas it used, its output, and the engine's error if it
 * failed — or, if the precompile threw (as 0x0a does without a KZG setup), what it threw.
 */
export type PrecompileOutcome = { executionGasUsed: bigint; returnValue: Uint8Array; error?: string } | { thrown: string };

/**
 * Runs the precompile at `address` (40 hex digits, no 0x) on `data` (its own copy) with
 * `gasLimit`; rejects only when it cannot answer (the runner's failure, not the call's).
 */
export type PrecompileRunner = (address: string, data: Uint8Array, gasLimit: bigint) => Promise<PrecompileOutcome>;

/**
 * The precompiles slow for their gas in JavaScript, run elsewhere: modexp, the BN254 pairing,
 * blake2f (1 gas a round: 4M rounds held the event loop ~2 s), the KZG point evaluation and the
 * BLS12-381 operations. The others cost at most a few milliseconds a call at any gas a
 * transaction can buy, and a round trip to a worker would cost more than they do.
 */
export const SLOW_PRECOMPILES: readonly string[] = ["05", "08", "09", "0a", "0b", "0c", "0d", "0e", "0f", "10", "11"].map((a) => a.padStart(40, "0"));

/** The precompile threw, run elsewhere as here: its message, word for word. */
export class PrecompileThrewError extends CairnError {
  override readonly name = "PrecompileThrewError";
  readonly code = "PRECOMPILE_THREW";
}

/** A precompile run elsewhere answered an error the engine does not have. */
export class PrecompileAnswerError extends CairnError {
  override readonly name = "PrecompileAnswerError";
  readonly code = "PRECOMPILE_ANSWER";
  constructor(readonly error: string) {
    super("a precompile answered an error the engine does not have", { details: error.slice(0, 200) });
  }
}

/** The hardfork's slow precompiles ({@link SLOW_PRECOMPILES}), run by `runner` instead. */
export function elsewhere(common: Common, runner: PrecompileRunner): CustomPrecompile[] {
  const active = getActivePrecompiles(common);
  return SLOW_PRECOMPILES.filter((a) => active.has(a)).map((address) => ({
    address: createAddressFromString("0x" + address),
    function: async (input: { data: Uint8Array; gasLimit: bigint }): Promise<ExecResult> => {
      let r: PrecompileOutcome;
      try {
        // A copy of the input's bytes alone: the engine's view may be into the caller's whole memory.
        r = await runner(address, input.data.slice(), input.gasLimit);
      } catch (e) {
        throw new PrecompileRunnerFailedError(e);
      }
      if ("thrown" in r) throw new PrecompileThrewError(r.thrown);
      return { executionGasUsed: r.executionGasUsed, returnValue: r.returnValue, ...(r.error !== undefined ? { exceptionError: engineError(r.error) } : {}) };
    },
  }));
}

type EngineErrorMessage = ConstructorParameters<typeof EVMError>[0];
const ENGINE_ERRORS = new Set<string>(Object.values(EVMError.errorMessages));

/** The engine's error of that message; a message it does not have is refused, not made up. */
function engineError(message: string): EVMError {
  if (!ENGINE_ERRORS.has(message)) throw new PrecompileAnswerError(message);
  return new EVMError(message as EngineErrorMessage);
}
