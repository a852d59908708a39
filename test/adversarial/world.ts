/**
 * The L1 and L2 the adversarial suite attacks: Cairn deployed by a deterministic deployer (so a
 * case's bytes are the same in every run with the same seed), and an honest batch 0 building an
 * L2 pre-state with the extremes a proposer could exploit — ETH balances near 2^255 (deposited
 * through the real Bridge from an L1 account given ~2^256 wei), a fee-recipient candidate with a
 * huge balance, token balances at 2^256 − 1 (a rogue token the Bridge credits by balance
 * difference), an account of 1 wei, non-zero nonces — and L1 queue entries left pending for
 * queue operations: a new and an existing recipient, a credit that overflows, forced
 * withdrawals that apply, fail or name nobody, and a token registration.
 */
import { ethers, network } from "hardhat";
import { Wallet, keccak256, parseEther, toUtf8Bytes, type Signer } from "ethers";
import { deployCairn, type Deployment } from "../../deploy/cairn";
import { DEVNET_PARAMS } from "../../deploy/params";
import { L1Contracts } from "../../src/node/l1/contracts";
import { L2State } from "../../src/core/state";
import { l2TokenAddress } from "../../src/core/hashing";
import { ZERO_ADDRESS } from "../../src/core/constants";
import { FraudChain, tokenApprove, transferTo } from "../helpers/fraudFixture";
import { MAX_UINT256 } from "./rng";
import type { LyingToken, TestToken } from "../../typechain-types";

/** L2 timestamp of batch 0; every generated commitment uses {@link CASE_TIMESTAMP}, later and far below L1 time. */
export const GENESIS_TIMESTAMP = 1_700_000_000;
export const CASE_TIMESTAMP = 1_700_000_100;

/** A key derived from a name: the same wallet in every run. */
export function namedWallet(name: string): Wallet {
  return new Wallet(keccak256(toUtf8Bytes(`cairn-adversarial:${name}`)));
}

/** An L1 account at a named address, impersonated, holding `balance` wei. */
export async function l1Account(name: string, balance: bigint): Promise<Signer & { address: string }> {
  const address = namedWallet(name).address;
  await network.provider.request({ method: "hardhat_setBalance", params: [address, "0x" + balance.toString(16)] });
  return ethers.getImpersonatedSigner(address);
}

/** The L2 users whose keys the suite holds, by role. */
export const USERS = ["alice", "bob", "carol", "whale", "rich", "hoarder"] as const;
export type User = (typeof USERS)[number];

export interface World extends Deployment {
  label: string;
  deployer: Signer & { address: string };
  chain: FraudChain;
  users: Record<User, Wallet>;
  /** Users by lower-case address, for signing as whoever an index names. */
  keys: Map<string, Wallet>;
  token: TestToken;
  liar: LyingToken;
  /** L2 addresses of token 0 (TestToken) and 1 (LyingToken); token 2 is registered by a pending queue entry. */
  l2Tokens: string[];
  /** The L1 account that owns an L2 account and has forced withdrawals pending. */
  forcer: string;
  /** Queue entries batch 0 consumed: the ones after it are pending. */
  consumedQueue: bigint;
}

/**
 * Deploys Cairn and builds the pre-state. `label` names the deployer, so two worlds in one
 * Hardhat network get different (but still deterministic) addresses.
 */
export async function buildWorld(label: string): Promise<World> {
  const deployer = await l1Account(`${label}:deployer`, 10n ** 30n);
  const d = await deployCairn(deployer, DEVNET_PARAMS);
  const token = (await ethers.deployContract("TestToken", ["Test Token", "TEST", 18], deployer)) as unknown as TestToken;
  const liar = (await ethers.deployContract("LyingToken", [], deployer)) as unknown as LyingToken;
  const pending = (await ethers.deployContract("TestToken", ["Pending Token", "PEND", 6], deployer)) as unknown as TestToken;
  const users = Object.fromEntries(USERS.map((u) => [u, namedWallet(`user:${u}`)])) as Record<User, Wallet>;
  // Enough to deposit 2^255 and 2^255 − 2^250: the Bridge's escrow stays below 2^256.
  const funder = await l1Account(`${label}:funder`, MAX_UINT256);
  const forcer = await l1Account(`${label}:forcer`, parseEther("10"));
  const nobody = await l1Account(`${label}:nobody`, parseEther("10"));
  const bridge = d.bridge.connect(funder);
  for (const t of [token, pending]) {
    await t.connect(funder).mint(funder.address, 10n ** 30n);
    await t.connect(funder).approve(d.addresses.bridge, ethers.MaxUint256);
  }
  const lie = async (to: string, credit: bigint) => {
    await liar.connect(funder).arm(credit);
    await bridge.depositERC20(liar, to, 1n);
  };

  await bridge.registerToken(token);
  await bridge.registerToken(liar);
  await bridge.depositETH(users.alice.address, { value: parseEther("10") });
  await bridge.depositERC20(token, users.alice.address, parseEther("1000"));
  await bridge.depositETH(users.bob.address, { value: parseEther("5") });
  await lie(users.bob.address, MAX_UINT256);
  await bridge.depositETH(users.carol.address, { value: 1n });
  await bridge.depositETH(users.whale.address, { value: 1n << 255n });
  await bridge.depositETH(users.rich.address, { value: (1n << 255n) - (1n << 250n) });
  await bridge.depositETH(users.hoarder.address, { value: parseEther("1") });
  await lie(users.hoarder.address, MAX_UINT256);
  await bridge.depositERC20(token, users.hoarder.address, 1n);
  await bridge.depositETH(forcer.address, { value: parseEther("1") });
  await d.rollup.connect(deployer).postBond({ value: DEVNET_PARAMS.bondSize });

  const l1 = new L1Contracts(ethers.provider, d.addresses, deployer);
  const chain = new FraudChain(l1, L2State.genesis());
  await chain.syncQueue();
  const b = chain.builder();
  while (chain.state.queueIndex < BigInt(chain.queue.length)) b.addQueueEntry();
  // Non-zero nonces in the pre-state: alice has sent twice.
  for (let i = 0; i < 2; i++) b.addTransaction(await chain.parsed(users.alice, transferTo(users.bob.address, 1n)));
  // Allowances for transferFrom to spend: finite, infinite (2^256 − 1, never decreased) and one below it.
  const [honestL2, liarL2] = await Promise.all([token, liar].map(async (t) => l2TokenAddress((await t.getAddress()).toLowerCase())));
  b.addTransaction(await chain.parsed(users.alice, tokenApprove(honestL2, users.bob.address, parseEther("400"))));
  b.addTransaction(await chain.parsed(users.hoarder, tokenApprove(liarL2, users.carol.address, MAX_UINT256)));
  b.addTransaction(await chain.parsed(users.bob, tokenApprove(liarL2, users.alice.address, MAX_UINT256 - 1n)));
  await chain.post([b.seal(GENESIS_TIMESTAMP).body]);
  const consumedQueue = chain.state.queueIndex;

  // Left pending, for queue operations.
  await bridge.depositETH(namedWallet("user:newbie").address, { value: parseEther("1") });
  await bridge.depositETH(users.alice.address, { value: 1n });
  await lie(users.hoarder.address, MAX_UINT256);
  await d.bridge.connect(forcer).forceWithdrawal(ZERO_ADDRESS, parseEther("0.5"));
  await d.bridge.connect(forcer).forceWithdrawal(ZERO_ADDRESS, MAX_UINT256);
  await d.bridge.connect(nobody).forceWithdrawal(ZERO_ADDRESS, 1n);
  await bridge.registerToken(pending);
  await bridge.depositERC20(pending, users.carol.address, 5n);
  await chain.syncQueue();

  const keys = new Map<string, Wallet>(USERS.map((u) => [users[u].address.toLowerCase(), users[u]]));
  const l2Tokens = [token, liar].map((t) => t.getAddress());
  return {
    ...d,
    label,
    deployer,
    chain,
    users,
    keys,
    token,
    liar,
    l2Tokens: (await Promise.all(l2Tokens)).map((a) => l2TokenAddress(a.toLowerCase())),
    forcer: forcer.address.toLowerCase(),
    consumedQueue,
  };
}
