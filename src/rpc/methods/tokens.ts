/**
 * Calls to a bridged token's L2 address: ERC-20's views from the L2 state and the token's L1
 * registration, and transfer checked as it would be sent (a token is native: no bytecode runs).
 */
import { SELECTOR_TRANSFER, ZERO_ADDRESS } from "../../core/constants";
import { rpcError, RpcCode } from "../errors";
import type { CallRequest } from "../params";
import { decodeArgs, encodeArgs, readValues } from "./abi";
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
};

/** `ERC20InsufficientBalance(address sender, uint256 balance, uint256 needed)`, OpenZeppelin 5's (IERC6093). */
const ERC20_INSUFFICIENT_BALANCE = "e450d38c";

/** A revert with custom error `selector` and its ABI-encoded `args` as the data, as geth answers it. */
function reverted(selector: string, args: string) {
  return rpcError(RpcCode.EXECUTION_REVERTED, "execution reverted", "0x" + selector + args.slice(2));
}

/** A call to token `tokenId` at `to`, read at the block `backend` is at. */
export function tokenCall(backend: CallBackend, tokenId: number, req: CallRequest, to: string): string {
  const selector = req.data.subarray(0, 4).toString("hex");
  const meta = backend.tokenMetadata(tokenId);
  switch (selector) {
    case SELECTORS.balanceOf: {
      const [owner] = readValues(decodeArgs(["address"], req.data.subarray(4))) as [string];
      const i = backend.state.indexOf(owner.toLowerCase());
      return encodeArgs(["uint256"], [i === undefined ? 0n : backend.state.tokenBalance(i, tokenId)]);
    }
    case SELECTORS.decimals:
      return encodeArgs(["uint8"], [meta?.decimals ?? 18]);
    case SELECTORS.symbol:
      return encodeArgs(["string"], [meta?.symbol ?? ""]);
    case SELECTORS.name:
      return encodeArgs(["string"], [meta?.name ?? ""]);
    case SELECTORS.totalSupply:
      return encodeArgs(["uint256"], [backend.state.tokenSupply(tokenId)]);
    case SELECTORS.allowance:
      return encodeArgs(["uint256"], [0n]);
    case SELECTORS.transfer: {
      intentOf(backend, req, to);
      requireFunds(backend, req);
      const [, amount] = readValues(decodeArgs(["address", "uint256"], req.data.subarray(4))) as [string, bigint];
      // As OpenZeppelin 5's ERC20 reverts, so ethers and viem decode the same error they would on L1.
      const sender = (req.from ?? ZERO_ADDRESS).toLowerCase();
      const i = backend.state.indexOf(sender);
      const balance = i === undefined ? 0n : backend.state.tokenBalance(i, tokenId);
      if (balance < amount) throw reverted(ERC20_INSUFFICIENT_BALANCE, encodeArgs(["address", "uint256", "uint256"], [sender, balance, amount]));
      return encodeArgs(["bool"], [true]);
    }
    default:
      throw rpcError(RpcCode.EXECUTION_REVERTED, `execution reverted: Cairn tokens answer name, symbol, decimals, totalSupply, balanceOf, allowance and transfer; not selector 0x${selector}`);
  }
}
