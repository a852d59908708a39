/**
 * Cairn's packed payments path (src/core) on the benchmark's shapes, for comparison with the EVM
 * engines: ETH transfers and bridged-token transfers between funded holders, applied with
 * `BlockBuilder` — every validity rule, the fee, the receipt's logs — and each full commitment
 * (32 operations) sealed, which computes its state root. Signers are recovered before the clock
 * starts, as the engines' are.
 */
import { Interface, Wallet, keccak256, toUtf8Bytes } from "ethers";
import { L2State } from "../../src/core/state";
import { BlockBuilder } from "../../src/core/blockBuilder";
import { parseRawTransaction, type ParsedTx } from "../../src/core/intake";
import { QueueKind } from "../../src/core/constants";
import { l2TokenAddress } from "../../src/core/hashing";
import type { QueueEntry } from "../../src/core/queueOps";

const CHAIN_ID = 51730n;
const BASE_FEE = 10_000_000n;
const L1_TOKEN = "0x00000000000000000000000000000000000b0b0b";
const erc20 = new Interface(["function transfer(address to, uint256 amount)"]);

export interface PackedRun {
  txPerSec: number;
  seconds: number;
  txs: number;
  commitments: number;
}

/** ETH and bridged-token transfers, `senders × rounds` of each, through the packed path. */
export async function runPackedPath(senders: number, rounds: number): Promise<{ ethTransfer: PackedRun; tokenTransfer: PackedRun }> {
  const wallets = Array.from({ length: senders }, (_, i) => new Wallet(keccak256(toUtf8Bytes(`cairn:bench-evm:packed:${i}`))));
  const registration: QueueEntry = { index: 0n, kind: QueueKind.TOKEN_REGISTRATION, account: L1_TOKEN, tokenId: 0, amount: 0n };
  const params = { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 0, queueEntry: (i: bigint) => (i === 0n ? registration : undefined) };
  const state = L2State.genesis();
  const boot = new BlockBuilder(state, params);
  boot.addQueueEntry();
  boot.seal(1);
  for (const w of wallets) {
    const at = state.createAccount(w.address.toLowerCase());
    state.setBalance(at, 10n ** 21n);
    state.setTokenBalance(at, 0, 10n ** 24n);
  }
  const l2Token = l2TokenAddress(L1_TOKEN);
  const sign = async (to: (i: number, r: number) => { to: string; data: string; value: bigint; gasLimit: bigint; nonce?: number }): Promise<ParsedTx[]> => {
    const out: ParsedTx[] = [];
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < wallets.length; i++) {
        const raw = await wallets[i].signTransaction({
          type: 2,
          chainId: CHAIN_ID,
          nonce: r,
          maxFeePerGas: 2n * BASE_FEE,
          maxPriorityFeePerGas: 0n,
          ...to(i, r),
        });
        out.push(parseRawTransaction(raw, CHAIN_ID));
      }
    }
    return out;
  };
  const next = (i: number, r: number) => wallets[(i + 1 + r) % wallets.length].address;
  const eth = await sign((i, r) => ({ to: next(i, r), data: "0x", value: 10n ** 15n + BigInt(r), gasLimit: 21_000n }));
  const run = (txs: ParsedTx[]): PackedRun => {
    let commitments = 0;
    let t = 2;
    const start = process.hrtime.bigint();
    let builder = new BlockBuilder(state, params);
    for (const tx of txs) {
      if (builder.isFull) {
        builder.seal(t++);
        commitments++;
        builder = new BlockBuilder(state, params);
      }
      builder.addTransaction(tx);
    }
    builder.seal(t++);
    commitments++;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { txPerSec: Math.round(txs.length / seconds), seconds: Number(seconds.toFixed(3)), txs: txs.length, commitments };
  };
  const ethTransfer = run(eth);
  // Token transfers sign nonces after the ETH round's.
  const tokens = await sign((i, r) => ({ to: l2Token, data: erc20.encodeFunctionData("transfer", [next(i, r), 10n ** 18n + BigInt(r)]), value: 0n, gasLimit: 60_000n, nonce: rounds + r }));
  return { ethTransfer, tokenTransfer: run(tokens) };
}
