/**
 * What a call request would do if it were sent, in core's terms (an operation to estimate), and
 * the refusals eth_estimateGas and eth_call answer for one that could not be sent.
 */
import type { JSONRPCErrorException } from "json-rpc-2.0";
import type { AccountsView } from "../../chain/stateReader";
import { SELECTOR_APPROVE, SELECTOR_TRANSFER, SELECTOR_TRANSFER_FROM, SELECTOR_WITHDRAW, WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "../../core/constants";
import { bytesToAddress, bytesToBigint } from "../../core/bytes";
import type { IntendedOp } from "../../core/estimate";
import { rpcError, RpcCode } from "../errors";
import type { CallRequest } from "../params";
import { MULTICALL3 } from "./multicall";

/** A call request with the contract it calls: Cairn creates no contracts. */
export function requireTarget(req: CallRequest): string {
  if (!req.to) throw rpcError(RpcCode.SERVER, "unsupported call: contract creation is not supported on Cairn");
  return req.to;
}

/** The refusal of calldata sent to an address that is not one of Cairn's native contracts. */
export function notAContract(to: string): JSONRPCErrorException {
  return rpcError(RpcCode.SERVER, `unsupported call: ${to} is not a contract on Cairn`);
}

/** The token calls a transaction can make: the rest of a token's selectors are views. */
const TOKEN_WRITES: ReadonlyMap<string, { words: number; signature: string }> = new Map([
  [SELECTOR_TRANSFER, { words: 2, signature: "transfer(address,uint256)" }],
  [SELECTOR_APPROVE, { words: 2, signature: "approve(address,uint256)" }],
  [SELECTOR_TRANSFER_FROM, { words: 3, signature: "transferFrom(address,address,uint256)" }],
]);

/** Whether `to` is answered as a view: Multicall3, or a token called with anything but transfer, approve or transferFrom. */
export function isView(backend: { readonly state: AccountsView }, to: string, data: Buffer): boolean {
  return to === MULTICALL3 || (backend.state.tokenByL2Address(to) !== undefined && !TOKEN_WRITES.has(data.subarray(0, 4).toString("hex")));
}

/** The operation a request to `to` that is not a view would be. */
export function intentOf(backend: { readonly state: AccountsView }, req: CallRequest, to: string): IntendedOp {
  const { data } = req;
  if (to === WITHDRAWAL_PREDEPLOY) {
    if (data.length !== 100 || data.subarray(0, 4).toString("hex") !== SELECTOR_WITHDRAW) {
      throw rpcError(RpcCode.EXECUTION_REVERTED, "execution reverted: the withdrawal predeploy only takes withdraw(address,address,uint256)");
    }
    // An unknown token is quoted as a known one: sending it is refused at intake.
    const tokenWord = data.subarray(36, 68);
    return { kind: "withdrawal", tokenId: tokenWord.equals(Buffer.alloc(32)) ? null : (backend.state.tokenByL2Address(bytesToAddress(tokenWord.subarray(12)))?.id ?? 0) };
  }
  const token = backend.state.tokenByL2Address(to);
  if (token) {
    const selector = data.subarray(0, 4).toString("hex");
    const write = TOKEN_WRITES.get(selector) ?? TOKEN_WRITES.get(SELECTOR_TRANSFER)!;
    // Exactly the arguments, as intake takes them: the packed operation rebuilds no other bytes.
    if (data.length !== 4 + 32 * write.words) throw rpcError(RpcCode.EXECUTION_REVERTED, `execution reverted: malformed ${write.signature} call`);
    const address = (word: number) => bytesToAddress(data.subarray(4 + 32 * word + 12, 4 + 32 * (word + 1)));
    const amount = (word: number) => bytesToBigint(data.subarray(4 + 32 * word, 4 + 32 * (word + 1)));
    const sender = (req.from ?? ZERO_ADDRESS).toLowerCase();
    if (selector === SELECTOR_APPROVE) return { kind: "approve", tokenId: token.id, owner: sender, spender: address(0), amount: amount(1) };
    if (selector === SELECTOR_TRANSFER_FROM) return { kind: "transfer-from", tokenId: token.id, owner: address(0), spender: sender, to: address(1), amount: amount(2) };
    return { kind: "token-transfer", tokenId: token.id, to: address(0) };
  }
  if (data.length > 0) throw notAContract(to);
  return { kind: "eth-transfer", to };
}

/** Refuses a request whose sender cannot pay the value it sends. */
export function requireFunds(backend: { readonly state: AccountsView }, req: CallRequest): void {
  if (!req.from || req.value === 0n) return;
  const balance = backend.state.accountOf(req.from)?.balance ?? 0n;
  if (balance < req.value) throw rpcError(RpcCode.SERVER, `insufficient funds for transfer: balance ${balance}, value ${req.value}`);
}
