// The same with viem: a public client (reads batched through Multicall3) and a wallet client.
import { createPublicClient, createWalletClient, defineChain, http, parseAbi, parseEther, type Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";

export async function viemExample(l2RpcUrl: string, privateKey: Hex, l2Token: Hex, to: Hex) {
  const cairn = defineChain({
    id: 51730,
    name: "Cairn devnet",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [l2RpcUrl] } },
    contracts: { multicall3: { address: "0xca11bde05977b3631167028862be2a173976ca11" } },
  });
  const publicClient = createPublicClient({ chain: cairn, transport: http() });
  const walletClient = createWalletClient({ account: privateKeyToAccount(privateKey), chain: cairn, transport: http() });

  const hash = await walletClient.sendTransaction({ to, value: parseEther("0.1") });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  console.log(`sent 0.1 ETH in block ${receipt.blockNumber}`);

  const abi = parseAbi(["function balanceOf(address) view returns (uint256)", "function symbol() view returns (string)"]);
  const [balance, symbol] = await publicClient.multicall({
    contracts: [
      { address: l2Token, abi, functionName: "balanceOf", args: [to] },
      { address: l2Token, abi, functionName: "symbol" },
    ],
    allowFailure: false,
  });
  console.log(`${to} holds ${balance} (smallest units) of ${symbol}`);
  return { ethBalance: await publicClient.getBalance({ address: to }), tokenBalance: balance };
}
