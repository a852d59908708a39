/**
 * The calldata of the only contract calls Cairn has: ERC-20 `transfer`, `approve` and
 * `transferFrom` on a bridged token's L2 address, and `withdraw` on the withdrawal predeploy. A
 * packed operation carries only their arguments; these rebuild the bytes its sender signed.
 */
import { SELECTOR_APPROVE, SELECTOR_TRANSFER, SELECTOR_TRANSFER_FROM, SELECTOR_WITHDRAW } from "./constants";
import { addressBytes, word } from "./bytes";

/** ERC-20 `transfer(to, amount)` calldata. */
export function transferCalldata(to: string, amount: bigint): Buffer {
  return Buffer.concat([Buffer.from(SELECTOR_TRANSFER, "hex"), Buffer.alloc(12), addressBytes(to), word(amount)]);
}

/** Withdrawal predeploy `withdraw(l1Recipient, token, amount)` calldata (token zero for ETH). */
export function withdrawCalldata(l1Recipient: string, l2Token: string, amount: bigint): Buffer {
  return Buffer.concat([
    Buffer.from(SELECTOR_WITHDRAW, "hex"),
    Buffer.alloc(12),
    addressBytes(l1Recipient),
    Buffer.alloc(12),
    addressBytes(l2Token),
    word(amount),
  ]);
}

/** ERC-20 `approve(spender, amount)` calldata. */
export function approveCalldata(spender: string, amount: bigint): Buffer {
  return Buffer.concat([Buffer.from(SELECTOR_APPROVE, "hex"), Buffer.alloc(12), addressBytes(spender), word(amount)]);
}

/** ERC-20 `transferFrom(owner, to, amount)` calldata. */
export function transferFromCalldata(owner: string, to: string, amount: bigint): Buffer {
  return Buffer.concat([Buffer.from(SELECTOR_TRANSFER_FROM, "hex"), Buffer.alloc(12), addressBytes(owner), Buffer.alloc(12), addressBytes(to), word(amount)]);
}
