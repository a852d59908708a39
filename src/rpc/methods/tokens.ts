/**
 * Calls to a bridged token's L2 address: ERC-20's views from the L2 state and the token's L1
 * registration, and transfer, approve and transferFrom checked as they would be sent (a token is
 * native: no bytecode runs). A call that execution would refuse reverts as OpenZeppelin 5's
 * ERC20 does — the same checks in the same order, the same custom errors (erc20Errors.ts) — and
 * one it would accept returns true, so simulation equals execution.
 */
import { SELECTOR_APPROVE, SELECTOR_TRANSFER, SELECTOR_TRANSFER_FROM, ZERO_ADDRESS } from "../../core/constants";
import { MAX_UINT256 } from "../../core/bytes";
import { allowanceOf } from "../../core/estimate";
import type { AccountsView } from "../../chain/stateReader";
import { rpcError, RpcCode } from "../errors";
import type { CallRequest } from "../params";
import { decodeArgs, encodeArgs, readValues } from "./abi";
import { erc20Revert } from "./erc20Errors";
import { intentOf, requireFunds } from "./intent";
import type { CallBackend } from "./method";

const SELECTORS = {
  balanceOf: "70a08231",
  decimals: "313ce567",
  symbol: "95d89b41",
  name: "06fdde03",
  totalSupply: "18160ddd",
  allowance: "dd62ed3e",
  transfer: SELECTOR_TRANSFER,
  approve: SELECTOR_APPROVE,
  transferFrom: SELECTOR_TRANSFER_FROM,
};

const TRUE = encodeArgs(["bool"], [true]);

/** A call to token `tokenId` at `to`, read at the block `backend` is at. */
export function tokenCall(backend: CallBackend, tokenId: number, req: CallRequest, to: string): string {
  const selector = req.data.subarray(0, 4).toString("hex");
  const meta = backend.tokenMetadata(tokenId);
  const args = req.data.subarray(4);
  switch (selector) {
    case SELECTORS.balanceOf: {
      const [owner] = readValues(decodeArgs(["address"], args)) as [string];
      return encodeArgs(["uint256"], [balanceOf(backend.state, tokenId, owner.toLowerCase())]);
    }
    case SELECTORS.decimals:
      return encodeArgs(["uint8"], [meta?.decimals ?? 18]);
    case SELECTORS.symbol:
      return encodeArgs(["string"], [meta?.symbol ?? ""]);
    case SELECTORS.name:
      return encodeArgs(["string"], [meta?.name ?? ""]);
    case SELECTORS.totalSupply:
      return encodeArgs(["uint256"], [backend.state.tokenSupply(tokenId)]);
    case SELECTORS.allowance: {
      const [owner, spender] = readValues(decodeArgs(["address", "address"], args)) as [string, string];
      return encodeArgs(["uint256"], [allowanceOf(backend.state, tokenId, owner.toLowerCase(), spender.toLowerCase())]);
    }
    case SELECTORS.transfer:
    case SELECTORS.approve:
    case SELECTORS.transferFrom: {
      intentOf(backend, req, to);
      requireFunds(backend, req);
      // The ERC-20 functions are not payable: Solidity reverts with no data on a value (and intake refuses one).
      if (req.value !== 0n) throw rpcError(RpcCode.EXECUTION_REVERTED, "execution reverted");
      // msg.sender: geth calls from the zero address when the request names no sender.
      const sender = (req.from ?? ZERO_ADDRESS).toLowerCase();
      if (selector === SELECTORS.transfer) {
        const [recipient, amount] = readValues(decodeArgs(["address", "uint256"], args)) as [string, bigint];
        checkTransfer(backend.state, tokenId, sender, recipient.toLowerCase(), amount);
      } else if (selector === SELECTORS.approve) {
        const [spender] = readValues(decodeArgs(["address", "uint256"], args)) as [string, bigint];
        checkApprove(sender, spender.toLowerCase());
      } else {
        const [owner, recipient, amount] = readValues(decodeArgs(["address", "address", "uint256"], args)) as [string, string, bigint];
        checkTransferFrom(backend.state, tokenId, sender, owner.toLowerCase(), recipient.toLowerCase(), amount);
      }
      return TRUE;
    }
    default:
      throw rpcError(
        RpcCode.EXECUTION_REVERTED,
        `execution reverted: Cairn tokens answer name, symbol, decimals, totalSupply, balanceOf, allowance, transfer, approve and transferFrom; not selector 0x${selector}`,
      );
  }
}

function balanceOf(state: AccountsView, tokenId: number, owner: string): bigint {
  const i = state.indexOf(owner);
  return i === undefined ? 0n : state.tokenBalance(i, tokenId);
}

/** OpenZeppelin 5's `_transfer(from, to, value)`: the zero addresses, then the balance. */
function checkTransfer(state: AccountsView, tokenId: number, from: string, to: string, amount: bigint): void {
  if (from === ZERO_ADDRESS) throw erc20Revert("InvalidSender", [ZERO_ADDRESS]);
  if (to === ZERO_ADDRESS) throw erc20Revert("InvalidReceiver", [ZERO_ADDRESS]);
  const balance = balanceOf(state, tokenId, from);
  if (balance < amount) throw erc20Revert("InsufficientBalance", [from, balance, amount]);
}

/** OpenZeppelin 5's `approve(spender, value)`: `_approve(msg.sender, spender, value)` refuses either at zero. */
function checkApprove(owner: string, spender: string): void {
  if (owner === ZERO_ADDRESS) throw erc20Revert("InvalidApprover", [ZERO_ADDRESS]);
  if (spender === ZERO_ADDRESS) throw erc20Revert("InvalidSpender", [ZERO_ADDRESS]);
}

/**
 * OpenZeppelin 5's `transferFrom(from, to, value)` by `spender`: `_spendAllowance` first — an
 * allowance below the value reverts, and a finite one is rewritten through `_approve`, which
 * refuses a zero owner or spender (so a zero owner reverts ERC20InvalidApprover, not
 * ERC20InvalidSender) — then `_transfer`.
 */
function checkTransferFrom(state: AccountsView, tokenId: number, spender: string, owner: string, to: string, amount: bigint): void {
  const allowance = allowanceOf(state, tokenId, owner, spender);
  if (allowance !== MAX_UINT256) {
    if (allowance < amount) throw erc20Revert("InsufficientAllowance", [spender, allowance, amount]);
    checkApprove(owner, spender);
  }
  checkTransfer(state, tokenId, owner, to, amount);
  // Cairn alone: a packed transferFrom names its owner by account index, so intake refuses an
  // owner without one (it has given no allowance) — reachable here only with a zero value,
  // which OpenZeppelin would let through.
  if (state.indexOf(owner) === undefined) throw erc20Revert("InsufficientAllowance", [spender, 0n, amount]);
}
