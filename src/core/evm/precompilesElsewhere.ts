/**
 * Precompile calls run elsewhere (EngineOptions.precompiles: a node's worker thread) and answered
 * to the engine as its own precompiles answer: the gas used, the output, the engine's error.
 */
import { EVMError, getActivePrecompiles, type CustomPrecompile, type ExecResult } from "@ethereumjs/evm";
import { createAddressFromString } from "@ethereumjs/util";
import type { Common } from "@ethereumjs/common";
import { CairnError } from "../errors";

/** What a precompile call answers: the gas it used, its output, and the engine's error if it failed. */
export interface PrecompileOutcome {
  executionGasUsed: bigint;
  returnValue: Uint8Array;
  error?: string;
}

/** Runs the precompile at `address` (40 hex digits, no 0x) on `data` with `gasLimit`. */
export type PrecompileRunner = (address: string, data: Uint8Array, gasLimit: bigint) => Promise<PrecompileOutcome>;

/** A precompile run elsewhere answered an error the engine does not have. */
export class PrecompileAnswerError extends CairnError {
  override readonly name = "PrecompileAnswerError";
  readonly code = "PRECOMPILE_ANSWER";
  constructor(readonly error: string) {
    super("a precompile answered an error the engine does not have", { details: error.slice(0, 200) });
  }
}

/** Every precompile of the hardfork, run by `runner` instead. */
export function elsewhere(common: Common, runner: PrecompileRunner): CustomPrecompile[] {
  return [...getActivePrecompiles(common).keys()].map((address) => ({
    address: createAddressFromString("0x" + address),
    function: async (input: { data: Uint8Array; gasLimit: bigint }): Promise<ExecResult> => {
      const r = await runner(address, input.data, input.gasLimit);
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
