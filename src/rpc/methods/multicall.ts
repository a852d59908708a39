/**
 * Cairn's Multicall3, at its canonical address: viem and wagmi batch view calls through its
 * aggregate3, and read the block through its views. Native, like the tokens: no bytecode runs.
 */
import type { Result } from "ethers";
import { JSONRPCErrorException } from "json-rpc-2.0";
import { CalldataError, rpcError, RpcCode } from "../errors";
import type { CallRequest } from "../params";
import { decodeArgs, encodeArgs, readValues } from "./abi";
import type { CallBackend } from "./method";

/** Multicall3's canonical address. */
export const MULTICALL3 = "0xca11bde05977b3631167028862be2a173976ca11";

const SELECTORS = { aggregate3: "82ad56cb", getEthBalance: "4d2301cc", getBlockNumber: "42cbb15c", getCurrentBlockTimestamp: "0f28c97d", getChainId: "3408e470", getBasefee: "3e64a696" };

/** How a call to another contract is answered: aggregate3 makes each of its calls through it. */
export type Call = (req: CallRequest) => string;

/** A call to Multicall3 at the block `backend` is at, its sub-calls made through `call`. */
export function multicall(backend: CallBackend, req: CallRequest, call: Call): string {
  try {
    return answer(backend, req, call);
  } catch (e) {
    // Calldata too short for its types reverts with no data, as everywhere (see errorResponse);
    // a value that does not fit its type is named a malformed call.
    if (e instanceof CalldataError && e.reason === "invalid-value") throw rpcError(RpcCode.EXECUTION_REVERTED, "execution reverted: malformed Multicall3 call");
    throw e;
  }
}

function answer(backend: CallBackend, req: CallRequest, call: Call): string {
  const selector = req.data.subarray(0, 4).toString("hex");
  const args = req.data.subarray(4);
  const uint = (v: bigint | number) => encodeArgs(["uint256"], [v]);
  switch (selector) {
    case SELECTORS.aggregate3:
      return aggregate3(args, call);
    case SELECTORS.getEthBalance: {
      const [owner] = readValues(decodeArgs(["address"], args)) as [string];
      return uint(backend.state.accountOf(owner.toLowerCase())?.balance ?? 0n);
    }
    case SELECTORS.getBlockNumber:
      return uint(backend.block.number);
    case SELECTORS.getCurrentBlockTimestamp:
      return uint(backend.block.timestamp);
    case SELECTORS.getChainId:
      return uint(backend.chainId);
    case SELECTORS.getBasefee:
      return uint(backend.baseFee);
    default:
      throw rpcError(RpcCode.EXECUTION_REVERTED, `execution reverted: Cairn's Multicall3 answers aggregate3 and its block views, not selector 0x${selector}`);
  }
}

/** Each call's result, or for one allowed to fail that failed, (false, "0x"); one not allowed to fails the whole. */
function aggregate3(args: Buffer, call: Call): string {
  const calls = decodeArgs(["(address target, bool allowFailure, bytes callData)[]"], args)[0] as Result;
  const results: Array<[boolean, string]> = [];
  // In order, each call's values read just before it is made: a malformed call fails only once the calls before it have.
  for (let i = 0; i < calls.length; i++) {
    const [target, allowFailure, callData] = readValues(calls[i] as Result) as [string, boolean, string];
    results.push(subcall(target, allowFailure, callData, call));
  }
  return encodeArgs(["(bool success, bytes returnData)[]"], [results]);
}

function subcall(target: string, allowFailure: boolean, callData: string, call: Call): [boolean, string] {
  try {
    // msg.sender of each call is Multicall3 itself, as on Ethereum: a token's transfer, approve or
    // transferFrom through it acts on Multicall3's balance and allowances, not the caller's.
    return [true, call({ to: target.toLowerCase(), value: 0n, data: Buffer.from(callData.slice(2), "hex"), from: MULTICALL3 })];
  } catch (e) {
    if (!(e instanceof JSONRPCErrorException || e instanceof CalldataError)) throw e;
    if (!allowFailure) throw rpcError(RpcCode.EXECUTION_REVERTED, `execution reverted: Multicall3: call to ${target} failed`);
    return [false, "0x"];
  }
}
