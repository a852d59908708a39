/**
 * The L1 world an invariant run starts from: Cairn deployed on the in-process Hardhat network,
 * three kinds of ERC-20 (plain, fee-on-transfer, no return values) minted to the depositors, and
 * named actors. Deployed once and restored from a snapshot for every run (loadFixture).
 */
import { ethers, network } from "hardhat";
import { Contract, HDNodeWallet, parseEther, type Wallet } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { deployCairn } from "../../../deploy/cairn";
import type { RollupParams } from "../../../deploy/params";
import { L2State } from "../../../src/core/state";
import type { Bridge, Rollup, FraudVerifier } from "../../../typechain-types";

/**
 * The devnet's windows scaled by 60 (same order: challenge < bond delay < inclusion < sequencer
 * timeout). Hardhat stamps blocks with the wall clock, so a 60 s window could close by itself
 * during a slow run; an hour leaves only the explicit time jumps to move the clock that far.
 * The bond delay stays longer than the challenge window, as in both shipped parameter sets.
 */
export const INVARIANT_PARAMS: RollupParams = {
  bondSize: parseEther("1"),
  challengeWindow: 3_600,
  bondWithdrawalDelay: 7_200,
  inclusionWindow: 36_000,
  sequencerTimeout: 108_000,
  l2ChainId: 51730n,
};

export const CHAIN_ID = INVARIANT_PARAMS.l2ChainId;
/** Every batch must prove in under this much gas (docs/architecture.md, *Gas*). */
export const PROOF_GAS_LIMIT = 3_000_000n;

export type TokenKind = "plain" | "fee-on-transfer" | "no-return";

export interface WorldToken {
  kind: TokenKind;
  address: string;
}

/** An L1 account whose key also signs on L2 (forced withdrawals need the same address on both). */
export interface User {
  signer: HardhatEthersSigner;
  wallet: HDNodeWallet | Wallet;
  address: string;
}

export interface World {
  bridge: Bridge;
  rollup: Rollup;
  verifier: FraudVerifier;
  bridgeAddress: string;
  rollupAddress: string;
  genesisStateRoot: string;
  /** L1 time of the Rollup's deployment: its fallback clock before any batch. */
  deployedAt: bigint;
  deployBlock: number;
  sequencer: HardhatEthersSigner;
  /** Bonded proposers other than the sequencer: may post after the sequencer timeout. */
  fallbacks: HardhatEthersSigner[];
  challengers: HardhatEthersSigner[];
  /** Sends every finalization, and is never a withdrawal's recipient: recipients' balance changes are exact. */
  relayer: HardhatEthersSigner;
  depositors: HardhatEthersSigner[];
  users: User[];
  tokens: WorldToken[];
}

const MINTED = 10n ** 24n;

/** The wallet of Hardhat's default account `i` (the network's configured mnemonic). */
function defaultAccountWallet(i: number): HDNodeWallet {
  const accounts = network.config.accounts;
  if (Array.isArray(accounts) || typeof accounts === "string") throw new Error("the invariant suite needs Hardhat's HD accounts");
  return HDNodeWallet.fromPhrase(accounts.mnemonic, accounts.passphrase, `${accounts.path}/${accounts.initialIndex + i}`);
}

async function deployTokens(holders: string[], bridge: string): Promise<WorldToken[]> {
  const made: Array<[TokenKind, string, unknown[]]> = [
    ["plain", "TestToken", ["Plain", "PLN", 18]],
    ["fee-on-transfer", "FeeOnTransferToken", []],
    ["no-return", "NoReturnToken", []],
  ];
  const tokens: WorldToken[] = [];
  for (const [kind, name, args] of made) {
    const c = await ethers.deployContract(name, args);
    const address = (await c.getAddress()).toLowerCase();
    for (const h of holders) {
      const signer = await ethers.getSigner(h);
      const erc20 = new Contract(address, ["function mint(address,uint256)", "function approve(address,uint256)"], signer);
      await (await erc20.getFunction("mint").send(h, MINTED)).wait();
      await (await erc20.getFunction("approve").send(bridge, ethers.MaxUint256)).wait();
    }
    tokens.push({ kind, address });
  }
  return tokens;
}

/** Deploys Cairn and the tokens; the sequencer and both fallbacks post a bond. Meant for loadFixture. */
export async function deployWorld(): Promise<World> {
  const signers = await ethers.getSigners();
  const [sequencer, fallback1, fallback2, challenger1, challenger2, relayer, depositor1, depositor2] = signers;
  const d = await deployCairn(sequencer, INVARIANT_PARAMS);
  const block = await ethers.provider.getBlock(d.deployBlock);
  const users: User[] = signers.slice(8, 14).map((signer, k) => {
    const wallet = defaultAccountWallet(8 + k);
    if (wallet.address !== signer.address) throw new Error(`account ${8 + k}: derived ${wallet.address}, Hardhat has ${signer.address}`);
    return { signer, wallet, address: signer.address.toLowerCase() };
  });
  const depositors = [depositor1, depositor2];
  const tokens = await deployTokens([...depositors, ...users.map((u) => u.signer)].map((s) => s.address), d.addresses.bridge);
  for (const p of [sequencer, fallback1, fallback2]) await (await d.rollup.connect(p).postBond({ value: INVARIANT_PARAMS.bondSize })).wait();
  return {
    bridge: d.bridge,
    rollup: d.rollup,
    verifier: d.verifier,
    bridgeAddress: d.addresses.bridge.toLowerCase(),
    rollupAddress: d.addresses.rollup.toLowerCase(),
    genesisStateRoot: "0x" + L2State.genesis().root().toString("hex"),
    deployedAt: BigInt(block!.timestamp),
    deployBlock: d.deployBlock,
    sequencer,
    fallbacks: [fallback1, fallback2],
    challengers: [challenger1, challenger2],
    relayer,
    depositors,
    users,
    tokens,
  };
}
