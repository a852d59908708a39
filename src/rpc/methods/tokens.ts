/**
 * Calls to a bridged token's L2 address: ERC-20's views from the L2 state and the token's L1
 * registration, and transfer checked as it would be sent (a token is native: no bytecode runs).
 */
import { SELECTOR_TRANSFER } from "../../core/constants";
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
    case SELECTORS.transfer:
      intentOf(backend, req, to);
      requireFunds(backend, req);
      return encodeArgs(["bool"], [true]);
    default:
      throw rpcError(RpcCode.EXECUTION_REVERTED, `execution reverted: Cairn tokens answer name, symbol, decimals, totalSupply, balanceOf, allowance and transfer; not selector 0x${selector}`);
  }
}
