/**
 * Failures of what drives the engine — the node's pause, the node's precompile runner — not of
 * the transaction it runs: thrown as they are, never turned into a refusal, a failed call or a
 * verdict about the transaction (which a replay would prove as fraud).
 */
import { CairnError } from "../errors";

export abstract class EngineDriverError extends CairnError {}

/** A pause failed (engine.ts, EngineOptions.pause). */
export class EnginePauseFailedError extends EngineDriverError {
  override readonly name = "EnginePauseFailedError";
  readonly code = "ENGINE_PAUSE_FAILED";
  constructor(cause: unknown) {
    super("the engine's pause failed", { details: cause instanceof Error ? cause.message : String(cause), cause });
  }
}

/** The runner of precompile calls failed to answer one (EngineOptions.precompiles: its worker died, say). */
export class PrecompileRunnerFailedError extends EngineDriverError {
  override readonly name = "PrecompileRunnerFailedError";
  readonly code = "PRECOMPILE_RUNNER_FAILED";
  constructor(cause: unknown) {
    super("the precompile runner failed", { details: cause instanceof Error ? cause.message : String(cause), cause });
  }
}
