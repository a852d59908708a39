/** Validation of JSON-RPC parameters: every bad one becomes -32602 with a message naming it. */
import { invalidParams } from "./errors";

export function paramList(params: unknown): unknown[] {
  if (params === undefined || params === null) return [];
  if (!Array.isArray(params)) throw invalidParams("params must be an array");
  return params;
}

export function address(v: unknown, name: string): string {
  if (typeof v !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(v)) throw invalidParams(`${name} must be a 20-byte 0x address`);
  return v.toLowerCase();
}

export function hash32(v: unknown, name: string): string {
  if (typeof v !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(v)) throw invalidParams(`${name} must be a 32-byte 0x hash`);
  return v.toLowerCase();
}

export function hexData(v: unknown, name: string): Buffer {
  if (v === undefined || v === null) return Buffer.alloc(0);
  if (typeof v !== "string" || !/^0x([0-9a-fA-F]{2})*$/.test(v)) throw invalidParams(`${name} must be 0x-prefixed hex bytes`);
  return Buffer.from(v.slice(2), "hex");
}

/** A storage slot: a quantity or a 32-byte word. */
export function storageSlot(v: unknown): bigint {
  if (typeof v !== "string" || !/^0x[0-9a-fA-F]{1,64}$/.test(v)) throw invalidParams("slot must be a hex quantity or a 32-byte word");
  return BigInt(v);
}

export function optionalQuantity(v: unknown, name: string): bigint | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || !/^0x(0|[1-9a-fA-F][0-9a-fA-F]{0,63})$/.test(v)) throw invalidParams(`${name} must be a hex quantity`);
  return BigInt(v);
}

/** A quantity that some clients send as a JSON number (a block count, a batch index). */
export function optionalCount(v: unknown, name: string): bigint | undefined {
  return optionalQuantity(typeof v === "number" ? "0x" + v.toString(16) : v, name);
}

export type BlockTag = "latest" | "pending" | "earliest" | "safe" | "finalized" | number;

export function blockTag(v: unknown, name = "block"): BlockTag {
  if (v === undefined || v === null) return "latest";
  if (v === "latest" || v === "pending" || v === "earliest" || v === "safe" || v === "finalized") return v;
  if (typeof v === "string" && /^0x(0|[1-9a-fA-F][0-9a-fA-F]{0,12})$/.test(v)) return Number(BigInt(v));
  // EIP-1898's { blockNumber }, one level: nested ones are refused, not followed (60,000 levels fit in a body).
  if (typeof v === "object" && v !== null && "blockNumber" in v) {
    const inner = (v as { blockNumber: unknown }).blockNumber;
    if (typeof inner !== "object" || inner === null) return blockTag(inner, name);
  }
  throw invalidParams(`${name} must be a block number or tag`);
}

/** A block by tag or number, or by hash (EIP-1898): what the state-reading methods take. */
export type BlockRef = BlockTag | { hash: string };

/**
 * A block as EIP-1898 lets a state read name it: a tag, a number, `{ blockNumber }`,
 * `{ blockHash, requireCanonical? }` or a bare 32-byte hash. Every block a Cairn node holds is
 * canonical, so `requireCanonical` asks nothing more.
 */
export function blockRef(v: unknown, name = "block"): BlockRef {
  if (typeof v === "object" && v !== null && !Array.isArray(v) && "blockHash" in v) {
    if ("blockNumber" in v) throw invalidParams(`${name}: give blockHash or blockNumber, not both`);
    const canonical = (v as { requireCanonical?: unknown }).requireCanonical;
    if (canonical !== undefined && typeof canonical !== "boolean") throw invalidParams("requireCanonical must be a boolean");
    return { hash: hash32((v as { blockHash: unknown }).blockHash, "blockHash") };
  }
  if (typeof v === "string" && v.length === 66) return { hash: hash32(v, name) };
  return blockTag(v, name);
}

export function bool(v: unknown, name: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== "boolean") throw invalidParams(`${name} must be a boolean`);
  return v;
}

export interface CallRequest {
  from?: string;
  to?: string;
  value: bigint;
  data: Buffer;
}

export function callRequest(v: unknown): CallRequest {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw invalidParams("transaction must be an object");
  const o = v as Record<string, unknown>;
  return {
    from: o.from === undefined || o.from === null ? undefined : address(o.from, "from"),
    to: o.to === undefined || o.to === null ? undefined : address(o.to, "to"),
    value: optionalQuantity(o.value, "value") ?? 0n,
    data: hexData(o.input ?? o.data, "data"),
  };
}
