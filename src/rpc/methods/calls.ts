/**
 * eth_call: Cairn has no general contracts, so a call reaches one of its native ones — a
 * bridged token, Multicall3, the withdrawal predeploy — or an account, which answers nothing.
 * It reads the state of the block it is made at (see stateAt).
 */
import type { L2Backend } from "../../chain/backend";
import { WITHDRAWAL_PREDEPLOY } from "../../core/constants";
import type { CallRequest } from "../params";
import * as p from "../params";
import { notAContract, requireTarget } from "./intent";
import type { Methods } from "./method";
import { callAt, type CallBackend } from "./method";
import { MULTICALL3, multicall } from "./multicall";
import { tokenCall } from "./tokens";

/** What a call returns (0x ABI data), or the refusal it is answered with. */
export function callContract(backend: CallBackend, req: CallRequest): string {
  const to = requireTarget(req);
  if (to === MULTICALL3) return multicall(backend, req, (sub) => callContract(backend, sub));
  const token = backend.state.tokenByL2Address(to);
  if (token) return tokenCall(backend, token.id, req, to);
  if (req.data.length === 0 || to === WITHDRAWAL_PREDEPLOY) return "0x";
  throw notAContract(to);
}

export function callMethods(backend: L2Backend): Methods {
  return {
    eth_call: ([req, tag]) => {
      const at = callAt(backend, p.blockRef(tag));
      return callContract(at, p.callRequest(req));
    },
  };
}
