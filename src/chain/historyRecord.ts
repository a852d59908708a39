/**
 * One block of a state history (history.ts) as a store keeps it: a line of JSON that a node
 * writes with the block and reads back at start-up, so the history survives a restart without
 * a replay. The block's keys as numbers, its priors as the base64 of the buffer they are in.
 */
import { ACCOUNT_PRIOR, type AllowanceChanges, type BlockChanges, type BlockSummary } from "./historyLog";

interface Record {
  /** Block number and hash. */
  b: number;
  k: string | null;
  /** Accounts root, then accountCount, queueIndex, withdrawalCount, tokenCount (bigints in hex). */
  r: string | null;
  c: [number, string, string, number];
  /** Where each kind's keys end, the keys, and the priors. */
  e: [number, number, number, number];
  x: number[];
  p: string;
  /** The allowances the block changed: owners, keys (pairs ascending) and priors; absent when it changed none. */
  a?: [number[], number[], string];
}

export function encodeRecord(n: number, summary: BlockSummary, c: BlockChanges): string {
  const record: Record = {
    b: n,
    k: summary.hash,
    r: summary.accountsRoot?.toString("hex") ?? null,
    c: [summary.accountCount, summary.queueIndex.toString(16), summary.withdrawalCount.toString(16), summary.tokenCount],
    e: [...c.ends],
    x: Array.from(c.keys),
    p: c.priors.toString("base64"),
  };
  if (c.allowances) record.a = [Array.from(c.allowances.owners), Array.from(c.allowances.keys), c.allowances.priors.toString("base64")];
  return JSON.stringify(record);
}

const numbers = (v: unknown, length?: number): v is number[] => Array.isArray(v) && (length === undefined || v.length === length) && v.every((x) => Number.isSafeInteger(x) && x >= 0);

/** A record read back; null if it is not one (a store written by other code): the history then starts after it. */
export function decodeRecord(text: string): { number: number; summary: BlockSummary; changes: BlockChanges } | null {
  let r: Record;
  try {
    r = JSON.parse(text) as Record;
  } catch (e) {
    if (e instanceof SyntaxError) return null;
    throw e;
  }
  if (typeof r !== "object" || r === null || !Number.isSafeInteger(r.b) || (r.k !== null && typeof r.k !== "string") || (r.r !== null && !/^[0-9a-f]{64}$/.test(r.r)) || typeof r.p !== "string") return null;
  if (!Array.isArray(r.c) || r.c.length !== 4 || !numbers([r.c[0], r.c[3]]) || ![r.c[1], r.c[2]].every((v) => typeof v === "string" && /^[0-9a-f]{1,16}$/.test(v))) return null;
  if (!numbers(r.e, 4) || !numbers(r.x) || r.e[3] !== r.x.length) return null;
  const priors = Buffer.from(r.p, "base64");
  if (priors.length !== r.e[0] * ACCOUNT_PRIOR + (r.x.length - r.e[0]) * 32) return null;
  let allowances: AllowanceChanges | undefined;
  if (r.a !== undefined) {
    if (!Array.isArray(r.a) || r.a.length !== 3 || !numbers(r.a[0]) || !numbers(r.a[1], r.a[0].length) || r.a[0].length === 0 || typeof r.a[2] !== "string") return null;
    const allowancePriors = Buffer.from(r.a[2], "base64");
    if (allowancePriors.length !== r.a[0].length * 32 || !ascendingPairs(r.a[0], r.a[1])) return null;
    allowances = { owners: Float64Array.from(r.a[0]), keys: Float64Array.from(r.a[1]), priors: allowancePriors };
  }
  const changes: BlockChanges = allowances ? { keys: Float64Array.from(r.x), priors, ends: r.e, allowances } : { keys: Float64Array.from(r.x), priors, ends: r.e };
  const summary: BlockSummary = { hash: r.k, accountsRoot: r.r === null ? null : Buffer.from(r.r, "hex"), accountCount: r.c[0], queueIndex: BigInt("0x" + r.c[1]), withdrawalCount: BigInt("0x" + r.c[2]), tokenCount: r.c[3] };
  return { number: r.b, summary, changes };
}

/** Whether (owners[i], keys[i]) ascend strictly: what a block's binary search over its allowances needs. */
function ascendingPairs(owners: number[], keys: number[]): boolean {
  for (let i = 1; i < owners.length; i++) {
    if (owners[i] < owners[i - 1] || (owners[i] === owners[i - 1] && keys[i] <= keys[i - 1])) return false;
  }
  return true;
}
