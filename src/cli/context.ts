/**
 * Where a CLI command's nodes, contracts and key come from: flags first, then the environment
 * (CAIRN_L1_RPC, CAIRN_L2_RPC, CAIRN_ROLLUP, CAIRN_PRIVATE_KEY), then the running devnet's
 * `.cairn/devnet.json`. The private key is never printed, not even in an error.
 */
import { Contract, FetchRequest, JsonRpcProvider, Network, Wallet, getBytes, isAddress, parseUnits } from "ethers";
import { CairnClient, type CairnAddresses } from "../sdk/client";
import { readDevnetInfo, type DevnetInfo } from "../sdk/devnetFile";
import { Rollup__factory } from "../../typechain-types";
import { usage, CliError, EXIT } from "./errors";
import { CairnError } from "../core/errors";
import type { CliIO } from "./output";
import { viewText } from "../chain/untrustedText";
import { shortMessage } from "./failure";

/** symbol() */
const SYMBOL_SELECTOR = "0x95d89b41";

export interface GlobalOptions {
  devnet: string;
  l1Rpc?: string;
  l2Rpc?: string;
  rollup?: string;
  privateKey?: string;
  account?: string;
  json?: boolean;
}

/** A token as the CLI names it: ETH, or an L1 ERC-20 address (or the devnet test token's symbol). */
export interface TokenRef {
  l1: string | null;
  symbol: string;
  decimals: number;
}

const KEY = /^(0x)?[0-9a-fA-F]{64}$/;

export class Context {
  private readonly providers: JsonRpcProvider[] = [];
  /** One probed provider per layer, and the contracts, for the whole command. */
  private readonly connections = new Map<"L1" | "L2", Promise<JsonRpcProvider>>();
  private resolvedAddresses: Promise<CairnAddresses> | null = null;
  readonly devnet: DevnetInfo | null;

  constructor(
    private readonly opts: GlobalOptions,
    private readonly io: CliIO,
  ) {
    this.devnet = readDevnetInfo(opts.devnet);
  }

  get l1Url(): string {
    const url = this.opts.l1Rpc ?? this.io.env.CAIRN_L1_RPC ?? this.devnet?.l1.rpcUrl;
    if (!url) throw usage(`no L1 node: pass --l1-rpc URL (or set CAIRN_L1_RPC, or start a devnet, which writes ${this.opts.devnet})`);
    return url;
  }

  get l2Url(): string {
    const url = this.opts.l2Rpc ?? this.io.env.CAIRN_L2_RPC ?? this.devnet?.l2.rpcUrl;
    if (!url) throw usage(`no L2 node: pass --l2-rpc URL (or set CAIRN_L2_RPC, or start a devnet, which writes ${this.opts.devnet})`);
    return url;
  }

  l1(): Promise<JsonRpcProvider> {
    return this.connection("L1", this.l1Url);
  }

  l2(): Promise<JsonRpcProvider> {
    return this.connection("L2", this.l2Url);
  }

  /** The contracts: --rollup (its bridge read from it), else the devnet's, else what the L2 node reports. */
  addresses(): Promise<CairnAddresses> {
    this.resolvedAddresses ??= this.resolveAddresses();
    return this.resolvedAddresses;
  }

  private async resolveAddresses(): Promise<CairnAddresses> {
    const rollup = this.opts.rollup ?? this.io.env.CAIRN_ROLLUP;
    if (rollup) {
      if (!isAddress(rollup)) throw usage(`--rollup must be a 0x address, not "${rollup}"`);
      const bridge = await Rollup__factory.connect(rollup, await this.l1()).bridge().catch((e: unknown) => {
        throw new CliError(`cannot read the Rollup at ${rollup} on ${this.l1Url}: ${shortMessage(e)}`);
      });
      return { rollup, bridge };
    }
    if (this.devnet) return { bridge: this.devnet.contracts.bridge, rollup: this.devnet.contracts.rollup };
    const status = (await (await this.l2()).send("rollup_status", [])) as { l1: CairnAddresses };
    return { bridge: status.l1.bridge, rollup: status.l1.rollup };
  }

  /** The signing key: --private-key, CAIRN_PRIVATE_KEY, or the devnet's test key number --account. */
  privateKey(): string {
    const key = this.opts.privateKey ?? this.io.env.CAIRN_PRIVATE_KEY;
    if (key !== undefined) {
      if (!KEY.test(key.trim())) throw usage("the private key (--private-key or CAIRN_PRIVATE_KEY) must be 32 bytes of hex");
      return key.trim();
    }
    const index = Number(this.opts.account ?? "0");
    const account = this.devnet?.accounts[index];
    if (!Number.isInteger(index) || index < 0) throw usage(`--account must be a devnet test key number, not "${this.opts.account}"`);
    if (!account) {
      throw usage(
        this.devnet
          ? `the devnet has ${this.devnet.accounts.length} test keys; --account ${index} is not one of them`
          : "no key: set CAIRN_PRIVATE_KEY (or pass --private-key), or start a devnet to use its test keys",
      );
    }
    return account.privateKey;
  }

  /** Whether a key is configured (explicitly, or a devnet's test key). */
  hasKey(): boolean {
    return this.opts.privateKey !== undefined || this.io.env.CAIRN_PRIVATE_KEY !== undefined || Boolean(this.devnet?.accounts.length);
  }

  /** An SDK client signing on L1 with the key. */
  async client(pollMs = 500): Promise<{ cairn: CairnClient; l1Wallet: Wallet; l2: JsonRpcProvider }> {
    const [l1, l2, addresses] = await Promise.all([this.l1(), this.l2(), this.addresses()]);
    const l1Wallet = new Wallet(this.privateKey(), l1);
    return { cairn: new CairnClient({ l1: l1Wallet, l2, addresses, pollMs }), l1Wallet, l2 };
  }

  /** An SDK client that only reads (no key needed). */
  async reader(): Promise<CairnClient> {
    const [l1, l2, addresses] = await Promise.all([this.l1(), this.l2(), this.addresses()]);
    return new CairnClient({ l1, l2, addresses });
  }

  /** ETH (no --token, or "ETH"), the devnet test token by symbol, or an L1 ERC-20 by address. */
  async token(spec: string | undefined): Promise<TokenRef> {
    if (spec === undefined || spec.toUpperCase() === "ETH") return { l1: null, symbol: "ETH", decimals: 18 };
    const t = this.devnet?.testToken;
    if (t && (spec.toLowerCase() === t.symbol.toLowerCase() || spec.toLowerCase() === t.l1.toLowerCase())) {
      return { l1: t.l1, symbol: t.symbol, decimals: t.decimals };
    }
    if (!isAddress(spec)) throw usage(`--token must be ETH, an L1 token address${t ? ` or ${t.symbol}` : ""}, not "${spec}"`);
    const l1 = await this.l1();
    const erc20 = new Contract(spec, ["function decimals() view returns (uint8)"], l1);
    const decimals = await erc20.decimals().catch(() => {
      throw new CliError(`${spec} is not an ERC-20 on the L1 (no decimals())`);
    });
    return { l1: spec.toLowerCase(), symbol: await this.tokenSymbol(l1, spec), decimals: Number(decimals) };
  }

  /**
   * A token's symbol for messages, read as the Bridge reads it: any bytes (string or bytes32),
   * shown without control characters; the short address when it has none. ethers' decoder
   * would throw on a symbol that is not UTF-8.
   */
  private async tokenSymbol(l1: JsonRpcProvider, token: string): Promise<string> {
    // A token without symbol() reverts; any failure to read it only costs the message its symbol.
    const answer = await l1.call({ to: token, data: SYMBOL_SELECTOR }).catch(() => "0x");
    return viewText(getBytes(answer)) || `${token.slice(0, 8)}…`;
  }

  close(): void {
    for (const p of this.providers) p.destroy();
  }

  private connection(layer: "L1" | "L2", url: string): Promise<JsonRpcProvider> {
    let c = this.connections.get(layer);
    if (!c) this.connections.set(layer, (c = this.connect(layer, url)));
    return c;
  }

  private async connect(layer: "L1" | "L2", url: string): Promise<JsonRpcProvider> {
    const chainId = await probeChainId(url).catch((e: unknown) => {
      throw new CliError(`cannot reach the ${layer} node at ${url}: ${shortMessage(e)}${this.devnet ? " (is the devnet still running?)" : ""}`, EXIT.usage);
    });
    const provider = new JsonRpcProvider(url, undefined, { staticNetwork: Network.from(chainId), cacheTimeout: -1 });
    this.providers.push(provider);
    return provider;
  }
}

/** A URL whose answer to eth_chainId is not a JSON-RPC result. */
class NotJsonRpcError extends CairnError {
  override readonly name = "NotJsonRpcError";
  readonly code = "NOT_JSON_RPC";
  constructor(readonly url: string) {
    super("not an Ethereum JSON-RPC endpoint");
  }
}

/** Asks a node its chain id, failing fast (ethers' provider would retry forever). */
async function probeChainId(url: string): Promise<bigint> {
  const req = new FetchRequest(url);
  req.timeout = 5_000;
  req.setHeader("content-type", "application/json");
  req.body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] });
  const res = await req.send();
  res.assertOk();
  const body = res.bodyJson as { result?: string };
  if (typeof body.result !== "string") throw new NotJsonRpcError(url);
  return BigInt(body.result);
}

/** Parses a decimal amount in the token's units. */
export function parseAmount(text: string, token: TokenRef): bigint {
  let amount: bigint;
  try {
    amount = parseUnits(text, token.decimals);
  } catch {
    throw usage(`the amount must be a decimal number of ${token.symbol} such as 1.5, not "${text}"`);
  }
  if (amount <= 0n) throw usage(`the amount must be more than zero, not "${text}"`);
  return amount;
}
