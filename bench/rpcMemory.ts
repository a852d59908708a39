/**
 * Memory one RPC client can make the node hold, and all clients together, at the default
 * limits (src/rpc/limits.ts). The server runs in this process over a genesis backend; the
 * clients run in a child process, so their own allocations are not counted. Prints one JSON
 * document:
 *
 *   node -r ts-node/register/transpile-only bench/rpcMemory.ts
 *
 * Growth is measured after two forced GCs: the JS heap is what the server retains (the
 * figure that matters); RSS moves by a few MB on its own, so small growths are noise.
 *
 * - `oneClientFilters`: one client installs filters of 1,000 addresses until refused, then
 *   block filters until refused (its whole quota);
 * - `oneClientSubscriptions`: one client opens its WebSocket quota, each with its subscription
 *   quota, logs subscriptions of 1,000 addresses until refused;
 * - `allClientsFilters`: clients at 127.0.0.2, .3, … each fill their filter quota until the
 *   node-wide caps refuse them;
 * - `findingSix`: the attack of issue 19, 20 filters of 100,000 addresses, and what is left of it.
 */
import { fork } from "node:child_process";
import type WebSocket from "ws";
import { DEFAULT_RPC_LIMITS } from "../src/rpc/limits";
import { startLimitedRpc, batchFrom, callFrom, openSocketFrom, socketCall } from "../test/helpers/rpcClients";

const ADDRESSES = DEFAULT_RPC_LIMITS.maxAddresses;
const addresses = (n: number, salt: number) => Array.from({ length: n }, (_, i) => "0x" + (salt * 10_000_000 + i + 1).toString(16).padStart(40, "0"));

type Tally = { installed: number; refused: number; criteria: number; clients?: number; lastError?: string };

/** Child: one attack from local address `from`, reporting what the server accepted. */
async function attack(mode: string, url: string, from: string): Promise<Tally> {
  const tally: Tally = { installed: 0, refused: 0, criteria: 0 };
  const note = (r: { result?: unknown; error?: { message: string } }, criteria: number) => {
    if (r.error) {
      tally.refused++;
      tally.lastError = r.error.message;
    } else {
      tally.installed++;
      tally.criteria += criteria;
    }
    return !r.error;
  };
  if (mode === "filters") {
    for (let salt = 0; note(await callFrom(from, url, "eth_newFilter", [{ address: addresses(ADDRESSES, salt) }]), ADDRESSES); salt++);
    for (const r of await batchFrom(from, url, "eth_newBlockFilter", DEFAULT_RPC_LIMITS.maxBatchSize)) note(r, 0);
  } else if (mode === "subscriptions") {
    const sockets: WebSocket[] = [];
    for (;;) {
      const r = await openSocketFrom(from, url);
      if (!("socket" in r)) break;
      sockets.push(r.socket);
    }
    let salt = 0;
    for (const socket of sockets) {
      for (let i = 0; i < DEFAULT_RPC_LIMITS.maxSubscriptionsPerConnection; i++) {
        const logs = note(await socketCall(socket, "eth_subscribe", ["logs", { address: addresses(ADDRESSES, salt++) }]), ADDRESSES);
        if (!logs) note(await socketCall(socket, "eth_subscribe", ["newHeads"]), 0);
      }
    }
    process.send!({ tally: { ...tally, sockets: sockets.length } });
    await new Promise(() => undefined); // keep the connections open until the parent has measured
  } else if (mode === "allClients") {
    // Client after client, each filling its quota, until the node-wide caps refuse one outright.
    for (let host = 2; host < 250; host++) {
      const one = await attack("filters", url, `127.0.0.${host}`);
      tally.installed += one.installed;
      tally.refused += one.refused;
      tally.criteria += one.criteria;
      tally.clients = host - 1;
      if (one.criteria === 0 && /on this node/.test(one.lastError ?? "")) {
        tally.lastError = one.lastError;
        break;
      }
    }
  } else if (mode === "warmUp") {
    const id = (await callFrom(from, url, "eth_newFilter", [{ address: addresses(10, 9) }])).result;
    await callFrom(from, url, "eth_uninstallFilter", [id]);
    const r = await openSocketFrom(from, url);
    if ("socket" in r) {
      await socketCall(r.socket, "eth_subscribe", ["newHeads"]);
      r.socket.terminate();
    }
  } else if (mode === "findingSix") {
    // The server answers 413 before the 4.4 MB body is sent; Node then closes the connection, so
    // the client may see EPIPE instead of the answer: either way, refused.
    for (let salt = 0; salt < 20; salt++) {
      const reply = await callFrom(from, url, "eth_newFilter", [{ address: addresses(100_000, salt) }]).catch((e: NodeJS.ErrnoException) => ({ error: { message: `connection closed (${e.code})` } }));
      note(reply, 100_000);
    }
  }
  return tally;
}

/** Runs one attack in a child process; resolves with its tally (the child may stay connected). */
function runChild(mode: string, url: string, from: string): Promise<{ tally: Tally; child: ReturnType<typeof fork> }> {
  const child = fork(__filename, ["--child", mode, url, from], { execArgv: ["-r", "ts-node/register/transpile-only"] });
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve({ tally: (m as { tally: Tally }).tally, child }));
    child.once("error", reject);
    child.once("exit", (code) => code !== 0 && reject(new Error(`attack ${mode} from ${from} exited ${code}`)));
  });
}

function measure(): { heapMb: number; rssMb: number } {
  global.gc!();
  global.gc!();
  const m = process.memoryUsage();
  return { heapMb: m.heapUsed / 2 ** 20, rssMb: m.rss / 2 ** 20 };
}

const SCENARIOS: Record<string, (url: string) => Promise<Record<string, unknown>>> = {
  oneClientFilters: async (url) => ({ ...(await runChild("filters", url, "127.0.0.2")).tally }),
  oneClientSubscriptions: async (url) => {
    const { tally, child } = await runChild("subscriptions", url, "127.0.0.2");
    await new Promise((r) => setTimeout(r, 200));
    // Measured while the child still holds its connections; scenario() measures again after.
    const report = { ...tally, ...growthSince(baseline!) };
    child.kill();
    return report;
  },
  allClientsFilters: async (url) => ({ ...(await runChild("allClients", url, "127.0.0.2")).tally }),
  findingSix: async (url) => ({ ...(await runChild("findingSix", url, "127.0.0.2")).tally }),
};

let baseline: { heapMb: number; rssMb: number } | null = null;
const round = (x: number) => Math.round(x * 10) / 10;
function growthSince(before: { heapMb: number; rssMb: number }) {
  const after = measure();
  return { heapGrowthMb: round(after.heapMb - before.heapMb), rssGrowthMb: round(after.rssMb - before.rssMb) };
}

/** One scenario in this (fresh) process: the server here, the attack in a child. */
async function scenario(name: string): Promise<Record<string, unknown>> {
  const server = await startLimitedRpc({});
  try {
    // Warm up (code paths compiled, startup garbage returned to the OS) before the baseline.
    await runChild("warmUp", server.url, "127.0.0.250");
    measure();
    await new Promise((r) => setTimeout(r, 1_000));
    baseline = measure();
    const report = await SCENARIOS[name](server.url);
    return { ...growthSince(baseline), ...report };
  } finally {
    await server.stop();
  }
}

/** Each scenario in a fresh process, so one's garbage is not the next one's baseline. */
function runScenario(name: string): Promise<Record<string, unknown>> {
  const child = fork(__filename, ["--scenario", name], { execArgv: ["--expose-gc", "-r", "ts-node/register/transpile-only"] });
  return new Promise((resolve, reject) => {
    child.once("message", (m) => resolve(m as Record<string, unknown>));
    child.once("error", reject);
    child.once("exit", (code) => code !== 0 && reject(new Error(`scenario ${name} exited ${code}`)));
  });
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {};
  for (const name of Object.keys(SCENARIOS)) results[name] = await runScenario(name);
  const l = DEFAULT_RPC_LIMITS;
  const limits = { maxAddresses: l.maxAddresses, maxFiltersPerClient: l.maxFiltersPerClient, maxFilterCriteriaPerClient: l.maxFilterCriteriaPerClient, maxFilterCriteria: l.maxFilterCriteria, maxWebSocketsPerClient: l.maxWebSocketsPerClient, maxSubscriptionsPerConnection: l.maxSubscriptionsPerConnection, maxSubscriptionCriteriaPerClient: l.maxSubscriptionCriteriaPerClient, maxBodyBytes: l.maxBodyBytes };
  process.stdout.write(JSON.stringify({ limits, ...results }, null, 2) + "\n");
}

if (process.argv[2] === "--child") {
  const [, , , mode, url, from] = process.argv;
  attack(mode, url, from).then(
    (tally) => {
      process.send!({ tally });
      if (mode !== "subscriptions") process.disconnect();
    },
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
} else if (process.argv[2] === "--scenario") {
  if (!global.gc) throw new Error("run with node --expose-gc");
  scenario(process.argv[3]).then(
    (report) => process.send!(report, () => process.exit(0)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
} else {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
