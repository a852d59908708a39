// A round trip through Cairn with the SDK's client object, from CommonJS: ETH onto L2, some of
// it to a friend there, some of it back out to L1 and paid.
//   node sdk-round-trip.cjs 0      # next to a devnet (.cairn/devnet.json), with its test key 0
const { JsonRpcProvider, Wallet, parseEther } = require("ethers");
const { CairnClient, readDevnetInfo } = require("cairn");
const { getRollupStatus } = require("cairn/viem");
const { createPublicClient, http } = require("viem");

async function main() {
  const devnet = readDevnetInfo(".cairn/devnet.json");
  const key = devnet.accounts[Number(process.argv[2] ?? 0)].privateKey;
  const l1 = new JsonRpcProvider(devnet.l1.rpcUrl, undefined, { cacheTimeout: -1, pollingInterval: 100 });
  const l2 = new JsonRpcProvider(devnet.l2.rpcUrl, undefined, { cacheTimeout: -1, pollingInterval: 100 });
  const cairn = new CairnClient({ l1: new Wallet(key, l1), l2, addresses: devnet.contracts, pollMs: 100 });
  const l2Wallet = new Wallet(key, l2);
  const friend = Wallet.createRandom().address;

  await (await cairn.depositETH(parseEther("1"))).credited;
  await cairn.transfer(l2Wallet, { to: friend, amount: parseEther("0.25") });
  const { withdrawalId } = await cairn.withdraw(l2Wallet, { amount: parseEther("0.5") });
  await cairn.waitForWithdrawal(withdrawalId, "posted", 60_000);
  // The devnet's challenge window is a minute of L1 time: move its clock past it.
  await l1.send("evm_increaseTime", [devnet.params.challengeWindow]);
  await l1.send("evm_mine", []);
  await cairn.waitForWithdrawal(withdrawalId, "ready", 60_000);
  await cairn.finalizeWithdrawal(withdrawalId);

  const status = await cairn.getWithdrawalStatus(withdrawalId);
  const rollup = await getRollupStatus(createPublicClient({ transport: http(devnet.l2.rpcUrl) }));
  console.log(JSON.stringify({ friend, withdrawalId: withdrawalId.toString(), state: status.state, l2Block: rollup.l2BlockNumber }));
  l1.destroy();
  l2.destroy();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
