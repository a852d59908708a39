/**
 * The whole of Cairn in one process tree: an embedded Hardhat L1 served over JSON-RPC, the
 * contracts deployed with deploy/, a test token, funded test keys on both layers, and the
 * sequencer with its L2 JSON-RPC. `npm run devnet` is a thin CLI over {@link startDevnet}.
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { TASK_NODE_CREATE_SERVER } from "hardhat/builtin-tasks/task-names";
import { HDNodeWallet, JsonRpcProvider, Mnemonic, Network, parseEther, type Signer } from "ethers";
import { deployCairn } from "../../deploy/cairn";
import { DEVNET_PARAMS } from "../../deploy/params";
import { SequencerNode } from "../node/sequencer/sequencerNode";
import { Challenger } from "../node/challenger/challenger";
import { faultyMode, type FaultKind } from "../node/sequencer/faults";
import { SEQUENCER_DEFAULTS } from "../node/config";
import type { Logger } from "../shared/logger";
import { l2TokenAddress } from "../core/hashing";
import { WITHDRAWAL_PREDEPLOY } from "../core/constants";
import { TestToken__factory } from "../../typechain-types";
import { ExplorerData } from "../explorer/snapshot";
import { startExplorer, type ExplorerServer } from "../explorer/server";
import type { DevnetInfo } from "../sdk/devnetFile";
import { jsonRpc } from "./jsonRpc";
import { BlobArchive, archiveBlobsSentTo, startBeaconServer } from "./devnetBeacon";
import type { BatchDataMode } from "../node/sequencer/batchData";

export type { DevnetInfo };

export interface DevnetOptions {
  host: string;
  l1Port: number;
  l2Port: number;
  /** Number of funded test keys. */
  accounts: number;
  /** Where devnet.json is written. */
  configPath: string;
  blockTimeMs: number;
  logger: Logger;
  /** Faulty mode: the sequencer posts one fraudulent batch of this kind. */
  faulty?: FaultKind;
  /** The sequencer's data directory; emptied at start, since the embedded L1 starts empty too. */
  dataDir: string;
  /** Port of the explorer page (0: any free port); no explorer when absent. */
  explorerPort?: number;
  /**
   * The embedded L1 mines a block at least this often (ms; 0: only when a transaction comes), so
   * its clock — the one challenge windows and inclusion deadlines are measured by — runs on an
   * idle devnet too. Default 1,000.
   */
  l1BlockTimeMs?: number;
  /** Seconds a batch stays challengeable (default: DEVNET_PARAMS' 60). */
  challengeWindow?: number;
  /** How the sequencer posts batches (default calldata); see SequencerNodeConfig.batchData. */
  batchData?: BatchDataMode;
  /** Port of the devnet's Beacon API for blobs (0 or absent: any free port). */
  beaconPort?: number;
  /**
   * `--experimental-evm`: contract creation and calls, executed by the sequencer, a replica and
   * the challenger in the engine (docs/design/evm.md, *Tracer bullet*); not fraud-provable yet
   * (docs/trust-model.md). The sequencer then keeps nothing in `dataDir`.
   */
  experimentalEvm?: boolean;
}

export interface Devnet {
  info: DevnetInfo;
  node: SequencerNode;
  challenger: Challenger;
  stop(): Promise<void>;
}

/** Hardhat's default mnemonic: its accounts hold 10,000 ETH each on the embedded L1. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";
const L2_ETH = parseEther("100");
const L2_TOKENS = parseEther("10000");
const L1_TOKENS = parseEther("1000000");

export async function startDevnet(options: DevnetOptions): Promise<Devnet> {
  const log = options.logger;
  fs.rmSync(options.dataDir, { recursive: true, force: true });
  const provider = hre.network.provider;
  const server = (await hre.run(TASK_NODE_CREATE_SERVER, { hostname: options.host, port: options.l1Port, provider })) as {
    listen(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  };
  const l1 = await server.listen();
  const l1Url = `http://${options.host}:${l1.port}`;
  const l1BlockTimeMs = options.l1BlockTimeMs ?? 1_000;
  // Automine stays on (a transaction is mined at once); the interval adds blocks between them.
  if (l1BlockTimeMs > 0) await provider.send("evm_setIntervalMining", [l1BlockTimeMs]);
  // Hardhat keeps no blob once mined and has no consensus layer: the devnet keeps the blobs its
  // L1 is sent and serves them as a beacon node would, to its own nodes and to any other.
  const archive = new BlobArchive(hre.ethers.provider);
  const unarchive = archiveBlobsSentTo(provider, archive);
  const beacon = await startBeaconServer(archive, { host: options.host, port: options.beaconPort ?? 0, logger: log });
  const stopL1 = async () => {
    // The in-process chain outlives the devnet (tests start several): leave it as it was.
    if (l1BlockTimeMs > 0) await provider.send("evm_setIntervalMining", [0]);
    await beacon.close();
    unarchive();
    await server.close();
  };
  log.info({ url: l1Url, blockTimeMs: l1BlockTimeMs }, "L1 (embedded Hardhat) listening");

  try {
    const signers = await hre.ethers.getSigners();
    const deployer = signers[0];
    const params = { ...DEVNET_PARAMS, challengeWindow: options.challengeWindow ?? DEVNET_PARAMS.challengeWindow };
    const d = await deployCairn(deployer, params);
    log.info(d.addresses, "contracts deployed");
    const token = await new TestToken__factory(deployer).deploy("Cairn Test Token", "CTT", 18);
    await token.waitForDeployment();
    await (await d.bridge.registerToken(token)).wait();
    const tokenAddress = (await token.getAddress()).toLowerCase();

    const batchData = options.batchData ?? "calldata";
    // Hardhat's own accounts sign through eth_sendTransaction, which carries no blobs: posting
    // blobs takes the deployer's key (Hardhat's first default account).
    const sequencerSigner = batchData === "calldata" ? deployer : HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(HARDHAT_MNEMONIC), "m/44'/60'/0'/0/0").connect(hre.ethers.provider);
    const node = new SequencerNode({
      ...SEQUENCER_DEFAULTS,
      l1Provider: hre.ethers.provider,
      l1Signer: sequencerSigner,
      batchData,
      l1Beacon: beacon.url,
      addresses: d.addresses,
      startBlock: d.deployBlock,
      chainId: DEVNET_PARAMS.l2ChainId,
      feeRecipient: deployer.address,
      blockTimeMs: options.blockTimeMs,
      serve: jsonRpc({ host: options.host, port: options.l2Port, logger: log }),
      logger: log,
      wrapBatchPort: options.faulty ? faultyMode(options.faulty) : undefined,
      // Contract state is not stored yet: an experimental sequencer starts from nothing.
      dataDir: options.experimentalEvm ? undefined : options.dataDir,
      experimentalEvm: options.experimentalEvm,
    });
    await node.start();

    // The challenger follows L1 only, with its own key (Hardhat's last default account).
    const challengerSigner = signers[signers.length - 1];
    const challenger = new Challenger({
      l1Provider: hre.ethers.provider,
      l1Signer: challengerSigner,
      addresses: d.addresses,
      startBlock: d.deployBlock,
      confirmations: 0,
      chainId: DEVNET_PARAMS.l2ChainId,
      l1Beacon: beacon.url,
      pollMs: 500,
      logger: log.child({ name: "challenger" }),
      experimentalEvm: options.experimentalEvm,
    });
    challenger.start();

    const mnemonic = Mnemonic.fromPhrase(HARDHAT_MNEMONIC);
    const keys = Array.from({ length: options.accounts }, (_, i) => HDNodeWallet.fromMnemonic(mnemonic, `m/44'/60'/0'/0/${i + 1}`));
    for (const key of keys) {
      const signer = signers.find((s) => s.address === key.address) ?? (key.connect(hre.ethers.provider) as unknown as Signer);
      await (await token.mint(key.address, L1_TOKENS + L2_TOKENS)).wait();
      await (await d.bridge.connect(signer).depositETH(key.address, { value: L2_ETH })).wait();
      await (await token.connect(signer).approve(d.addresses.bridge, L2_TOKENS)).wait();
      await (await d.bridge.connect(signer).depositERC20(tokenAddress, key.address, L2_TOKENS)).wait();
    }
    await node.pollL1();
    node.sequencer.sealBlock();
    log.info({ accounts: keys.length }, "test keys funded on L1 and L2");

    let explorer: ExplorerServer | null = null;
    let explorerL2: JsonRpcProvider | null = null;
    if (options.explorerPort !== undefined) {
      explorerL2 = new JsonRpcProvider(node.rpcUrl!, undefined, { staticNetwork: Network.from(DEVNET_PARAMS.l2ChainId), cacheTimeout: -1 });
      const data = new ExplorerData(hre.ethers.provider, explorerL2, d.addresses, d.deployBlock);
      explorer = await startExplorer({ host: options.host, port: options.explorerPort, data, logger: log });
      log.info({ url: explorer.url }, "explorer listening");
    }

    const info: DevnetInfo = {
      l1: { rpcUrl: l1Url, chainId: Number((await hre.ethers.provider.getNetwork()).chainId), beaconUrl: beacon.url },
      batchData,
      l2: { rpcUrl: node.rpcUrl!, chainId: Number(DEVNET_PARAMS.l2ChainId) },
      contracts: { ...d.addresses, deployBlock: d.deployBlock },
      challenger: { l1Address: challengerSigner.address },
      explorer: explorer ? { url: explorer.url } : null,
      faulty: options.faulty ?? null,
      ...(options.experimentalEvm ? { experimentalEvm: true } : {}),
      testToken: { l1: tokenAddress, l2: l2TokenAddress(tokenAddress), name: "Cairn Test Token", symbol: "CTT", decimals: 18 },
      withdrawalPredeploy: WITHDRAWAL_PREDEPLOY,
      params: {
        challengeWindow: params.challengeWindow,
        inclusionWindow: DEVNET_PARAMS.inclusionWindow,
        sequencerTimeout: DEVNET_PARAMS.sequencerTimeout,
        bondSize: DEVNET_PARAMS.bondSize.toString(),
      },
      accounts: keys.map((k) => ({
        address: k.address,
        privateKey: k.privateKey,
        l1: { eth: "~9900", tokens: "1000000" },
        l2: { eth: "100", tokens: "10000" },
      })),
    };
    fs.mkdirSync(path.dirname(options.configPath), { recursive: true });
    fs.writeFileSync(options.configPath, JSON.stringify(info, null, 2) + "\n");

    let stopped = false;
    return {
      info,
      node,
      challenger,
      async stop() {
        if (stopped) return;
        stopped = true;
        await explorer?.close();
        explorerL2?.destroy();
        await challenger.stop();
        await node.stop();
        await stopL1();
      },
    };
  } catch (e) {
    await stopL1();
    throw e;
  }
}
