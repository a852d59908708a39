/** An address's page: its balances and nonce, its transactions (paged), and its L1 queue entries. */
import { WITHDRAWAL_PREDEPLOY } from "../../core/constants";
import type { TokenBalance } from "../../chain/api";
import type { AddressPage } from "../api";
import type { ExplorerData } from "../data";

export const TXS_PER_PAGE = 25;
/** L1 queue entries shown: the latest; an account has few. */
const DEPOSITS_SHOWN = 25;

/** The page of `address` (lower-case 0x and 40 hex digits). Every address has one: an unused one shows empty. */
export async function addressPage(data: ExplorerData, address: string, page: number): Promise<AddressPage> {
  const view = await data.fresh();
  const [balance, nonce, tokens] = (await Promise.all([
    data.l2.send("eth_getBalance", [address, "latest"]),
    data.l2.send("eth_getTransactionCount", [address, "latest"]),
    data.l2.send("rollup_getTokenBalances", [address, "latest"]),
  ])) as [string, string, TokenBalance[]];
  const token = data.tokenAt(address);
  const txs = data.index.txsOf(address, page, TXS_PER_PAGE);
  return {
    address,
    role: address === WITHDRAWAL_PREDEPLOY ? "withdrawal predeploy" : token ? "token" : "account",
    token,
    balance: BigInt(balance).toString(),
    nonce: Number(nonce),
    tokens: tokens.map((t) => ({ id: t.tokenId, l1Token: t.l1Token, l2Token: t.l2Token, symbol: t.symbol, decimals: t.decimals, balance: BigInt(t.balance).toString() })),
    txs: { page, pageSize: TXS_PER_PAGE, total: txs.total, items: txs.items },
    deposits: data.history.queue
      .filter((q) => q.account.toLowerCase() === address && q.kind !== "token-registration")
      .slice(-DEPOSITS_SHOWN)
      .reverse()
      .map((q) => ({
        index: q.index,
        kind: q.kind,
        amount: q.amount.toString(),
        token: q.kind.includes("token") ? data.tokenById(q.tokenId) : null,
        l1Sender: q.l1Sender,
        l1Tx: q.l1Tx,
        time: q.time,
        credited: q.index < view.status.queueConsumed,
      })),
  };
}
