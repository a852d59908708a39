/**
 * A Rollup on the in-process Hardhat L1 to post blob batches to by hand (any bytes, any claims)
 * and to prove them wrong: what the contract tests and the blob property test share.
 */
import { ethers } from "hardhat";
import { HDNodeWallet, Mnemonic, type TransactionReceipt } from "ethers";
import { deployCairn } from "../../deploy/cairn";
import { DEVNET_PARAMS } from "../../deploy/params";
import { encodeBatch } from "../../src/core/commitment";
import { encodeBlob } from "../../src/core/blobLayout";
import { summarizeEnvelope, type EnvelopeSummary } from "../../src/core/batchEnvelope";
import { L1Contracts } from "../../src/node/l1/contracts";
import { L1TxManager } from "../../src/node/l1/txManager";
import { blobClaimIn } from "../../src/node/l1/blobBatchReader";
import type { BlobBatchPosting } from "../../src/node/l1/batchClaim";
import { blobFraudCalldata } from "../../src/node/challenger/blobFraudProver";
import { silentLogger } from "../../src/shared/logger";

/** Hardhat's account 0 (the devnet's sequencer) as a key, which can sign blob transactions. */
export const sequencerKey = () => HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase("test test test test test test test test test test test junk"), "m/44'/60'/0'/0/0").connect(ethers.provider);

/** Enough gas for six blobs' submission (L1 estimates without the blobs, so none is asked). */
export const MULTI_BLOB_GAS_LIMIT = 600_000n;

export async function l1Now(): Promise<bigint> {
  return BigInt((await ethers.provider.getBlock("latest"))!.timestamp);
}

/** A body that BatchCodec reads (root, flags 0, timestamp) followed by `tail`, which only a fraud proof decodes. */
export function rawBody(postStateRoot: string, timestamp: bigint, tail: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([Buffer.from(postStateRoot.slice(2), "hex"), Buffer.from([0]), Buffer.from(timestamp.toString(16).padStart(10, "0"), "hex"), tail]);
}

/** Honest claims for blobs of these bodies, chained from `preStateRoot` and `previous` (checked against L1 time `now`). */
export function chainedClaims(groups: Buffer[][], preStateRoot: string, previous: bigint, now: bigint): EnvelopeSummary[] {
  const claims: EnvelopeSummary[] = [];
  let pre = preStateRoot;
  let last = previous;
  for (const bodies of groups) {
    const s = summarizeEnvelope(encodeBatch(bodies), pre, last, now);
    claims.push(s);
    pre = s.postStateRoot;
    last = s.lastTimestamp;
  }
  return claims;
}

export async function blobRollup() {
  const [deployer, other, challenger] = await ethers.getSigners();
  const d = await deployCairn(deployer, DEVNET_PARAMS);
  await (await d.rollup.postBond({ value: DEVNET_PARAMS.bondSize })).wait();
  const l1 = new L1Contracts(ethers.provider, d.addresses);
  const txs = new L1TxManager(sequencerKey(), { logger: silentLogger });
  const genesis = await d.rollup.genesisStateRoot();
  const rebond = async () => {
    if ((await d.rollup.bonds(deployer.address)) === 0n) await (await d.rollup.postBond({ value: DEVNET_PARAMS.bondSize })).wait();
  };
  /** Posts `blobs` with `claims` as batch `index` on `preStateRoot`; returns the receipt and what BlobBatchPosted logged. */
  const post = async (index: number, blobs: Buffer[], claims: EnvelopeSummary[], preStateRoot = genesis): Promise<{ receipt: TransactionReceipt; posting: BlobBatchPosting }> => {
    const data = d.rollup.interface.encodeFunctionData("submitBlobBatch", [index, preStateRoot, 0, claims]);
    const receipt = await txs.send({ to: d.addresses.rollup, data, gasLimit: MULTI_BLOB_GAS_LIMIT, blobs }, `blob batch ${index}`);
    return { receipt, posting: blobClaimIn(l1, receipt, index)! };
  };
  /** Sends Rollup.proveBlobFraud for blob `blobIndex` (whose bytes are `blob`) of batch `index`. */
  const proveBlob = async (index: number, posting: BlobBatchPosting, blobIndex: number, blob: Buffer, calldata?: string) =>
    challenger.sendTransaction({ to: d.addresses.rollup, data: calldata ?? (await blobFraudCalldata(l1, { batchIndex: index, posting, blobIndex, blob })), gasLimit: 16_000_000 });
  const faultOf = (receipt: TransactionReceipt | null) => {
    const event = receipt!.logs.map((l) => d.rollup.interface.parseLog(l)).find((p) => p?.name === "BlobBatchFraudProven");
    return event ? { blob: Number(event.args.blobIndex), fault: Number(event.args.fault) } : null;
  };
  return { ...d, deployer, other, challenger, l1, txs, genesis, rebond, post, proveBlob, faultOf, encodeBlob: (bodies: Buffer[]) => encodeBlob(encodeBatch(bodies)) };
}
