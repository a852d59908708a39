/**
 * What a Cairn transaction and its logs mean, read from their bytes. Cairn has only a few kinds
 * of transaction (core/intake.ts), and the L2 includes only those that executed, so calldata
 * decodes with certainty: a page can show a token transfer's recipient and amount, an approve's
 * spender and allowance, a transferFrom's owner, recipient and amount, and a withdrawal's, from
 * the block alone, without a receipt per transaction.
 */
import { AbiCoder, isError } from "ethers";
import {
  SELECTOR_APPROVE,
  SELECTOR_TRANSFER,
  SELECTOR_TRANSFER_FROM,
  SELECTOR_WITHDRAW,
  TOPIC_APPROVAL,
  TOPIC_TRANSFER,
  TOPIC_WITHDRAWAL,
  WITHDRAWAL_PREDEPLOY,
  ZERO_ADDRESS,
} from "../core/constants";
import { MAX_UINT256 } from "../core/bytes";
import type { TokenRef, TxKind } from "./api";

const coder = AbiCoder.defaultAbiCoder();

/** The fields of a transaction that say what it moved. */
export interface RawTx {
  to: string | null;
  value: string;
  input: string;
}

export interface Movement {
  kind: TxKind;
  /** The recipient, or an approve's spender. */
  recipient: string;
  /** The amount moved, or an approve's allowance. */
  amount: bigint;
  token: TokenRef | null;
  /** Whose tokens a transferFrom moved; null for the other kinds. */
  owner: string | null;
}

const lower = (a: string) => a.toLowerCase();

/** The token whose L2 address is `address`, from the registrations known. */
export type TokenLookup = (l2Address: string) => TokenRef | null;

/**
 * Kind, recipient (or spender) and amount of a transaction (a withdrawal's recipient is on L1).
 * A contract call whose calldata starts with a token selector but does not decode (experimental
 * EVM mode lets any calldata reach a contract) is shown as a plain transfer of its value.
 */
export function movementOf(tx: RawTx, tokenAt: TokenLookup): Movement {
  try {
    return decodedMovement(tx, tokenAt);
  } catch (e) {
    // ethers' ABI decoder throws plain Errors on such calldata: BUFFER_OVERRUN when short, a
    // deferred error (no code) for a word that is not an address.
    if (!(e instanceof Error)) throw e;
    return { kind: "transfer", recipient: lower(tx.to ?? ZERO_ADDRESS), amount: BigInt(tx.value), token: null, owner: null };
  }
}

function decodedMovement(tx: RawTx, tokenAt: TokenLookup): Movement {
  const to = lower(tx.to ?? ZERO_ADDRESS);
  const input = tx.input.toLowerCase();
  const args = <T>(types: string[]) => coder.decode(types, "0x" + input.slice(10)) as unknown as T;
  if (to === WITHDRAWAL_PREDEPLOY && input.startsWith("0x" + SELECTOR_WITHDRAW)) {
    const [l1Recipient, token, amount] = args<[string, string, bigint]>(["address", "address", "uint256"]);
    return { kind: "withdrawal", recipient: lower(l1Recipient), amount, token: lower(token) === ZERO_ADDRESS ? null : tokenAt(lower(token)), owner: null };
  }
  if (input.startsWith("0x" + SELECTOR_TRANSFER)) {
    const [recipient, amount] = args<[string, bigint]>(["address", "uint256"]);
    return { kind: "token transfer", recipient: lower(recipient), amount, token: tokenAt(to), owner: null };
  }
  if (input.startsWith("0x" + SELECTOR_APPROVE)) {
    const [spender, amount] = args<[string, bigint]>(["address", "uint256"]);
    return { kind: "approve", recipient: lower(spender), amount, token: tokenAt(to), owner: null };
  }
  if (input.startsWith("0x" + SELECTOR_TRANSFER_FROM)) {
    const [owner, recipient, amount] = args<[string, string, bigint]>(["address", "address", "uint256"]);
    return { kind: "transferFrom", recipient: lower(recipient), amount, token: tokenAt(to), owner: lower(owner) };
  }
  return { kind: "transfer", recipient: to, amount: BigInt(tx.value), token: null, owner: null };
}

/** An amount in words for a log line: "1.5 CTT", or base units when the token is unknown. */
function amountText(amount: bigint, token: TokenRef | null, fallback: string): string {
  if (!token) return `${amount} (base units of ${fallback})`;
  const scale = 10n ** BigInt(token.decimals);
  const frac = (amount % scale).toString().padStart(token.decimals, "0").replace(/0+$/, "");
  return `${amount / scale}${frac ? "." + frac : ""} ${token.symbol}`;
}

const topicAddress = (topic: string) => ("0x" + topic.slice(26)).toLowerCase();

/** A Transfer, Approval or WithdrawalInitiated log in words; null for any other. */
export function describeLog(log: { address: string; topics: string[]; data: string }, tokenAt: TokenLookup, tokenOnL1: (l1: string) => TokenRef | null): string | null {
  const topic = log.topics[0]?.toLowerCase();
  try {
    if (topic === TOPIC_TRANSFER && log.topics.length === 3) {
      const [amount] = coder.decode(["uint256"], log.data) as unknown as [bigint];
      const to = topicAddress(log.topics[2]);
      const what = amountText(amount, tokenAt(lower(log.address)), log.address);
      return lower(to) === ZERO_ADDRESS ? `Transfer: ${what} from ${topicAddress(log.topics[1])} burned (withdrawn to L1)` : `Transfer: ${what} from ${topicAddress(log.topics[1])} to ${to}`;
    }
    if (topic === TOPIC_APPROVAL && log.topics.length === 3) {
      const [amount] = coder.decode(["uint256"], log.data) as unknown as [bigint];
      // 2^256 − 1 is OpenZeppelin's infinite allowance: transferFrom never decreases it.
      const what = amount === MAX_UINT256 ? `an unlimited amount of ${tokenAt(lower(log.address))?.symbol ?? log.address}` : amountText(amount, tokenAt(lower(log.address)), log.address);
      return `Approval: ${topicAddress(log.topics[1])} allows ${topicAddress(log.topics[2])} to spend ${what}`;
    }
    if (topic === TOPIC_WITHDRAWAL && log.topics.length === 4) {
      const [l1Token, amount] = coder.decode(["address", "uint256"], log.data) as unknown as [string, bigint];
      const token = lower(l1Token) === ZERO_ADDRESS ? null : tokenOnL1(lower(l1Token));
      const what = lower(l1Token) === ZERO_ADDRESS ? amountText(amount, { id: -1, l1Token: ZERO_ADDRESS, l2Token: ZERO_ADDRESS, symbol: "ETH", decimals: 18 }, "ETH") : amountText(amount, token, l1Token);
      return `WithdrawalInitiated: withdrawal ${BigInt(log.topics[1])} of ${what} from ${topicAddress(log.topics[2])} to ${topicAddress(log.topics[3])} on L1`;
    }
  } catch (e) {
    // Data that does not decode as the event's: shown raw, as any unknown log.
    if (isError(e, "BUFFER_OVERRUN") || isError(e, "INVALID_ARGUMENT")) return null;
    throw e;
  }
  return null;
}
