/**
 * One line a person can act on for a failed operation — what the `cairn` command and the Hardhat
 * tasks print instead of a stack trace. Free of the SDK's imports, so the tasks can load it
 * before the first compile has generated the contract bindings.
 */
import { CairnError } from "../core/errors";

/** A revert with its error's name, a node's refusal, too little ETH, or the error's own first line. */
export function failureLine(e: unknown): string {
  const err = e as { code?: string; revert?: { name: string; args: unknown[] } | null; info?: { error?: { message?: string } }; error?: { message?: string } };
  if (err.revert) return `the transaction reverted: ${err.revert.name}(${err.revert.args.map(String).join(", ")})`;
  if (err.code === "INSUFFICIENT_FUNDS") return "not enough ETH to pay for this transaction and its gas";
  const refusal = err.info?.error?.message ?? err.error?.message;
  if (refusal) return `the node refused it: ${refusal}`;
  if (e instanceof CairnError) return e.message;
  return shortMessage(e);
}

/** An error's message in one line, without the "(key=value, …, version=6.x)" ethers appends. */
export function shortMessage(e: unknown): string {
  const err = e as { shortMessage?: string; message?: string; code?: string };
  // ethers appends " (key=value, …, version=6.x)" to its messages; other parentheses stay.
  return (err.shortMessage ?? err.message ?? String(e)).split("\n")[0].replace(/ \((?:[a-zA-Z]+=[^)]*)\)$/, "");
}
