/**
 * The blob-mode figures of `npm run bench`, measured beside the calldata ones on the same
 * commitments: the bodies of the ETH-transfer batch, repeated until they fill whole blobs (the
 * Rollup reads claims, never blob bytes, so copies cost L1 what fresh transfers would). Real
 * type-3 transactions are posted — one full blob, then six, the most a transaction carries — so
 * the execution gas is L1's own, divided by the transfers those blobs really hold (their KZG: a
 * few seconds on the KZG workers). The fraud proof is the worst one (a full payload of 256 commitments BatchCodec
 * walks to the end before refusing it, as the last blob of six), with its opening built for real.
 */
import hre from "hardhat";
import { HDNodeWallet, Mnemonic } from "ethers";
import { deployCairn } from "../deploy/cairn";
import { DEVNET_PARAMS } from "../deploy/params";
import { decodeCommitment, encodeBatch, encodeCommitment, encodeEmptyRun } from "../src/core/commitment";
import { BLOB_ENVELOPE_CAPACITY, BYTES_PER_BLOB, encodeBlob } from "../src/core/blobLayout";
import { summarizeEnvelope, type EnvelopeSummary } from "../src/core/batchEnvelope";
import { MAX_BLOBS_PER_BATCH, packBlobs, splitByCounts } from "../src/core/blobBatch";
import { L1Contracts } from "../src/node/l1/contracts";
import { L1TxManager } from "../src/node/l1/txManager";
import { blobClaimIn } from "../src/node/l1/blobBatchReader";
import { blobFraudCalldata } from "../src/node/challenger/blobFraudProver";
import { silentLogger } from "../src/shared/logger";

/** Six blobs' submission takes ~260k gas; L1 estimates without the blobs, so the limit is fixed. */
const GAS_LIMIT = 600_000n;

/** `blobs` full blobs of `bodies`, repeated in order: each blob's bodies (next-fit, as the submitter packs). */
function fullBlobs(bodies: Buffer[], blobs: number): Buffer[][] {
  const out: Buffer[] = [];
  while (packBlobs([...out, bodies[out.length % bodies.length]], blobs)) out.push(bodies[out.length % bodies.length]);
  return splitByCounts(out, packBlobs(out, blobs)!);
}

/** Claims for blobs of `groups`, chained from `pre` after L2 time `previous`. */
function chained(groups: Buffer[][], pre: string, previous: bigint, now: bigint): EnvelopeSummary[] {
  const claims: EnvelopeSummary[] = [];
  for (const g of groups) {
    const s = summarizeEnvelope(encodeBatch(g), claims.at(-1)?.postStateRoot ?? pre, claims.at(-1)?.lastTimestamp ?? previous, now);
    claims.push(s);
  }
  return claims;
}

const transfersIn = (bodies: Buffer[]) => bodies.reduce((n, b) => n + decodeCommitment(b).ops.length, 0);

export interface BlobFigures {
  blobPayloadBytesPerEthTransfer: number;
  blobSpaceBytesPerEthTransfer: number;
  transfersPerBlob: number;
  blobsPer1000Transfers: number;
  /** A batch of one full blob: its gas and execution gas a transfer. */
  submitBlobBatchGasOneBlob: number;
  l1ExecutionGasPerTransferOneBlob: number;
  /** A batch of six full blobs, what blobs mode posts: its gas and execution gas a transfer. */
  blobsPerBatch: number;
  transfersPerBatch: number;
  submitBlobBatchGas: number;
  l1ExecutionGasPerTransferBlob: number;
  worstBlobFraudProofGas: number | null;
  costPerTransferGwei: Array<{ baseFeeGwei: number; blobBaseFeeGwei: number; calldata: number; blobs: number }>;
}

/**
 * Posts a one-blob batch and a six-blob batch of full blobs of `ethBodies` on a Rollup whose tip
 * claims `preRoot`, and measures the rest; `transfers` are the transfers in `ethBodies`, and
 * `calldataGasPerTransfer` the calldata figure of the same run, for the cost comparison.
 */
export async function blobFigures(preRoot: Buffer, ethBodies: Buffer[], transfers: number, calldataGasPerTransfer: number, withProof: boolean): Promise<BlobFigures> {
  const [deployer, , challenger] = await hre.ethers.getSigners();
  const d = await deployCairn(deployer, DEVNET_PARAMS);
  await (await d.rollup.postBond({ value: DEVNET_PARAMS.bondSize })).wait();
  const claimRoot = encodeCommitment({ postStateRoot: preRoot, withdrawalRoot: null, timestamp: 1, baseFee: 10_000_000n, feeRecipient: 0, fees: [], ops: [] });
  await (await d.rollup.submitBatch(0, d.genesisStateRoot, 0, encodeBatch([claimRoot]))).wait();
  const key = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase("test test test test test test test test test test test junk"), "m/44'/60'/0'/0/0").connect(hre.ethers.provider);
  const txs = new L1TxManager(key, { logger: silentLogger });
  const l1 = new L1Contracts(hre.ethers.provider, d.addresses);
  const perTransfer = encodeBatch(ethBodies).length / transfers;

  /** Posts `groups` as the next batch, one blob each, with honest chained claims. */
  const post = async (groups: Buffer[][], what: string) => {
    const index = Number(await d.rollup.batchCount());
    const tip = await d.rollup.tipStateRoot();
    const previous = (await d.rollup.getBatch(index - 1)).l2Timestamp;
    const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
    const claims = chained(groups, tip, previous, now);
    const data = d.rollup.interface.encodeFunctionData("submitBlobBatch", [index, tip, 0, claims]);
    const receipt = await txs.send({ to: d.addresses.rollup, data, gasLimit: GAS_LIMIT, blobs: groups.map((g) => encodeBlob(encodeBatch(g))) }, what);
    return { receipt, index, posting: blobClaimIn(l1, receipt, index)! };
  };

  const one = fullBlobs(ethBodies, 1);
  const oneReceipt = (await post(one, "bench blob batch, one blob")).receipt;
  const transfersPerBlob = transfersIn(one[0]);
  const six = fullBlobs(ethBodies, MAX_BLOBS_PER_BATCH);
  const sixReceipt = (await post(six, "bench blob batch, six blobs")).receipt;
  const transfersPerBatch = six.reduce((n, g) => n + transfersIn(g), 0);
  const l1ExecutionGasPerTransferBlob = Math.round(Number(sixReceipt.gasUsed) / transfersPerBatch);

  let worstBlobFraudProofGas: number | null = null;
  if (withProof) {
    const stamp = Number((await hre.ethers.provider.getBlock("latest"))!.timestamp);
    const header = Buffer.concat([Buffer.alloc(32, 7), Buffer.from([0]), Buffer.from(stamp.toString(16).padStart(10, "0"), "hex")]);
    const filler = Math.floor((BLOB_ENVELOPE_CAPACITY - 9) / 255) - 2 - header.length;
    const worst: Buffer[] = Array.from({ length: 255 }, () => Buffer.concat([header, Buffer.alloc(filler, 0xab)]));
    worst.push(encodeEmptyRun({ blocks: 1, timestamp: stamp + 1_000_000 }));
    // Five honest full blobs, then the worst as the sixth, claimed as a run of one block.
    const honest = six.slice(0, MAX_BLOBS_PER_BATCH - 1);
    const index = Number(await d.rollup.batchCount());
    const tip = await d.rollup.tipStateRoot();
    const previous = (await d.rollup.getBatch(index - 1)).l2Timestamp;
    const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
    const claims = chained([...honest, [encodeEmptyRun({ blocks: 1, timestamp: stamp })]], tip, previous, now);
    const blobs = [...honest.map((g) => encodeBlob(encodeBatch(g))), encodeBlob(encodeBatch(worst))];
    const data = d.rollup.interface.encodeFunctionData("submitBlobBatch", [index, tip, 0, claims]);
    const receipt = await txs.send({ to: d.addresses.rollup, data, gasLimit: GAS_LIMIT, blobs }, "bench worst blob batch");
    const posting = blobClaimIn(l1, receipt, index)!;
    const proof = await challenger.sendTransaction({ to: d.addresses.rollup, data: await blobFraudCalldata(l1, { batchIndex: index, posting, blobIndex: MAX_BLOBS_PER_BATCH - 1, blob: blobs[MAX_BLOBS_PER_BATCH - 1] }), gasLimit: 16_000_000 });
    worstBlobFraudProofGas = Number((await proof.wait())!.gasUsed);
  }

  const levels = [
    { baseFeeGwei: 10, blobBaseFeeGwei: 1 },
    { baseFeeGwei: 10, blobBaseFeeGwei: 0.000000001 },
    { baseFeeGwei: 1, blobBaseFeeGwei: 1 },
  ];
  return {
    blobPayloadBytesPerEthTransfer: +perTransfer.toFixed(2),
    blobSpaceBytesPerEthTransfer: +((perTransfer * 32) / 31).toFixed(2),
    transfersPerBlob,
    blobsPer1000Transfers: +((1000 * six.length) / transfersPerBatch).toFixed(2),
    submitBlobBatchGasOneBlob: Number(oneReceipt.gasUsed),
    l1ExecutionGasPerTransferOneBlob: Math.round(Number(oneReceipt.gasUsed) / transfersPerBlob),
    blobsPerBatch: six.length,
    transfersPerBatch,
    submitBlobBatchGas: Number(sixReceipt.gasUsed),
    l1ExecutionGasPerTransferBlob,
    worstBlobFraudProofGas,
    costPerTransferGwei: levels.map((l) => ({
      ...l,
      calldata: +(calldataGasPerTransfer * l.baseFeeGwei).toFixed(1),
      blobs: +((Number(sixReceipt.gasUsed) * l.baseFeeGwei + six.length * BYTES_PER_BLOB * l.blobBaseFeeGwei) / transfersPerBatch).toFixed(1),
    })),
  };
}
