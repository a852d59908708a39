/**
 * The load generator: a separate process that sends signed ETH transfers to a JSON-RPC endpoint
 * over several keep-alive HTTP connections for a fixed time, then waits until every accepted
 * transaction has a receipt. Each connection owns a set of senders and sends one JSON-RPC batch
 * per round holding the next transaction of each; a sender's next nonce goes out only after
 * the previous one was accepted, as a wallet would.
 *
 *   ts-node bench/load/generator.ts '{"url":"http://127.0.0.1:8547","chainId":"51730",...}'
 *
 * Prints one JSON document: sent, accepted, rejected, tps, latency percentiles, drain time.
 */
import http from "node:http";
import secp256k1 from "secp256k1";
import { rawTransaction, signingHash, type UnsignedTx } from "../../src/core/txSigning";
import { loadKeys, type LoadKey } from "./keys";

export interface LoadSpec {
  url: string;
  chainId: string;
  senders: number;
  seed: number;
  connections: number;
  seconds: number;
  maxFeePerGas: string;
  gasLimit: string;
  /** Transactions of one sender in flight per round (1: wait for each acceptance). */
  depth?: number;
  /** Signed ahead of the timed window, enough for this rate (tx/s); later ones are signed on the fly. */
  presignRate?: number;
}

interface RpcResponse {
  id: number;
  result?: unknown;
  error?: { code: number; message: string };
}

const spec = JSON.parse(process.argv[2] ?? "{}") as LoadSpec;
const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
const target = new URL(spec.url);

function post(body: string): Promise<RpcResponse[]> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8")) as RpcResponse | RpcResponse[];
            resolve(Array.isArray(parsed) ? parsed : [parsed]);
          } catch (e) {
            reject(e);
          }
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

function signTransfer(key: LoadKey, nonce: bigint, to: string): string {
  const tx: UnsignedTx = {
    fee: { type: 2, maxPriorityFeePerGas: 0n, maxFeePerGas: BigInt(spec.maxFeePerGas), gasLimit: BigInt(spec.gasLimit) },
    chainId: BigInt(spec.chainId),
    nonce,
    to,
    value: 1_000_000_000n + nonce,
    data: Buffer.alloc(0),
  };
  const { signature, recid } = secp256k1.ecdsaSign(signingHash(tx), key.privateKey);
  const sig = { r: Buffer.from(signature.subarray(0, 32)), s: Buffer.from(signature.subarray(32)), yParity: recid as 0 | 1 };
  return "0x" + rawTransaction(tx, sig).toString("hex");
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : 0);

async function main(): Promise<void> {
  const keys = loadKeys(spec.senders, spec.seed);
  const nonces = keys.map(() => 0n);
  const lastHash: Array<string | null> = keys.map(() => null);
  const latencies: number[] = [];
  const errors = new Map<string, number>();
  let sent = 0;
  let accepted = 0;
  let id = 0;
  const depth = spec.depth ?? 1;
  // Sign ahead, so the timed window measures the node rather than this process's signing.
  const perSender = Math.ceil(((spec.presignRate ?? 0) * spec.seconds) / spec.senders);
  const presigned = keys.map((k, s) => Array.from({ length: perSender }, (_, n) => signTransfer(k, BigInt(n), keys[(s + 1) % keys.length].address)));
  const rawFor = (s: number, nonce: bigint) => presigned[s][Number(nonce)] ?? signTransfer(keys[s], nonce, keys[(s + 1) % keys.length].address);
  const started = performance.now();
  const deadline = started + spec.seconds * 1000;

  const connection = async (c: number) => {
    const mine = keys.map((_, i) => i).filter((i) => i % spec.connections === c);
    while (performance.now() < deadline) {
      const calls: Array<{ sender: number; body: string }> = [];
      const firstId = id;
      for (const s of mine) {
        for (let d = 0; d < depth; d++) {
          const raw = rawFor(s, nonces[s] + BigInt(d));
          calls.push({ sender: s, body: `{"jsonrpc":"2.0","id":${id++},"method":"eth_sendRawTransaction","params":["${raw}"]}` });
        }
      }
      const t0 = performance.now();
      const responses = await post("[" + calls.map((x) => x.body).join(",") + "]");
      const ms = performance.now() - t0;
      sent += calls.length;
      const byId = new Map(responses.map((r) => [r.id, r]));
      calls.forEach((call, k) => {
        const r = byId.get(firstId + k);
        if (r?.result) {
          accepted++;
          latencies.push(ms);
          nonces[call.sender]++;
          lastHash[call.sender] = r.result as string;
        } else {
          const m = r?.error?.message ?? "no response";
          errors.set(m, (errors.get(m) ?? 0) + 1);
        }
      });
    }
  };
  await Promise.all(Array.from({ length: spec.connections }, (_, c) => connection(c)));
  const sendSeconds = (performance.now() - started) / 1000;

  // Drain: every sender's last accepted transaction must get a receipt (nonces are sequential,
  // so that receipts all of the sender's earlier ones too).
  const drainStart = performance.now();
  let pending = lastHash.filter((h): h is string => h !== null);
  while (pending.length && performance.now() - drainStart < 120_000) {
    // Nodes cap a JSON-RPC batch (Cairn at 1,000 requests): ask in chunks.
    const done = new Set<number>();
    for (let from = 0; from < pending.length; from += 500) {
      const chunk = pending.slice(from, from + 500);
      const responses = await post("[" + chunk.map((h, k) => `{"jsonrpc":"2.0","id":${from + k},"method":"eth_getTransactionReceipt","params":["${h}"]}`).join(",") + "]");
      for (const r of responses) if (r.result) done.add(r.id);
    }
    pending = pending.filter((_, k) => !done.has(k));
    if (pending.length) await new Promise((r) => setTimeout(r, 50));
  }
  const drainMs = performance.now() - drainStart;
  latencies.sort((a, b) => a - b);
  const out = {
    sent,
    accepted,
    rejected: sent - accepted,
    errors: Object.fromEntries([...errors].slice(0, 5)),
    unreceipted: pending.length,
    seconds: +sendSeconds.toFixed(2),
    drainMs: Math.round(drainMs),
    tps: Math.round(accepted / (sendSeconds + drainMs / 1000)),
    latencyMs: { p50: +percentile(latencies, 50).toFixed(1), p99: +percentile(latencies, 99).toFixed(1) },
  };
  process.stdout.write(JSON.stringify(out) + "\n");
  agent.destroy();
}

main().catch((e: unknown) => {
  process.stderr.write(`load generator: ${(e as Error).stack}\n`);
  process.exit(1);
});
