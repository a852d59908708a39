/**
 * What a Cairn transaction and its logs mean, read from their bytes. Cairn has only three kinds
 * of transaction (core/intake.ts), and the L2 includes only those that executed, so calldata
 * decodes with certainty: a page can show a token transfer's recipient and amount, and a
 * withdrawal's, from the block alone, without a receipt per transaction.
 */
import { AbiCoder, isError } from "ethers";
import { SELECTOR_TRANSFER, SELECTOR_WITHDRAW, TOPIC_TRANSFER, TOPIC_WITHDRAWAL, WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "../core/constants";
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
  recipient: string;
  amount: bigint;
  token: TokenRef | null;
}

const lower = (a: string) => a.toLowerCase();

/** The token whose L2 address is `address`, from the registrations known. */
export type TokenLookup = (l2Address: string) => TokenRef | null;

/** Kind, recipient and amount of a transaction (a withdrawal's recipient is on L1). */
export function movementOf(tx: RawTx, tokenAt: TokenLookup): Movement {
  const to = lower(tx.to ?? ZERO_ADDRESS);
  const input = tx.input.toLowerCase();
  if (to === WITHDRAWAL_PREDEPLOY && input.startsWith("0x" + SELECTOR_WITHDRAW)) {
    const [l1Recipient, token, amount] = coder.decode(["address", "address", "uint256"], "0x" + input.slice(10)) as unknown as [string, string, bigint];
    return { kind: "withdrawal", recipient: lower(l1Recipient), amount, token: lower(token) === ZERO_ADDRESS ? null : tokenAt(lower(token)) };
  }
  if (input.startsWith("0x" + SELECTOR_TRANSFER)) {
    const [recipient, amount] = coder.decode(["address", "uint256"], "0x" + input.slice(10)) as unknown as [string, bigint];
    return { kind: "token transfer", recipient: lower(recipient), amount, token: tokenAt(to) };
  }
  return { kind: "transfer", recipient: to, amount: BigInt(tx.value), token: null };
}

/** An amount in words for a log line: "1.5 CTT", or base units when the token is unknown. */
function amountText(amount: bigint, token: TokenRef | null, fallback: string): string {
  if (!token) return `${amount} (base units of ${fallback})`;
  const scale = 10n ** BigInt(token.decimals);
  const frac = (amount % scale).toString().padStart(token.decimals, "0").replace(/0+$/, "");
  return `${amount / scale}${frac ? "." + frac : ""} ${token.symbol}`;
}

const topicAddress = (topic: string) => ("0x" + topic.slice(26)).toLowerCase();

/** A Transfer or WithdrawalInitiated log in words; null for any other. */
export function describeLog(log: { address: string; topics: string[]; data: string }, tokenAt: TokenLookup, tokenOnL1: (l1: string) => TokenRef | null): string | null {
  const topic = log.topics[0]?.toLowerCase();
  try {
    if (topic === TOPIC_TRANSFER && log.topics.length === 3) {
      const [amount] = coder.decode(["uint256"], log.data) as unknown as [bigint];
      const to = topicAddress(log.topics[2]);
      const what = amountText(amount, tokenAt(lower(log.address)), log.address);
      return lower(to) === ZERO_ADDRESS ? `Transfer: ${what} from ${topicAddress(log.topics[1])} burned (withdrawn to L1)` : `Transfer: ${what} from ${topicAddress(log.topics[1])} to ${to}`;
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
