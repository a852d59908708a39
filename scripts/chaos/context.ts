/** What every part of a chaos run shares: the devnet, the honest users, and how outcomes are told. */
import type { ChaosDevnet } from "./devnet";
import type { ForcedWithdrawals } from "./forcedWithdrawals";
import type { HonestSenders } from "./honestUsers";
import type { ChaosOptions } from "./options";
import type { NodeLog } from "./nodeLog";
import type { HttpRpc } from "./rpcClient";
import type { Rng } from "./rng";
import { sleep } from "./rng";
import { emptyRunOf } from "../../src/core/commitment";

export interface ChaosContext {
  options: ChaosOptions;
  random: Rng;
  devnet: ChaosDevnet;
  senders: HonestSenders;
  forced: ForcedWithdrawals;
  /** The honest users' RPC client (127.0.0.1, keep-alive). */
  honestRpc: HttpRpc;
  /** The nodes' warnings and errors so far. */
  nodeLog: NodeLog;
  /** The attack under way, for what honest users do meanwhile. */
  phase: string;
}

/** A JSON value: what the report is made of. */
export type Figure = number | string | boolean | null | Figure[] | { [key: string]: Figure };

/** What one attack did and whether the system held: `problems` say how it did not. */
export interface AttackOutcome {
  held: boolean;
  problems: string[];
  figures: { [key: string]: Figure };
}

export function outcome(problems: string[], figures: { [key: string]: Figure }): AttackOutcome {
  return { held: problems.length === 0, problems, figures };
}

/** Polls `probe` every 100 ms until it holds (true) or `timeoutMs` passes (false). */
export async function waitFor(probe: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

/** The sequencer has applied the L1 queue up to `length` entries (default: every entry L1 holds now). */
export async function queueApplied(ctx: ChaosContext, length?: bigint): Promise<boolean> {
  return ctx.devnet.node.state.queueIndex >= (length ?? (await ctx.devnet.d.bridge.queueLength()));
}

/** Every block up to `number` is in a batch on L1 (later ones may still wait: traffic goes on). */
export function postedThrough(ctx: ChaosContext, number: number): boolean {
  return (ctx.devnet.node.chain.unbatched()[0]?.number ?? Infinity) > number;
}

/** Every block the sequencer has sealed is in a batch on L1. */
export function allPosted(ctx: ChaosContext): boolean {
  // Empty blocks alone wait (up to 30 s) to go as one run: posting has stopped only if a block with something in it waits.
  return ctx.devnet.node.chain.unbatched().every((b) => emptyRunOf(b.body) !== null);
}
