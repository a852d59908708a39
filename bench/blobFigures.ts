/**
 * The blob-mode figures of `npm run bench`, measured beside the calldata ones on the same
 * commitments: the bodies of the ETH-transfer batch, packed into blob-sized batches. A real
 * type-3 transaction is posted (pure-JavaScript KZG: ~10 s with the setup), so the execution gas
 * is L1's own; the fraud proof is the worst one (a full payload of 256 commitments BatchCodec
 * walks to the end before refusing it), measured with its opening built for real.
 */
import hre from "hardhat";
import { HDNodeWallet, Mnemonic } from "ethers";
import { deployCairn } from "../deploy/cairn";
import { DEVNET_PARAMS } from "../deploy/params";
import { encodeBatch, encodeCommitment, encodeEmptyRun } from "../src/core/commitment";
import { BLOB_ENVELOPE_CAPACITY, BYTES_PER_BLOB, MAX_BLOB_COMMITMENTS, encodeBlob } from "../src/core/blobLayout";
import { summarizeEnvelope } from "../src/core/batchEnvelope";
import { L1Contracts } from "../src/node/l1/contracts";
import { L1TxManager } from "../src/node/l1/txManager";
import { blobFraudCalldata } from "../src/node/challenger/blobFraudProver";
import { BLOB_BATCH_GAS_LIMIT } from "../src/node/sequencer/batchData";
import { silentLogger } from "../src/shared/logger";

const hex = (b: Buffer) => "0x" + b.toString("hex");

/** The most leading bodies that fit one blob batch. */
function fitting(bodies: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  let bytes = 0;
  for (const b of bodies) {
    if (out.length === MAX_BLOB_COMMITMENTS || bytes + 2 + b.length > BLOB_ENVELOPE_CAPACITY) break;
    out.push(b);
    bytes += 2 + b.length;
  }
  return out;
}

export interface BlobFigures {
  blobPayloadBytesPerEthTransfer: number;
  blobSpaceBytesPerEthTransfer: number;
  transfersPerBlob: number;
  blobsPer1000Transfers: number;
  submitBlobBatchGas: number;
  l1ExecutionGasPerTransferBlob: number;
  worstBlobFraudProofGas: number | null;
  costPerTransferGwei: Array<{ baseFeeGwei: number; blobBaseFeeGwei: number; calldata: number; blobs: number }>;
}

/**
 * Posts the first blob's worth of `ethBodies` (`transfers` transfers over them all) on a Rollup
 * whose tip claims `preRoot`, and measures the rest; `calldataGasPerTransfer` is the calldata
 * figure of the same run, for the cost comparison.
 */
export async function blobFigures(preRoot: Buffer, ethBodies: Buffer[], transfers: number, calldataGasPerTransfer: number, withProof: boolean): Promise<BlobFigures> {
  const [deployer, , challenger] = await hre.ethers.getSigners();
  const d = await deployCairn(deployer, DEVNET_PARAMS);
  await (await d.rollup.postBond({ value: DEVNET_PARAMS.bondSize })).wait();
  const claimRoot = encodeCommitment({ postStateRoot: preRoot, withdrawalRoot: null, timestamp: 1, baseFee: 10_000_000n, feeRecipient: 0, fees: [], ops: [] });
  await (await d.rollup.submitBatch(0, d.genesisStateRoot, 0, encodeBatch([claimRoot]))).wait();
  const key = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase("test test test test test test test test test test test junk"), "m/44'/60'/0'/0/0").connect(hre.ethers.provider);
  const txs = new L1TxManager(key, { logger: silentLogger });

  const perTransfer = encodeBatch(ethBodies).length / transfers;
  const bodies = fitting(ethBodies);
  const envelope = encodeBatch(bodies);
  const now = BigInt((await hre.ethers.provider.getBlock("latest"))!.timestamp);
  const claim = summarizeEnvelope(envelope, hex(preRoot), 1n, now);
  const data = d.rollup.interface.encodeFunctionData("submitBlobBatch", [1, hex(preRoot), 0, claim]);
  const receipt = await txs.send({ to: d.addresses.rollup, data, gasLimit: BLOB_BATCH_GAS_LIMIT, blobs: [encodeBlob(envelope)] }, "bench blob batch");
  const transfersPerBlob = Math.floor(BLOB_ENVELOPE_CAPACITY / perTransfer);
  const submitBlobBatchGas = Number(receipt.gasUsed);
  // A blob batch's gas does not depend on its fill (the claim is a fixed size): the measured
  // batch's gas over a full blob's worth of transfers.
  const l1ExecutionGasPerTransferBlob = Math.round(submitBlobBatchGas / transfersPerBlob);

  let worstBlobFraudProofGas: number | null = null;
  if (withProof) {
    const stamp = Number(now);
    const header = Buffer.concat([Buffer.alloc(32, 7), Buffer.from([0]), Buffer.from(stamp.toString(16).padStart(10, "0"), "hex")]);
    const filler = Math.floor((BLOB_ENVELOPE_CAPACITY - 9) / 255) - 2 - header.length;
    const worst: Buffer[] = Array.from({ length: 255 }, () => Buffer.concat([header, Buffer.alloc(filler, 0xab)]));
    worst.push(encodeEmptyRun({ blocks: 1, timestamp: stamp + 1_000_000 }));
    const blob = encodeBlob(encodeBatch(worst));
    // On top of the batch just posted: its post-state root, its last L2 time.
    const tip = await d.rollup.tipStateRoot();
    const bound = summarizeEnvelope(encodeBatch([encodeEmptyRun({ blocks: 1, timestamp: stamp })]), tip, claim.lastTimestamp, now);
    await txs.send({ to: d.addresses.rollup, data: d.rollup.interface.encodeFunctionData("submitBlobBatch", [2, tip, 0, bound]), gasLimit: BLOB_BATCH_GAS_LIMIT, blobs: [blob] }, "bench worst blob batch");
    const l1 = new L1Contracts(hre.ethers.provider, d.addresses);
    const proof = await challenger.sendTransaction({ to: d.addresses.rollup, data: blobFraudCalldata(l1, 2, blob, await d.rollup.batchBlobHash(2)), gasLimit: 16_000_000 });
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
    blobsPer1000Transfers: +(1000 / transfersPerBlob).toFixed(2),
    submitBlobBatchGas,
    l1ExecutionGasPerTransferBlob,
    worstBlobFraudProofGas,
    costPerTransferGwei: levels.map((l) => ({
      ...l,
      calldata: +(calldataGasPerTransfer * l.baseFeeGwei).toFixed(1),
      blobs: +(l1ExecutionGasPerTransferBlob * l.baseFeeGwei + (BYTES_PER_BLOB * l.blobBaseFeeGwei) / transfersPerBlob).toFixed(1),
    })),
  };
}
