// A round trip through Cairn with the SDK's actions, as an ES module: the devnet's test token
// onto L2, some of it to a friend there, some of it back out to L1 and paid.
//   node sdk-round-trip.mjs 0      # next to a devnet (.cairn/devnet.json), with its test key 0
import { JsonRpcProvider, Wallet, parseUnits } from "ethers";
import { depositERC20, finalizeWithdrawal, getTokenBalances, getWithdrawalStatus, readDevnetInfo, transfer, waitForWithdrawal, withdraw } from "cairn";
import { cairnL2Actions } from "cairn/viem";
import { createPublicClient, http } from "viem";

const devnet = readDevnetInfo(".cairn/devnet.json");
const key = devnet.accounts[Number(process.argv[2] ?? 0)].privateKey;
const token = devnet.testToken;
const l1 = new JsonRpcProvider(devnet.l1.rpcUrl, undefined, { cacheTimeout: -1, pollingInterval: 100 });
const l2 = new JsonRpcProvider(devnet.l2.rpcUrl, undefined, { cacheTimeout: -1, pollingInterval: 100 });
const cairn = { l1: new Wallet(key, l1), l2, addresses: devnet.contracts, pollMs: 100 };
const l2Wallet = new Wallet(key, l2);
const friend = Wallet.createRandom().address;

const deposit = await depositERC20(cairn, { l1Token: token.l1, amount: parseUnits("40", token.decimals) });
await deposit.credited; // approved, deposited, and applied on L2
await transfer(l2Wallet, { to: friend, amount: parseUnits("15", token.decimals), l1Token: token.l1 });
const { withdrawalId } = await withdraw(l2Wallet, { amount: parseUnits("10", token.decimals), l1Token: token.l1, l1Recipient: friend });
await waitForWithdrawal(cairn, { id: withdrawalId, state: "posted", timeoutMs: 60_000 });
// The devnet's challenge window is a minute of L1 time: move its clock past it.
await l1.send("evm_increaseTime", [devnet.params.challengeWindow]);
await l1.send("evm_mine", []);
await waitForWithdrawal(cairn, { id: withdrawalId, state: "ready", timeoutMs: 60_000 });
await finalizeWithdrawal(cairn, { id: withdrawalId });

const status = await getWithdrawalStatus(cairn, { id: withdrawalId });
const [held] = await getTokenBalances(cairn, { address: friend });
const l2Viem = createPublicClient({ transport: http(devnet.l2.rpcUrl) }).extend(cairnL2Actions());
const proof = await l2Viem.getWithdrawalProof({ id: withdrawalId });
console.log(JSON.stringify({ friend, withdrawalId: withdrawalId.toString(), state: status.state, friendOnL2: held.balance.toString(), recipient: proof.withdrawal.l1Recipient }));
l1.destroy();
l2.destroy();
