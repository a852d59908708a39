/**
 * Operations given field by field, as ProofWeightHarness takes them, and the same operation as
 * src/core has it: the two sides of the proof-weight differential tests.
 */
import { OpKind } from "../../src/core/constants";
import type { Op } from "../../src/core/ops";

export const SIG = { r: Buffer.alloc(32, 1), s: Buffer.alloc(32, 1), yParity: 0 as const };
/** One operation as the harness takes it and as src/core does. */
export interface Raw {
  kind: number;
  x: number;
  from: number;
  to: number;
  owner: number;
  tokenId: number;
}

export function toCore(r: Raw): Op {
  const base = { feeIndex: r.x, from: r.from, amount: 1n, sig: SIG };
  const tokenId = r.tokenId;
  const address = "0x" + (r.to + 1).toString(16).padStart(40, "0");
  switch (r.kind) {
    case OpKind.QUEUE:
      return r.x === 2 ? { kind: OpKind.QUEUE, credit: "existing", index: r.to } : r.x === 1 ? { kind: OpKind.QUEUE, credit: "new" } : { kind: OpKind.QUEUE, credit: "none" };
    case OpKind.ETH_TRANSFER:
      return { ...base, kind: OpKind.ETH_TRANSFER, to: r.to };
    case OpKind.ETH_TRANSFER_NEW:
      return { ...base, kind: OpKind.ETH_TRANSFER_NEW, to: address };
    case OpKind.TOKEN_TRANSFER:
      return { ...base, kind: OpKind.TOKEN_TRANSFER, tokenId, to: r.to };
    case OpKind.TOKEN_TRANSFER_NEW:
      return { ...base, kind: OpKind.TOKEN_TRANSFER_NEW, tokenId, to: address };
    case OpKind.WITHDRAW_ETH:
      return { ...base, kind: OpKind.WITHDRAW_ETH, l1Recipient: address };
    case OpKind.WITHDRAW_TOKEN:
      return { ...base, kind: OpKind.WITHDRAW_TOKEN, tokenId, l1Recipient: address };
    case OpKind.APPROVE:
      return { ...base, kind: OpKind.APPROVE, tokenId, spender: r.to };
    case OpKind.APPROVE_NEW:
      return { ...base, kind: OpKind.APPROVE_NEW, tokenId, spender: address };
    case OpKind.TRANSFER_FROM:
      return { ...base, kind: OpKind.TRANSFER_FROM, tokenId, owner: r.owner, to: r.to };
    default:
      return { ...base, kind: OpKind.TRANSFER_FROM_NEW, tokenId, owner: r.owner, to: address };
  }
}
