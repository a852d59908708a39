/**
 * OpenZeppelin 5's ERC-20 custom errors (IERC6093), as a bridged token's calls revert with them:
 * the same selectors and arguments, so ethers and viem decode a failed simulation on Cairn
 * exactly as they decode the same OpenZeppelin token's on L1.
 */
import type { JSONRPCErrorException } from "json-rpc-2.0";
import { rpcError, RpcCode } from "../errors";
import { encodeArgs } from "./abi";

/** Selectors of IERC6093's ERC-20 errors: the first four bytes of the keccak of each signature. */
export const ERC20_ERRORS = {
  /** `ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)` */
  InsufficientBalance: "e450d38c",
  /** `ERC20InvalidSender(address sender)` */
  InvalidSender: "96c6fd1e",
  /** `ERC20InvalidReceiver(address receiver)` */
  InvalidReceiver: "ec442f05",
  /** `ERC20InsufficientAllowance(address spender, uint256 allowance, uint256 needed)` */
  InsufficientAllowance: "fb8f41b2",
  /** `ERC20InvalidApprover(address approver)` */
  InvalidApprover: "e602df05",
  /** `ERC20InvalidSpender(address spender)` */
  InvalidSpender: "94280d62",
} as const;

export type Erc20Error = keyof typeof ERC20_ERRORS;

/** The argument types of each error, in order. */
const ARGS: Record<Erc20Error, readonly string[]> = {
  InsufficientBalance: ["address", "uint256", "uint256"],
  InvalidSender: ["address"],
  InvalidReceiver: ["address"],
  InsufficientAllowance: ["address", "uint256", "uint256"],
  InvalidApprover: ["address"],
  InvalidSpender: ["address"],
};

/** A revert with custom error `error` and its ABI-encoded `args` as the data (code 3), as geth answers it. */
export function erc20Revert(error: Erc20Error, args: readonly unknown[]): JSONRPCErrorException {
  return rpcError(RpcCode.EXECUTION_REVERTED, "execution reverted", "0x" + ERC20_ERRORS[error] + encodeArgs(ARGS[error], args).slice(2));
}
