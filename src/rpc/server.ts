/**
 * JSON-RPC 2.0 over HTTP POST, single and batch requests. Dispatch, parse errors and unknown
 * methods are json-rpc-2.0's; this file adds the transport, size limits and error hygiene
 * (an unexpected exception becomes -32603 and is logged, never a crashed process).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { JSONRPCErrorException, JSONRPCServer, createJSONRPCErrorResponse, type JSONRPCResponse } from "json-rpc-2.0";
import type { Logger } from "../node/logger";
import { RpcCode } from "./errors";
import type { Method } from "./methods";

export interface RpcServerOptions {
  host?: string;
  port?: number;
  logger: Logger;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes?: number;
  /** Most requests in one batch. */
  maxBatchSize?: number;
}

export class RpcServer {
  private readonly rpc: JSONRPCServer;
  private readonly http: http.Server;
  private readonly maxBodyBytes: number;
  private readonly maxBatchSize: number;

  constructor(
    methods: Record<string, Method>,
    private readonly options: RpcServerOptions,
  ) {
    this.maxBodyBytes = options.maxBodyBytes ?? 5 * 1024 * 1024;
    this.maxBatchSize = options.maxBatchSize ?? 1000;
    this.rpc = new JSONRPCServer({
      errorListener: (message, error) => {
        if (!(error instanceof JSONRPCErrorException)) options.logger.error({ err: error }, message);
      },
    });
    this.rpc.mapErrorToJSONRPCErrorResponse = (id, error) =>
      error instanceof JSONRPCErrorException
        ? createJSONRPCErrorResponse(id, error.code, error.message, error.data)
        : createJSONRPCErrorResponse(id, RpcCode.INTERNAL, "internal error");
    for (const [name, method] of Object.entries(methods)) {
      this.rpc.addMethod(name, (params: unknown) => method(Array.isArray(params) ? params : params === undefined ? [] : [params]));
    }
    this.http = http.createServer((req, res) => void this.handle(req, res));
    this.http.keepAliveTimeout = 60_000;
  }

  /** Starts listening; resolves with the URL. */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.http.once("error", reject);
      this.http.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", () => resolve());
    });
    const { address, port } = this.http.address() as AddressInfo;
    return `http://${address}:${port}`;
  }

  async stop(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      await this.dispatch(req, res);
    } catch (error) {
      this.options.logger.error({ err: error }, "HTTP handler failed");
      if (!res.headersSent) this.reply(res, 500, createJSONRPCErrorResponse(null, RpcCode.INTERNAL, "internal error"));
    }
  }

  private async dispatch(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Allow-Headers", "content-type");
    if (req.method === "OPTIONS") return void res.writeHead(204).end();
    if (req.method !== "POST") return this.reply(res, 405, createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, "JSON-RPC takes POST requests"));
    let body: string;
    try {
      body = await this.readBody(req);
    } catch {
      return this.reply(res, 413, createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, `oversize request: more than ${this.maxBodyBytes} bytes`));
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return this.reply(res, 200, createJSONRPCErrorResponse(null, RpcCode.PARSE_ERROR, "parse error"));
    }
    if (Array.isArray(parsed)) {
      if (parsed.length === 0) return this.reply(res, 200, createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, "empty batch"));
      if (parsed.length > this.maxBatchSize) {
        return this.reply(res, 200, createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, `oversize batch: more than ${this.maxBatchSize} requests`));
      }
      const responses = await Promise.all(parsed.map((r) => this.receiveOne(r)));
      const out = responses.flatMap((r) => (r === null ? [] : Array.isArray(r) ? r : [r]));
      return out.length ? this.reply(res, 200, out) : void res.writeHead(204).end();
    }
    const response = await this.receiveOne(parsed);
    return response ? this.reply(res, 200, response) : void res.writeHead(204).end();
  }

  /** One request of a call or batch; anything that is not a request object is answered -32600. */
  private async receiveOne(request: unknown): Promise<JSONRPCResponse | JSONRPCResponse[] | null> {
    if (typeof request !== "object" || request === null || Array.isArray(request)) {
      return createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, "invalid request: expected a JSON-RPC request object");
    }
    try {
      return await this.rpc.receive(request as never);
    } catch (error) {
      this.options.logger.error({ err: error }, "JSON-RPC dispatch failed");
      return createJSONRPCErrorResponse((request as { id?: number | string | null }).id ?? null, RpcCode.INTERNAL, "internal error");
    }
  }

  private reply(res: http.ServerResponse, status: number, payload: JSONRPCResponse | JSONRPCResponse[]): void {
    const json = JSON.stringify(payload, (_k, v) => (typeof v === "bigint" ? "0x" + v.toString(16) : v));
    res.writeHead(status, { "content-type": "application/json" }).end(json);
  }

  private readBody(req: http.IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on("data", (c: Buffer) => {
        size += c.length;
        if (size > this.maxBodyBytes) {
          req.removeAllListeners("data");
          req.resume();
          reject(new Error("oversize"));
          return;
        }
        chunks.push(c);
      });
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    });
  }
}
