/**
 * How a node's store writes blocks and accounts: explicit records of strings and numbers, so
 * that writing one is a plain `JSON.stringify` (the sequencer writes a block every few
 * milliseconds under load). A transaction is kept as its raw bytes and what executing it gave;
 * its fields and signature are decoded again from the raw bytes on load.
 */
import type { TxResult } from "../../core/execute";
import type { Withdrawal } from "../../core/hashing";
import { decodeTransactionFields } from "../../core/intake";
import type { L2Block } from "../../chain/chainStore";

export interface StoredAccount {
  address: string;
  nonce: bigint;
  balance: bigint;
  tokens: Array<[number, bigint]>;
  /** The allowances the account has given, by allowance key (allowanceTree.ts); absent when it has given none. */
  allowances?: Array<[number, bigint]>;
}

type WithdrawalRecord = [id: string, l2Sender: string, l1Recipient: string, l1Token: string, amount: string];
type TxRecord = [hash: string, from: string, raw: string, gasUsed: string, effectiveGasPrice: string, logs: TxResult["logs"], withdrawal: WithdrawalRecord | null];

interface BlockRecord {
  number: number;
  hash: string;
  parentHash: string;
  timestamp: number;
  stateRoot: string;
  baseFee: string;
  feeRecipient: string;
  gasUsed: string;
  body: string;
  withdrawals: WithdrawalRecord[];
  queueIndex: string;
  txs: TxRecord[];
}

const withdrawalRecord = (w: Withdrawal): WithdrawalRecord => [w.id.toString(), w.l2Sender, w.l1Recipient, w.l1Token, w.amount.toString()];
const withdrawalOf = (r: WithdrawalRecord): Withdrawal => ({ id: BigInt(r[0]), l2Sender: r[1], l1Recipient: r[2], l1Token: r[3], amount: BigInt(r[4]) });

/** A block as stored (its batch is recorded separately). */
export function blockRecord(b: L2Block): string {
  const record: BlockRecord = {
    number: b.number,
    hash: b.hash,
    parentHash: b.parentHash,
    timestamp: b.timestamp,
    stateRoot: b.stateRoot,
    baseFee: b.baseFee.toString(),
    feeRecipient: b.feeRecipient,
    gasUsed: b.gasUsed.toString(),
    body: b.body.toString("hex"),
    withdrawals: b.withdrawals.map(withdrawalRecord),
    queueIndex: b.queueIndex.toString(),
    txs: b.transactions.map((t) => [t.hash, t.from, t.raw.toString("hex"), t.gasUsed.toString(), t.effectiveGasPrice.toString(), t.logs, t.withdrawal ? withdrawalRecord(t.withdrawal) : null]),
  };
  return JSON.stringify(record);
}

export function blockFromRecord(text: string, chainId: bigint): L2Block {
  const r = JSON.parse(text) as BlockRecord;
  const transactions = r.txs.map(([hash, from, rawHex, gasUsed, price, logs, withdrawal]): TxResult => {
    const raw = Buffer.from(rawHex, "hex");
    const { unsigned, sig } = decodeTransactionFields(raw, chainId);
    const made = withdrawal ? withdrawalOf(withdrawal) : undefined;
    return { type: "tx", hash, from, tx: unsigned, raw, signature: sig, gasUsed: BigInt(gasUsed), effectiveGasPrice: BigInt(price), logs, withdrawal: made };
  });
  return {
    number: r.number,
    hash: r.hash,
    parentHash: r.parentHash,
    timestamp: r.timestamp,
    stateRoot: r.stateRoot,
    baseFee: BigInt(r.baseFee),
    feeRecipient: r.feeRecipient,
    gasUsed: BigInt(r.gasUsed),
    transactions,
    body: Buffer.from(r.body, "hex"),
    withdrawals: r.withdrawals.map(withdrawalOf),
    queueIndex: BigInt(r.queueIndex),
    batchIndex: null,
  };
}

type Amounts = Array<[number, bigint]> | ReadonlyMap<number, bigint>;

const amountsRecord = (amounts: Amounts): Array<[number, string]> => [...amounts].map(([key, v]) => [key, v.toString()]);

/**
 * An account as stored: address, nonce, balance, token balances and — only when it has given
 * any, so that the most common record stays as short as before allowances — its allowances.
 */
export function accountRecord(a: StoredAccount | { address: string; nonce: bigint; balance: bigint; tokens: ReadonlyMap<number, bigint>; allowances?: ReadonlyMap<number, bigint> }): string {
  const fields: unknown[] = [a.address, a.nonce.toString(), a.balance.toString(), amountsRecord(a.tokens)];
  const allowances = a.allowances ?? [];
  if ((Array.isArray(allowances) ? allowances.length : (allowances as ReadonlyMap<number, bigint>).size) > 0) fields.push(amountsRecord(allowances));
  return JSON.stringify(fields);
}

export function accountFromRecord(text: string): StoredAccount {
  const [address, nonce, balance, tokens, allowances] = JSON.parse(text) as [string, string, string, Array<[number, string]>, Array<[number, string]>?];
  const account: StoredAccount = { address, nonce: BigInt(nonce), balance: BigInt(balance), tokens: tokens.map(([id, v]) => [id, BigInt(v)]) };
  if (allowances) account.allowances = allowances.map(([key, v]) => [key, BigInt(v)]);
  return account;
}
