// Send ETH and a bridged token on Cairn with ethers v6, and read them back.
import { Contract, JsonRpcProvider, NonceManager, Wallet, parseEther, formatEther } from "ethers";

export async function ethersExample(l2RpcUrl: string, privateKey: string, l2Token: string, to: string) {
  const provider = new JsonRpcProvider(l2RpcUrl);
  // Cairn confirms faster than ethers' 250 ms cache of eth_getTransactionCount: let a
  // NonceManager count nonces for back-to-back transactions, as on any fast chain.
  const wallet = new NonceManager(new Wallet(privateKey, provider));

  // ETH: an ordinary transfer. The receipt's gasUsed × gasPrice is exactly the fee paid.
  const tx = await wallet.sendTransaction({ to, value: parseEther("0.1") });
  const receipt = await tx.wait();
  console.log(`sent 0.1 ETH in block ${receipt!.blockNumber}, fee ${formatEther(receipt!.gasUsed * receipt!.gasPrice)} ETH`);

  // Tokens: every bridged ERC-20 answers at its L2 address.
  const token = new Contract(l2Token, [
    "function symbol() view returns (string)",
    "function balanceOf(address) view returns (uint256)",
    "function transfer(address to, uint256 amount) returns (bool)",
    "event Transfer(address indexed from, address indexed to, uint256 value)",
  ], wallet);
  await (await token.transfer(to, parseEther("1"))).wait();
  const received = await token.queryFilter(token.filters.Transfer(null, to));
  console.log(`${to} holds ${formatEther(await token.balanceOf(to))} ${await token.symbol()} after ${received.length} transfer(s)`);

  const ethBalance = await provider.getBalance(to);
  provider.destroy();
  return { ethBalance, transfers: received.length };
}
