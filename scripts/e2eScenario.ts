/**
 * The deposit → transfer → withdraw → finalize round trip, driven only through public
 * interfaces: the L1 contracts with ethers, and the L2 JSON-RPC with an ethers provider and
 * Wallets. `npm run e2e` runs it against a running devnet; the end-to-end test runs it in-process.
 * Every balance is checked to the wei; any mismatch throws.
 */
import { Contract, Interface, JsonRpcProvider, Wallet, formatEther, parseEther, type Provider, type Signer } from "ethers";
import { Bridge__factory, Rollup__factory, TestToken__factory } from "../typechain-types";
import { WITHDRAWAL_PREDEPLOY, ZERO_ADDRESS } from "../src/core/constants";
import { l2TokenAddress } from "../src/core/hashing";

export interface ScenarioConfig {
  l1Provider: Provider;
  /** A funded L1 account: pays for the fresh user's L1 ETH and test tokens. */
  funder: Signer;
  addresses: { bridge: string; rollup: string };
  /** The devnet's test ERC-20 on L1 (registered with the bridge). */
  l1Token: string;
  l2RpcUrl: string;
  /** Moves L1 time forward (the devnet's Hardhat L1 mines a block after). */
  advanceL1Time(seconds: number): Promise<void>;
  log(step: string, details?: Record<string, string>): void;
}

export interface ScenarioResult {
  user: string;
  withdrawalIds: bigint[];
}

const erc20 = new Interface([
  "function transfer(address to, uint256 amount) returns (bool)",
  "function balanceOf(address owner) view returns (uint256)",
]);
const predeploy = new Interface(["function withdraw(address l1Recipient, address token, uint256 amount)"]);

class Mismatch extends Error {}

function expectEqual(what: string, actual: bigint, expected: bigint): void {
  if (actual !== expected) throw new Mismatch(`${what}: expected ${expected}, got ${actual}`);
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function runScenario(c: ScenarioConfig): Promise<ScenarioResult> {
  const l2 = new JsonRpcProvider(c.l2RpcUrl, undefined, { staticNetwork: true, pollingInterval: 200, cacheTimeout: -1 });
  try {
    return await scenario(c, l2);
  } finally {
    l2.destroy();
  }
}

async function scenario(c: ScenarioConfig, l2: JsonRpcProvider): Promise<ScenarioResult> {
  const bridge = Bridge__factory.connect(c.addresses.bridge, c.funder);
  const rollup = Rollup__factory.connect(c.addresses.rollup, c.l1Provider);
  const token = TestToken__factory.connect(c.l1Token, c.funder);
  const l2Token = new Contract(l2TokenAddress(c.l1Token), erc20, l2);

  // A fresh user, so every balance starts at zero and every figure below is exact.
  const user = Wallet.createRandom().connect(c.l1Provider);
  const friend = Wallet.createRandom();
  const l1Gas = async (tx: { wait(): Promise<{ gasUsed: bigint; gasPrice: bigint } | null> }) => {
    const r = await tx.wait();
    return r!.gasUsed * r!.gasPrice;
  };
  await (await c.funder.sendTransaction({ to: user.address, value: parseEther("2") })).wait();
  await (await token.transfer(user.address, parseEther("500"))).wait();
  c.log("funded a fresh L1 user", { user: user.address, eth: "2", tokens: "500" });

  // 1. Deposits on L1.
  const depositEth = parseEther("0.5");
  const depositTok = parseEther("100");
  let l1Spent = 0n;
  l1Spent += await l1Gas(await bridge.connect(user).depositETH(user.address, { value: depositEth }));
  l1Spent += await l1Gas(await token.connect(user).approve(c.addresses.bridge, depositTok));
  l1Spent += await l1Gas(await bridge.connect(user).depositERC20(c.l1Token, user.address, depositTok));
  expectEqual("user L1 ETH after deposits", await c.l1Provider.getBalance(user.address), parseEther("2") - depositEth - l1Spent);
  expectEqual("user L1 tokens after deposit", await token.balanceOf(user.address), parseEther("400"));
  c.log("deposited on L1", { eth: formatEther(depositEth), tokens: formatEther(depositTok) });

  // 2. Credited on L2.
  await until("deposits credited on L2", async () => (await l2.getBalance(user.address)) === depositEth && (await l2Token.balanceOf(user.address)) === depositTok);
  c.log("credited on L2", { eth: formatEther(await l2.getBalance(user.address)), tokens: formatEther(await l2Token.balanceOf(user.address)) });

  // 3. L2 transfers signed by an ethers Wallet.
  const l2User = new Wallet(user.privateKey, l2);
  let l2Fees = 0n;
  const fee = (r: { gasUsed: bigint; gasPrice: bigint } | null) => r!.gasUsed * r!.gasPrice;
  const ethTx = await l2User.sendTransaction({ to: friend.address, value: parseEther("0.1") });
  l2Fees += fee(await ethTx.wait());
  const tokTx = await l2User.sendTransaction({ to: await l2Token.getAddress(), data: erc20.encodeFunctionData("transfer", [friend.address, parseEther("25")]) });
  l2Fees += fee(await tokTx.wait());
  expectEqual("user L2 ETH after transfers", await l2.getBalance(user.address), depositEth - parseEther("0.1") - l2Fees);
  expectEqual("friend L2 ETH", await l2.getBalance(friend.address), parseEther("0.1"));
  expectEqual("friend L2 tokens", await l2Token.balanceOf(friend.address), parseEther("25"));
  c.log("transferred on L2", { eth: "0.1", tokens: "25", feesPaid: formatEther(l2Fees) });

  // 4. Withdrawals on L2.
  const wEth = parseEther("0.2");
  const wTok = parseEther("30");
  const w1 = await l2User.sendTransaction({ to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [user.address, ZERO_ADDRESS, wEth]) });
  l2Fees += fee(await w1.wait());
  const w2 = await l2User.sendTransaction({ to: WITHDRAWAL_PREDEPLOY, data: predeploy.encodeFunctionData("withdraw", [user.address, await l2Token.getAddress(), wTok]) });
  l2Fees += fee(await w2.wait());
  expectEqual("user L2 ETH after withdrawing", await l2.getBalance(user.address), depositEth - parseEther("0.1") - wEth - l2Fees);
  expectEqual("user L2 tokens after withdrawing", await l2Token.balanceOf(user.address), depositTok - parseEther("25") - wTok);
  c.log("withdrew on L2", { eth: formatEther(wEth), tokens: formatEther(wTok) });

  // 5. Posted in a batch.
  type Proof = { withdrawal: { id: string; l2Sender: string; l1Recipient: string; l1Token: string; amount: string }; batchIndex: string | null; proof: string[] | null };
  const proofOf = (hash: string) => l2.send("rollup_getWithdrawalProof", [hash]) as Promise<Proof>;
  const p1 = await until("withdrawal batch posted", async () => ((await proofOf(w1.hash)).batchIndex !== null ? proofOf(w1.hash) : null));
  const p2 = await until("withdrawal batch posted", async () => ((await proofOf(w2.hash)).batchIndex !== null ? proofOf(w2.hash) : null));
  const batchIndex = BigInt(p1.batchIndex!);
  c.log("batch posted on L1", { batch: batchIndex.toString(), final: String(await rollup.isFinal(batchIndex)) });

  // 6. The challenge window passes.
  if (await rollup.isFinal(batchIndex)) throw new Mismatch("batch final before its challenge window passed");
  await c.advanceL1Time(Number(await rollup.challengeWindow()) + 1);
  await until("batch final", async () => rollup.isFinal(BigInt(p2.batchIndex!)));
  c.log("challenge window passed", { batch: batchIndex.toString(), final: "true" });

  // 7. Finalize on L1: paid out exactly once.
  const asArgs = (p: Proof) => ({ ...p.withdrawal, id: BigInt(p.withdrawal.id), amount: BigInt(p.withdrawal.amount) });
  const ethBefore = await c.l1Provider.getBalance(user.address);
  const fin1 = await l1Gas(await bridge.connect(user).finalizeWithdrawal(asArgs(p1), BigInt(p1.batchIndex!), p1.proof!));
  expectEqual("user L1 ETH after finalizing", await c.l1Provider.getBalance(user.address), ethBefore + wEth - fin1);
  await (await bridge.finalizeWithdrawal(asArgs(p2), BigInt(p2.batchIndex!), p2.proof!)).wait();
  expectEqual("user L1 tokens after finalizing", await token.balanceOf(user.address), parseEther("400") + wTok);
  c.log("finalized on L1", { eth: formatEther(wEth), tokens: formatEther(wTok) });

  // 8. A second finalize of the same withdrawal reverts.
  try {
    await bridge.finalizeWithdrawal.staticCall(asArgs(p1), BigInt(p1.batchIndex!), p1.proof!);
    throw new Mismatch("second finalize did not revert");
  } catch (e) {
    if (e instanceof Mismatch) throw e;
    const decoded = bridge.interface.parseError((e as { data?: string }).data ?? "0x");
    if (decoded?.name !== "BridgeWithdrawalAlreadyFinalized") throw new Mismatch(`second finalize reverted with ${decoded?.name ?? (e as Error).message}`);
  }
  c.log("second finalize reverted", { error: "BridgeWithdrawalAlreadyFinalized" });
  return { user: user.address, withdrawalIds: [BigInt(p1.withdrawal.id), BigInt(p2.withdrawal.id)] };
}

export { Mismatch };
