import http from "node:http";
import net from "node:net";
import WebSocket from "ws";
import { L2State } from "../../src/core/state";
import { ChainStore, type L2Block } from "../../src/chain/chainStore";
import { createMethods } from "../../src/rpc/methods";
import type { L2Backend } from "../../src/chain/backend";
import type { RollupStatus } from "../../src/chain/api";
import { RpcServer } from "../../src/rpc/server";
import { silentLogger } from "../../src/shared/logger";
import type { RpcLimits } from "../../src/rpc/limits";

/**
 * An L2 backend at genesis with no L1 behind it: enough for the RPC's transport, filters and
 * subscriptions, so limit tests and the memory bench run without a Hardhat L1. `emit` makes
 * the chain's latest block be announced to subscribers again.
 */
export function genesisBackend(): L2Backend & { emit(): void } {
  const state = L2State.genesis();
  const chain = new ChainStore(state.root());
  const listeners: Array<(b: L2Block) => void> = [];
  const status: RollupStatus = {
    l2BlockNumber: 0,
    stateRoot: chain.latest.stateRoot,
    batches: { posted: 0, final: 0, reverted: 0 },
    pendingDeposits: 0,
    queueConsumed: 0,
    l1: { bridge: "0x" + "00".repeat(20), rollup: "0x" + "00".repeat(20), chainId: 31337 },
  };
  return {
    chainId: 51730n,
    baseFee: 10_000_000n,
    state,
    chain,
    nonce: () => 0n,
    tokenMetadata: () => undefined,
    pendingTransaction: () => undefined,
    status: () => status,
    onBlock: (l) => void listeners.push(l),
    emit: () => listeners.forEach((l) => l(chain.latest)),
  };
}

/** An RPC server on 127.0.0.1:0 over a genesis backend with `limits`; stop() it when done. */
export async function startLimitedRpc(limits: Partial<RpcLimits>) {
  const backend = genesisBackend();
  const server = new RpcServer(createMethods(backend, limits), { host: "127.0.0.1", port: 0, logger: silentLogger, limits, onBlock: (l) => backend.onBlock(l), chainId: backend.chainId });
  const url = await server.start();
  return { url, server, backend, stop: () => server.stop() };
}

export type RpcReply = { id?: number; result?: unknown; error?: { code: number; message: string } };

/**
 * POSTs `body` to `url` from the local address `from` (any 127.0.0.0/8 address reaches a
 * server on 127.0.0.1: a distinct client for per-client quotas). A fresh connection each time.
 */
export function postFrom(from: string, url: string, body: unknown): Promise<{ status: number; json: RpcReply | RpcReply[] | null }> {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", localAddress: from, agent: false, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const raw = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, json: raw ? (JSON.parse(raw) as RpcReply) : null });
      });
    });
    req.on("error", reject);
    req.end(text);
  });
}

/** One JSON-RPC call from local address `from`. */
export async function callFrom(from: string, url: string, method: string, params: unknown[] = []): Promise<RpcReply> {
  return (await postFrom(from, url, { jsonrpc: "2.0", id: 1, method, params })).json as RpcReply;
}

/** A batch of `count` copies of one call, from local address `from`. */
export async function batchFrom(from: string, url: string, method: string, count: number, params: unknown[] = []): Promise<RpcReply[]> {
  const batch = Array.from({ length: count }, (_, id) => ({ jsonrpc: "2.0", id, method, params }));
  const { json } = await postFrom(from, url, batch);
  return Array.isArray(json) ? json : [json as RpcReply];
}

/**
 * Opens a WebSocket to `url` from local address `from`: resolves with the open socket, or with
 * the HTTP status the handshake was refused with.
 */
export function openSocketFrom(from: string, url: string): Promise<{ socket: WebSocket } | { refused: number }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, "ws"), { localAddress: from });
    socket.once("open", () => resolve({ socket }));
    socket.once("unexpected-response", (_req, res) => {
      resolve({ refused: res.statusCode ?? 0 });
      res.resume();
      socket.terminate();
    });
    socket.once("error", reject);
  });
}

/** Sends one request over an open WebSocket and resolves with its response (matched by id). */
let nextId = 1_000;
export function socketCall(socket: WebSocket, method: string, params: unknown[] = []): Promise<RpcReply> {
  const id = nextId++;
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as RpcReply;
      if (msg.id !== id) return;
      socket.off("message", onMessage);
      resolve(msg);
    };
    socket.on("message", onMessage);
    socket.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
  });
}

/**
 * A raw TCP connection to `url` from `from`, for clients that misbehave below HTTP: resolves
 * once connected; `closed` resolves with everything the server sent when it closes. With
 * `allowHalfOpen` the client ignores the server's FIN and keeps sending until it is reset.
 */
export function rawConnection(from: string, url: string, options: { allowHalfOpen?: boolean } = {}): Promise<{ socket: net.Socket; closed: Promise<string> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port), localAddress: from, allowHalfOpen: options.allowHalfOpen ?? false });
    const received: Buffer[] = [];
    socket.on("data", (c: Buffer) => received.push(c));
    const closed = new Promise<string>((done) => socket.once("close", () => done(Buffer.concat(received).toString())));
    socket.once("connect", () => resolve({ socket, closed }));
    socket.once("error", reject);
  });
}
