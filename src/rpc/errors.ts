/**
 * JSON-RPC errors worded and coded as geth words and codes them: ethers and viem classify
 * failures by these phrases ("nonce too low", "insufficient funds", ...).
 */
import { JSONRPCErrorException } from "json-rpc-2.0";
import { CairnError, InvalidOperationError } from "../core/errors";

export const RpcCode = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
  SERVER: -32000,
  /** What providers answer when a client should back off and retry ("limit exceeded"). */
  LIMIT_EXCEEDED: -32005,
  EXECUTION_REVERTED: 3,
} as const;

/**
 * A request that asks for more than the node gives one request or one client (see limits.ts):
 * answered -32005 "limit exceeded: …", the message saying which limit and what to do.
 */
export class RpcLimitError extends CairnError {
  override readonly name = "RpcLimitError";
  readonly code = "RPC_LIMIT";
  /** The JSON-RPC error code it is answered with. */
  readonly rpcCode = RpcCode.LIMIT_EXCEEDED;

  constructor(limit: string) {
    super("limit exceeded", { details: limit });
  }
}

/**
 * Calldata that does not decode as the arguments its selector takes: too short for them, or a
 * value that does not fit its type (an address with high bits set, say).
 */
export class CalldataError extends CairnError {
  override readonly name = "CalldataError";
  readonly code = "CALLDATA";
  constructor(
    readonly reason: "short" | "invalid-value",
    cause: unknown,
  ) {
    super(`malformed calldata (${reason})`, { cause });
  }
}

export function rpcError(code: number, message: string, data?: unknown): JSONRPCErrorException {
  return new JSONRPCErrorException(message, code, data);
}

export function invalidParams(message: string): JSONRPCErrorException {
  return rpcError(RpcCode.INVALID_PARAMS, `invalid params: ${message}`);
}

const GETH_PHRASES: Record<InvalidOperationError["reason"], string> = {
  "nonce-too-low": "nonce too low",
  "nonce-too-high": "nonce too high",
  "insufficient-funds": "insufficient funds for gas * price + value",
  "insufficient-allowance": "execution reverted: ERC20InsufficientAllowance",
  "wrong-chain": "invalid chain id for signer",
  "bad-signature": "invalid sender",
  "fee-too-low": "max fee per gas less than block base fee",
  "gas-limit-too-low": "intrinsic gas too low",
  "gas-limit-too-high": "exceeds block gas limit",
  "unknown-token": "unknown token",
  "unknown-account": "unknown account",
  "account-exists": "account exists",
  unsupported: "transaction type not supported",
  malformed: "invalid transaction",
  overflow: "balance overflow",
  "queue-empty": "queue empty",
  "commitment-full": "block full",
};

/** Maps a refused transaction to geth's phrase, keeping Cairn's details after it. */
export function fromInvalidOperation(e: InvalidOperationError): JSONRPCErrorException {
  const phrase = e.reason === "unsupported" && !/type/.test(e.details ?? "") ? "unsupported call" : GETH_PHRASES[e.reason];
  return rpcError(RpcCode.SERVER, `${phrase}: ${e.details}`);
}
