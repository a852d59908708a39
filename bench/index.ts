/**
 * `npm run bench [-- --quick]`: Cairn's figures, measured on this machine, printed as one JSON
 * document and written to bench/results/latest.json. See docs/performance.md.
 */
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { execFileSync } from "node:child_process";
import hre from "hardhat";
import { parseEther } from "ethers";
import { deployCairn } from "../deploy/cairn";
import { DEVNET_PARAMS } from "../deploy/params";
import { BlockBuilder, BlockFullError, withdrawalTree } from "../src/core/blockBuilder";
import { encodeBatch, encodeCommitment } from "../src/core/commitment";
import { l2TokenAddress, withdrawalLeaf, type Withdrawal } from "../src/core/hashing";
import { BASE_FEE, CHAIN_ID, fundedState, signTransfers, type Transfer, type Workload } from "./workload";
import { hardhatNodeLoad, type LoadResult } from "./load/run";
import { BatchReplayer } from "../src/node/replica/batchReplayer";
import { RecoveryWorker } from "../src/node/recoveryWorker";
import { blobFigures } from "./blobFigures";

const quick = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1";
const ACCOUNTS = quick ? 2_000 : 10_000;
const BATCH = quick ? 200 : 1_000;
const RSS_ACCOUNTS = quick ? 100_000 : 1_000_000;
/** How long the load generator sends to each target (the issue asks for at least 30 s sustained). */
const LOAD_SECONDS = quick ? 5 : 30;
/**
 * Load rounds, each the sequencer then `hardhat node`: shared machines drift by tens of percent
 * from one minute to the next, so the figures are the median round of each, measured in turns.
 */
const LOAD_ROUNDS = quick ? 1 : 3;
/** Batches of BATCH transfers the replica figure replays. */
const REPLICA_BATCHES = 5;
const TOKEN_L1 = "0x00000000000000000000000000000000000c0ffe";
const hex = (b: Buffer) => "0x" + b.toString("hex");

/** Packs `txs` into commitments on a checkpoint of the state; the state is left as it was. */
function pack(w: Workload, txs: Transfer[]): Buffer[] {
  const cp = w.state.checkpoint();
  const bodies: Buffer[] = [];
  const params = { chainId: CHAIN_ID, baseFee: BASE_FEE, feeRecipient: 1, queueEntry: () => undefined };
  let b = new BlockBuilder(w.state, params);
  for (const t of txs) {
    try {
      b.addTransaction(t.parsed);
    } catch (e) {
      if (!(e instanceof BlockFullError)) throw e;
      bodies.push(b.seal(1_700_000_000).body);
      b = new BlockBuilder(w.state, params);
      b.addTransaction(t.parsed);
    }
  }
  bodies.push(b.seal(1_700_000_000).body);
  w.state.rollback(cp);
  return bodies;
}

function rlpFigures(txs: Transfer[]) {
  const raw = Buffer.concat(txs.map((t) => t.parsed.raw));
  const brotli = zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_LGWIN]: 24 } });
  return { raw: raw.length / txs.length, brotli: brotli.length / txs.length };
}

/**
 * Replays posted batches from their pre-state as a replica syncing from L1 does, the median
 * of five runs in tx/s: `final` as for settled history (signatures recovered on a worker thread,
 * the state root checked at the batch's end), or checking every commitment's root, as for
 * batches still in their challenge window.
 */
async function replayTps(w: Workload, batches: Buffer[][], txs: number, final: boolean): Promise<number> {
  const recovery = RecoveryWorker.start();
  const replayer = new BatchReplayer(recovery);
  const runs: number[] = [];
  try {
    for (let run = 0; run < 5; run++) {
      const cp = w.state.checkpoint();
      const started = process.hrtime.bigint();
      const results = await replayer.replayBatches(w.state, batches.map((bodies) => ({ bodies, final })), { chainId: CHAIN_ID, queueEntry: () => undefined });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (results.flat().length !== batches.flat().length || results.flat().some((r) => !r.verdict.ok)) throw new Error("benchmark batches do not replay");
      w.state.rollback(cp);
      runs.push(txs / seconds);
    }
  } finally {
    await recovery?.stop();
  }
  return Math.round(runs.sort((a, b) => a - b)[2]);
}

async function l1Figures(preRoot: Buffer, ethData: Buffer, tokenData: Buffer) {
  const [deployer, user] = await hre.ethers.getSigners();
  const d = await deployCairn(deployer, DEVNET_PARAMS);
  await d.rollup.postBond({ value: DEVNET_PARAMS.bondSize });
  const token = await hre.ethers.deployContract("TestToken", ["Bench", "B", 18]);
  await (await d.bridge.registerToken(token)).wait();
  await (token as unknown as { mint(a: string, v: bigint): Promise<unknown> }).mint(user.address, parseEther("1000"));
  await (token.connect(user) as unknown as { approve(a: string, v: bigint): Promise<{ wait(): Promise<unknown> }> }).approve(d.addresses.bridge, parseEther("1000")).then((t) => t.wait());
  const gas = async (p: Promise<{ wait(): Promise<{ gasUsed: bigint } | null> }>) => Number((await (await p).wait())!.gasUsed);

  const depositEthGas = await gas(d.bridge.connect(user).depositETH(user.address, { value: parseEther("1") }));
  const depositErc20FirstGas = await gas(d.bridge.connect(user).depositERC20(token, user.address, parseEther("1")));
  const depositErc20Gas = await gas(d.bridge.connect(user).depositERC20(token, user.address, parseEther("1")));

  // The benchmark state is claimed by an unchallenged batch 0; the batches under test go on top.
  const genesis = Buffer.from(d.genesisStateRoot.slice(2), "hex");
  const claim = encodeCommitment({ postStateRoot: preRoot, withdrawalRoot: null, timestamp: 1, baseFee: BASE_FEE, feeRecipient: 0, fees: [], ops: [] });
  await d.rollup.submitBatch(0, genesis, 3, encodeBatch([claim]));
  const submitGas = async (data: Buffer) => Number(await d.rollup.submitBatch.estimateGas(1, hex(preRoot), 3, data));
  const ethBatchGas = await submitGas(ethData);
  const tokenBatchGas = await submitGas(tokenData);

  // A final batch holding one ETH and one token withdrawal, to finalize.
  const ws: Withdrawal[] = [
    { id: 0n, l2Sender: user.address, l1Recipient: user.address, l1Token: "0x" + "00".repeat(20), amount: parseEther("0.5") },
    { id: 1n, l2Sender: user.address, l1Recipient: user.address, l1Token: (await token.getAddress()).toLowerCase(), amount: parseEther("0.5") },
  ];
  const tree = withdrawalTree(ws)!;
  const body = encodeCommitment({ postStateRoot: preRoot, withdrawalRoot: tree.getRoot(), timestamp: 1, baseFee: BASE_FEE, feeRecipient: 0, fees: [], ops: [] });
  await d.rollup.submitBatch(1, hex(preRoot), 3, encodeBatch([body]));
  await hre.network.provider.send("evm_increaseTime", [DEVNET_PARAMS.challengeWindow]);
  await hre.network.provider.send("evm_mine", []);
  const finalize = (w: Withdrawal) => d.bridge.finalizeWithdrawal(w, 1, tree.getHexProof(withdrawalLeaf(w)));
  const finalizeWithdrawalGas = await gas(finalize(ws[0]));
  const finalizeErc20WithdrawalGas = await gas(finalize(ws[1]));
  return { depositEthGas, depositErc20FirstGas, depositErc20Gas, ethBatchGas, tokenBatchGas, finalizeWithdrawalGas, finalizeErc20WithdrawalGas };
}

/** The run with the median tps. */
function medianRun(runs: LoadResult[]): LoadResult {
  return runs.slice().sort((a, b) => a.tps - b.tps)[Math.floor(runs.length / 2)];
}

function child(script: string, args: string[], nodeOptions: string[] = []): Record<string, unknown> {
  const out = execFileSync(process.execPath, [...nodeOptions, "-r", "ts-node/register/transpile-only", script, ...args], { encoding: "utf8", maxBuffer: 64 * 2 ** 20 });
  return JSON.parse(out.slice(out.indexOf("{")));
}

async function main(): Promise<void> {
  const started = Date.now();
  const w = fundedState(ACCOUNTS, 42, TOKEN_L1);
  const l2Token = l2TokenAddress(TOKEN_L1);
  const ethTxs = await signTransfers(w, BATCH, "eth", 7, l2Token);
  const tokenTxs = await signTransfers(w, BATCH, "token", 8, l2Token);
  const ethBodies = pack(w, ethTxs);
  // The replica replays a run of batches: the pipeline (signatures recovered one commitment
  // ahead, on a worker thread) carries across batch boundaries, as it does syncing from L1.
  const replicaTxs = await signTransfers(w, REPLICA_BATCHES * BATCH, "eth", 9, l2Token);
  const replicaBodies = pack(w, replicaTxs);
  const perBatch = Math.ceil(replicaBodies.length / REPLICA_BATCHES);
  const replicaBatches = Array.from({ length: REPLICA_BATCHES }, (_, i) => replicaBodies.slice(i * perBatch, (i + 1) * perBatch));
  const tokenBodies = pack(w, tokenTxs);
  const preRoot = w.state.root();
  const ethData = encodeBatch(ethBodies);
  const tokenData = encodeBatch(tokenBodies);
  // Whole submitBatch calldata: selector, arguments, the batch bytes.
  const rollupIface = (await hre.ethers.getContractFactory("Rollup")).interface;
  const calldata = (data: Buffer) => (rollupIface.encodeFunctionData("submitBatch", [1, hex(preRoot), 3, data]).length - 2) / 2;
  const eth = rlpFigures(ethTxs);
  const l1 = await l1Figures(preRoot, ethData, tokenData);
  const blobs = await blobFigures(preRoot, ethBodies, BATCH, Math.round(l1.ethBatchGas / BATCH), !quick);
  const fraud = quick ? null : (child("node_modules/.bin/hardhat", ["run", "--no-compile", "bench/fraudGas.ts"]) as { fraudProofGas: Record<string, number>; worst: number });
  const rss = child("bench/rss.ts", [String(RSS_ACCOUNTS)]) as { peakRssMb: number };
  const load = { seconds: LOAD_SECONDS, senders: 400, connections: 4 };
  const rounds: Array<{ sequencer: LoadResult; hardhatNode: LoadResult }> = [];
  for (let r = 0; r < LOAD_ROUNDS; r++) {
    // The sequencer in a process of its own, as operators run it (not beside this one's heap).
    const sequencerRun = child("bench/load/sequencer.ts", ["--seconds", String(load.seconds), "--senders", String(load.senders), "--connections", String(load.connections)], ["--max-semi-space-size=64"]) as unknown as LoadResult;
    rounds.push({ sequencer: sequencerRun, hardhatNode: await hardhatNodeLoad(load) });
  }
  const sequencer = medianRun(rounds.map((r) => r.sequencer));
  const hardhatNode = medianRun(rounds.map((r) => r.hardhatNode));

  const figures = {
    bytesPerEthTransfer: +(calldata(ethData) / BATCH).toFixed(2),
    bytesPerTokenTransfer: +(calldata(tokenData) / BATCH).toFixed(2),
    rawRlpBytesPerTx: +eth.raw.toFixed(2),
    brotliRlpBytesPerTx: +eth.brotli.toFixed(2),
    l1GasPerTransfer: Math.round(l1.ethBatchGas / BATCH),
    l1GasPerTokenTransfer: Math.round(l1.tokenBatchGas / BATCH),
    blobs,
    replicaSyncTps: await replayTps(w, replicaBatches, replicaTxs.length, true),
    replicaVerifyTps: await replayTps(w, replicaBatches, replicaTxs.length, false),
    depositEthGas: l1.depositEthGas,
    depositErc20Gas: l1.depositErc20Gas,
    depositErc20FirstGas: l1.depositErc20FirstGas,
    finalizeWithdrawalGas: l1.finalizeWithdrawalGas,
    finalizeErc20WithdrawalGas: l1.finalizeErc20WithdrawalGas,
    fraudProofGas: fraud?.fraudProofGas ?? null,
    peakRssMb: rss.peakRssMb,
    sequencerTps: sequencer.tps,
    sendLatencyMs: sequencer.latencyMs,
    hardhatNodeTps: hardhatNode.tps,
    load: { ...load, seconds: LOAD_SECONDS, sequencer, hardhatNode, rounds: rounds.map((r) => ({ sequencerTps: r.sequencer.tps, hardhatNodeTps: r.hardhatNode.tps })) },
  };
  const result = {
    figures,
    targets: {
      bytesPerEthTransfer: { max: 72, met: figures.bytesPerEthTransfer <= 72 },
      vsBrotli: { max: 0.9, ratio: +(figures.bytesPerEthTransfer / figures.brotliRlpBytesPerTx).toFixed(3), met: figures.bytesPerEthTransfer <= 0.9 * figures.brotliRlpBytesPerTx },
      l1GasPerTransfer: { max: 3000, met: figures.l1GasPerTransfer <= 3000 },
      blobExecutionGasPerTransfer: { max: 100, met: blobs.l1ExecutionGasPerTransferBlob <= 100 },
      blobBytesPerTransfer: { max: 72, met: blobs.blobPayloadBytesPerEthTransfer <= 72 },
      worstBlobFraudProofGas: { max: 5_000_000, met: blobs.worstBlobFraudProofGas === null ? null : blobs.worstBlobFraudProofGas < 5_000_000 },
      depositGas: { max: 80_000, met: Math.max(figures.depositEthGas, figures.depositErc20Gas) <= 80_000 },
      finalizeWithdrawalGas: { max: 120_000, met: Math.max(figures.finalizeWithdrawalGas, figures.finalizeErc20WithdrawalGas) <= 120_000 },
      replicaSyncTps: { min: 10_000, met: figures.replicaSyncTps >= 10_000 },
      peakRssMb: { max: 1536, atAccounts: RSS_ACCOUNTS, met: figures.peakRssMb <= 1536 },
      fraudProofGas: { max: 3_000_000, worst: fraud?.worst ?? null },
      sequencerTps: { min: 5_000, minVsHardhatNode: 10, ratio: +(sequencer.tps / hardhatNode.tps).toFixed(1), met: sequencer.tps >= 5_000 && sequencer.tps >= 10 * hardhatNode.tps && sequencer.rejected === 0 && sequencer.unreceipted === 0 },
    },
    setup: { quick, accounts: ACCOUNTS, batch: BATCH, commitments: { eth: ethBodies.length, token: tokenBodies.length }, zipfExponent: 1, amounts: "1–99 × 10^14..10^17 wei", node: process.version, cpus: require("node:os").cpus().length, seconds: Math.round((Date.now() - started) / 1000) },
  };
  const json = JSON.stringify(result, null, 2);
  fs.mkdirSync(path.join("bench", "results"), { recursive: true });
  fs.writeFileSync(path.join("bench", "results", quick ? "quick.json" : "latest.json"), json + "\n");
  process.stdout.write(json + "\n");
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${(e as Error).stack}\n`);
  process.exitCode = 1;
});
