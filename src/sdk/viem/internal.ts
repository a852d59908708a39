/**
 * What the viem actions share: the sending account, a write to one of Cairn's contracts, and a
 * call of Cairn's own `rollup_*` methods. Each holds the one type cast its viem call needs (see
 * there), so that the actions themselves are typed end to end.
 */
import type { Abi, Account, Address, Chain, Client, Hash, Transport } from "viem";
import { writeContract } from "viem/actions";
import { SignerRequiredError } from "../errors";

/** The account that signs: the action's `account`, else the client's; {@link SignerRequiredError} when neither is set. */
export function senderOf(client: Client<Transport, Chain | undefined, Account | undefined>, account: Account | Address | undefined, action: string): Account | Address {
  const sender = account ?? client.account;
  if (!sender) throw new SignerRequiredError(action, "an account: pass `account`, or create the wallet client with one");
  return sender;
}

export function addressOf(account: Account | Address): Address {
  return typeof account === "string" ? account : account.address;
}

/**
 * `writeContract` on `abi` at `address`. The cast: viem types writeContract's parameters by
 * conditional types over the client's chain and account that TypeScript cannot resolve while
 * they are generic (viem's own actions cast to `any` at this point); the call is checked at
 * run time by viem's ABI encoder. Without a chain on the client, viem reads the chain id from
 * the node (`chain: null`) instead of refusing.
 */
export function write(
  client: Client<Transport, Chain | undefined, Account | undefined>,
  call: { address: string; abi: Abi; functionName: string; args: readonly unknown[]; value?: bigint; account: Account | Address },
): Promise<Hash> {
  return writeContract(client, { ...call, address: call.address as Address, chain: client.chain ?? null } as never);
}

/**
 * A `rollup_*` request. The cast: a client's `request` is typed by its RPC schema (the public
 * client's names only Ethereum's methods), and Cairn's methods are in none of viem's.
 */
export function cairnRequest<T>(client: Client, method: string, params: readonly unknown[]): Promise<T> {
  return client.request({ method, params } as never) as Promise<T>;
}
