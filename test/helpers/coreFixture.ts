import { Interface, Wallet, type HDNodeWallet, type TransactionRequest } from "ethers";
import { L2State } from "../../src/core/state";
import { BlockBuilder } from "../../src/core/blockBuilder";
import { QueueKind } from "../../src/core/constants";
import type { QueueEntry } from "../../src/core/queueOps";
import { parseRawTransaction } from "../../src/core/intake";

export const CHAIN_ID = 51730n;
export const BASE_FEE = 10_000_000n;
export const GWEI = 10n ** 9n;
export const ETH = 10n ** 18n;

/** A pure in-memory L2 with an L1 queue the test appends to. */
export class CoreChain {
  readonly state = L2State.genesis();
  readonly queue: QueueEntry[] = [];

  enqueue(kind: QueueKind, account: string, amount: bigint, tokenId = 0): void {
    this.queue.push({ index: BigInt(this.queue.length), kind, account: account.toLowerCase(), tokenId, amount });
  }

  builder(feeRecipient = 0): BlockBuilder {
    return new BlockBuilder(this.state, {
      chainId: CHAIN_ID,
      baseFee: BASE_FEE,
      feeRecipient,
      queueEntry: (i) => this.queue[Number(i)],
    });
  }

  /** Applies every pending queue entry in one block. */
  drainQueue() {
    const b = this.builder();
    while (this.state.queueIndex < BigInt(this.queue.length)) b.addQueueEntry();
    return b.seal(1_700_000_000);
  }
}

export const fees = { type: 2, maxFeePerGas: 2n * BASE_FEE, maxPriorityFeePerGas: 0n, gasLimit: 100_000n, chainId: CHAIN_ID } as const;

export async function signParsed(wallet: Wallet | HDNodeWallet, tx: TransactionRequest) {
  const raw = await wallet.signTransaction({ ...fees, ...tx });
  return parseRawTransaction(raw, CHAIN_ID);
}

/** The L1 token a {@link fundedChain} registers (token id 0). */
export const L1_TOKEN = "0x00000000000000000000000000000000000abcde";

/** Calldata a wallet sends to a bridged token and to the withdrawal predeploy. */
export const erc20 = new Interface([
  "function transfer(address to, uint256 amount)",
  "function approve(address spender, uint256 amount)",
  "function transferFrom(address owner, address to, uint256 amount)",
]);
export const predeploy = new Interface(["function withdraw(address l1Recipient, address token, uint256 amount)"]);

/** A chain with {@link L1_TOKEN} registered and alice holding 5 ETH and 1,000 of it; bob is new. */
export function fundedChain() {
  const alice = Wallet.createRandom();
  const bob = Wallet.createRandom();
  const chain = new CoreChain();
  chain.enqueue(QueueKind.TOKEN_REGISTRATION, L1_TOKEN, 0n, 0);
  chain.enqueue(QueueKind.ETH_DEPOSIT, alice.address, 5n * ETH);
  chain.enqueue(QueueKind.TOKEN_DEPOSIT, alice.address, 1000n, 0);
  chain.drainQueue();
  return { chain, alice, bob };
}

export { QueueKind };
