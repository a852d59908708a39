/**
 * The devnet the chaos run attacks: Cairn on the in-process Hardhat L1 with the devnet's short
 * parameters, the sequencer (its L1 reached through a provider that can go down), and a
 * fallback proposer — a challenger that also posts the queue when the sequencer is silent —
 * following L1 from the start, as src/node/devnet.ts composes them. Nodes sign with ethers
 * Wallets and broadcast raw transactions, as `cairn node` does.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { parseEther, type Wallet, type HDNodeWallet } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deployCairn, type Deployment } from "../../deploy/cairn";
import { DEVNET_PARAMS } from "../../deploy/params";
import { SequencerNode } from "../../src/node/sequencer/sequencerNode";
import { type SequencerNodeConfig } from "../../src/node/config";
import { FallbackProposer } from "../../src/node/challenger/fallbackProposer";
import { SEQUENCER_DEFAULTS } from "../../src/node/config";
import { l2TokenAddress } from "../../src/core/hashing";
import type { QueueFlooder, TestToken } from "../../typechain-types";
import { freePort } from "../lib/net";
import { L1Control, L1Outage, hardhatKey } from "./l1";
import type { HonestKey } from "./honestUsers";
import type { ChaosOptions } from "./options";
import type { NodeLog } from "./nodeLog";
import { jsonRpc } from "../../src/app/jsonRpc";

/** Hardhat account indices by role (the sequencer is the deployer, as on the devnet). */
const ROLE = { sequencer: 0, funder: 1, depositors: [2, 3, 4], victims: [10, 11], attacker: 12, fallback: 19 } as const;

/** Where an honest sender and a forced-withdrawal victim start on L2. */
const SENDER_ETH = parseEther("10");
const SENDER_TOKENS = parseEther("1000");
const VICTIM_ETH = parseEther("5");

export class ChaosDevnet {
  node: SequencerNode;
  readonly l1 = new L1Control(hre.network.provider);
  readonly fallback: FallbackProposer;
  /** How many times the sequencer was started (1 + restarts). */
  starts = 0;
  /** L1 re-sends of the sequencers stopped so far (see l1Resends). */
  private resendsBefore = 0;
  private readonly sequencerListeners: Array<(node: SequencerNode) => void> = [];

  private constructor(
    readonly d: Deployment,
    readonly token: TestToken,
    readonly flooder: QueueFlooder,
    readonly signers: HardhatEthersSigner[],
    private readonly nodeConfig: SequencerNodeConfig,
    /** The sequencer's L1 provider goes down with it. */
    readonly outage: L1Outage,
    fallbackKey: Wallet | HDNodeWallet,
    readonly dataDir: string,
    log: NodeLog,
    /** The sequencer's JSON-RPC port, the same across restarts. */
    private readonly rpcPort: number,
  ) {
    this.node = new SequencerNode(nodeConfig);
    this.fallback = new FallbackProposer({
      l1Provider: hre.ethers.provider,
      l1Signer: fallbackKey.connect(hre.ethers.provider),
      addresses: d.addresses,
      startBlock: d.deployBlock,
      confirmations: 0,
      chainId: DEVNET_PARAMS.l2ChainId,
      pollMs: 250,
      logger: log.logger.child({ name: "fallback" }),
      l1Tx: nodeConfig.l1Tx,
      autoBond: true,
    });
  }

  /** Deploys and funds the honest accounts on L2; startNodes() then starts the sequencer and the fallback proposer. */
  static async deploy(options: ChaosOptions, senders: HonestKey[], log: NodeLog): Promise<ChaosDevnet> {
    const signers = await hre.ethers.getSigners();
    const deployer = signers[ROLE.sequencer];
    const d = await deployCairn(deployer, DEVNET_PARAMS);
    const token = (await hre.ethers.deployContract("TestToken", ["Cairn Test Token", "CTT", 18], signers[ROLE.funder])) as unknown as TestToken;
    await (await d.bridge.registerToken(token)).wait();
    const flooder = (await hre.ethers.deployContract("QueueFlooder", [d.addresses.bridge], signers[ROLE.attacker])) as unknown as QueueFlooder;
    await fundOnL2(d, token, signers[ROLE.funder], senders.map((s) => s.address));
    for (const i of ROLE.victims) await (await d.bridge.connect(signers[i]).depositETH(signers[i].address, { value: VICTIM_ETH })).wait();

    const outage = new L1Outage(hre.network.provider);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cairn-chaos-"));
    // One port for every restart of the sequencer: the chaos run's clients keep their URL.
    const rpcPort = await freePort();
    const config: SequencerNodeConfig = {
      ...SEQUENCER_DEFAULTS,
      l1Provider: outage.provider,
      l1Signer: hardhatKey(ROLE.sequencer).connect(outage.provider),
      addresses: d.addresses,
      startBlock: d.deployBlock,
      chainId: DEVNET_PARAMS.l2ChainId,
      feeRecipient: deployer.address,
      blockTimeMs: 100,
      l1PollMs: 250,
      // Small batches, so a backlog takes several to post (and each must pass the inclusion rule).
      maxBatchBytes: 20_000,
      maxBatchAgeMs: 1_000,
      maxBacklogAgeMs: options.maxBacklogAgeMs,
      // An L1 slot here is a moment: re-send after 1.5 s rather than the 45 s meant for 12 s slots.
      l1Tx: { resendAfterMs: 1_500, pollMs: 100, timeoutMs: 10 * 60_000 },
      serve: jsonRpc({ host: "127.0.0.1", port: rpcPort, logger: log.logger.child({ name: "sequencer" }) }),
      logger: log.logger.child({ name: "sequencer" }),
      dataDir,
    };
    return new ChaosDevnet(d, token, flooder, signers, config, outage, hardhatKey(ROLE.fallback), dataDir, log, rpcPort);
  }

  /** Calls `listener` with each sequencer node before it starts (the first and every restart). */
  onSequencer(listener: (node: SequencerNode) => void): void {
    this.sequencerListeners.push(listener);
    listener(this.node);
  }

  async startNodes(): Promise<void> {
    await this.node.start();
    this.starts++;
    await this.node.pollL1();
    this.node.sequencer.sealBlock();
    this.fallback.start();
  }

  get rpcUrl(): string {
    return `http://127.0.0.1:${this.rpcPort}`;
  }

  get testTokenL2(): string {
    return l2TokenAddress(this.tokenAddress);
  }

  private get tokenAddress(): string {
    return (this.token.target as string).toLowerCase();
  }

  get sequencerAddress(): string {
    return this.signers[ROLE.sequencer].address.toLowerCase();
  }

  get depositors(): HardhatEthersSigner[] {
    return ROLE.depositors.map((i) => this.signers[i]);
  }

  get victims(): HardhatEthersSigner[] {
    return ROLE.victims.map((i) => this.signers[i]);
  }

  get fallbackAddress(): string {
    return hardhatKey(ROLE.fallback).address.toLowerCase();
  }

  get attacker(): HardhatEthersSigner {
    return this.signers[ROLE.attacker];
  }

  get funder(): HardhatEthersSigner {
    return this.signers[ROLE.funder];
  }

  /** The sequencer goes silent: stopped, RPC closed; what it acknowledged is in its journal. */
  async stopSequencer(): Promise<void> {
    await this.node.stop();
    this.resendsBefore += this.node.txs.resends;
  }

  /** L1 transactions the sequencer (every process of it) sent again because they were not mined in time. */
  get l1Resends(): number {
    return this.resendsBefore + this.node.txs.resends;
  }

  /** A new sequencer process on the same data directory and RPC port: it syncs from L1 and replays its journal. */
  async restartSequencer(): Promise<void> {
    this.node = new SequencerNode(this.nodeConfig);
    for (const l of this.sequencerListeners) l(this.node);
    await this.node.start();
    this.starts++;
  }

  async stop(): Promise<void> {
    this.outage.end();
    await this.fallback.stop();
    await this.node.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** ETH and test tokens on L2 for each of `addresses`, deposited by `funder`. */
async function fundOnL2(d: Deployment, token: TestToken, funder: HardhatEthersSigner, addresses: string[]): Promise<void> {
  await (await token.mint(funder.address, SENDER_TOKENS * BigInt(addresses.length))).wait();
  await (await token.approve(d.addresses.bridge, SENDER_TOKENS * BigInt(addresses.length))).wait();
  for (const a of addresses) {
    await (await d.bridge.connect(funder).depositETH(a, { value: SENDER_ETH })).wait();
    await (await d.bridge.connect(funder).depositERC20(token, a, SENDER_TOKENS)).wait();
  }
}
