/**
 * JSON-RPC dispatch for both transports. json-rpc-2.0 runs the methods and answers their
 * errors; this adds what it leaves to the server: a body parsed once, batches bounded, and an
 * unexpected exception answered -32603 and logged, never a crashed process.
 */
import { JSONRPCErrorException, JSONRPCServer, createJSONRPCErrorResponse, type JSONRPCErrorResponse, type JSONRPCResponse } from "json-rpc-2.0";
import type { Logger } from "../shared/logger";
import { CalldataError, RpcCode, RpcLimitError } from "./errors";
import type { RequestContext } from "./limits";
import type { Method } from "./methods";

/** A request as a client sent it: nothing in it is checked yet. */
export type Request = { id?: number | string | null; method?: unknown; params?: unknown };

/** What a request is answered with: nothing for a notification. */
export type Answer = JSONRPCResponse | JSONRPCResponse[] | null;

export class Dispatcher {
  private readonly rpc: JSONRPCServer<RequestContext>;

  constructor(
    methods: Record<string, Method>,
    private readonly logger: Logger,
    private readonly maxBatchSize: number,
  ) {
    this.rpc = new JSONRPCServer<RequestContext>({
      errorListener: (message, error) => {
        if (!(error instanceof JSONRPCErrorException) && !(error instanceof RpcLimitError) && !(error instanceof CalldataError)) logger.error({ err: error }, message);
      },
    });
    this.rpc.mapErrorToJSONRPCErrorResponse = (id, error) => errorResponse(id, error);
    for (const [name, method] of Object.entries(methods)) {
      // Params are an array or absent by now (see refusal).
      this.rpc.addMethod(name, (params: unknown, context: RequestContext) => method(Array.isArray(params) ? params : [], context));
    }
  }

  /**
   * The answer to a body: a parse error, a batch's refusal or its responses, one response, or
   * null when none is owed (notifications). `one` answers each request.
   */
  async answer(text: string, one: (request: unknown) => Answer | Promise<Answer>): Promise<Answer> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      if (!(e instanceof SyntaxError)) throw e;
      return createJSONRPCErrorResponse(null, RpcCode.PARSE_ERROR, "parse error");
    }
    if (!Array.isArray(parsed)) return one(parsed);
    const refusal = this.batchRefusal(parsed);
    if (refusal) return refusal;
    const out = (await Promise.all(parsed.map(one))).flatMap((r) => (r === null ? [] : Array.isArray(r) ? r : [r]));
    return out.length ? out : null;
  }

  /** One request of a call or batch; anything that is not a JSON-RPC 2.0 request is refused (see refusal). */
  one(request: unknown, context: RequestContext): Promise<Answer> {
    const refused = refusal(request);
    // A notification (no id) is never answered, not even for params it cannot take (JSON-RPC 2.0, 4.1); what is not a request at all is.
    if (refused) return Promise.resolve(refused.error.code === RpcCode.INVALID_PARAMS && !("id" in (request as object)) ? null : refused);
    return this.guarded((request as Request).id ?? null, () => this.rpc.receive(request as never, context));
  }

  /** `run`'s answer; if it throws, the error is logged and answered -32603 under `id`. */
  async guarded(id: number | string | null, run: () => Answer | PromiseLike<Answer>): Promise<Answer> {
    try {
      return await run();
    } catch (error) {
      // The boundary: whatever escaped the methods' own error handling is a bug, not the client's.
      this.logger.error({ err: error }, "JSON-RPC dispatch failed");
      return createJSONRPCErrorResponse(id, RpcCode.INTERNAL, "internal error");
    }
  }

  /** An empty batch, or one past the size limit, is refused whole: none of its requests runs. */
  private batchRefusal(batch: unknown[]): JSONRPCResponse | null {
    if (batch.length === 0) return createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, "empty batch");
    if (batch.length > this.maxBatchSize) {
      return createJSONRPCErrorResponse(null, RpcCode.INVALID_REQUEST, `oversize batch: ${batch.length} requests, at most ${this.maxBatchSize}; split it`);
    }
    return null;
  }
}

const isId = (id: unknown): id is string | number | null => typeof id === "string" || (typeof id === "number" && Number.isFinite(id)) || id === null;

/**
 * The error response owed to `request` when it is not a JSON-RPC 2.0 request — not an object,
 * `jsonrpc` not "2.0", a method that is not a string, an `id` other than a string, a number or
 * null (never echoed back: an id nested 10,000 deep would not even serialize), a response's
 * fields — answered -32600 as the specification says; params that are neither an array nor an
 * object -32600 too, and named params (an object) -32602, since every method here takes
 * positional ones. Null when it is a request.
 */
export function refusal(request: unknown): JSONRPCErrorResponse | null {
  if (typeof request !== "object" || request === null || Array.isArray(request)) return invalidRequest(null, "expected a JSON-RPC request object");
  const r = request as Record<string, unknown>;
  if ("id" in r && !isId(r.id)) return invalidRequest(null, "id must be a string, a number or null");
  const id = (r.id ?? null) as string | number | null;
  if (r.jsonrpc !== "2.0") return invalidRequest(id, 'jsonrpc must be "2.0"');
  if (typeof r.method !== "string") return invalidRequest(id, "method must be a string");
  if ("result" in r || "error" in r) return invalidRequest(id, "a response is not a request");
  if (r.params !== undefined && (typeof r.params !== "object" || r.params === null)) return invalidRequest(id, "params must be an array or an object");
  if (r.params !== undefined && !Array.isArray(r.params)) return createJSONRPCErrorResponse(id, RpcCode.INVALID_PARAMS, "invalid params: Cairn's methods take positional params (an array)");
  return null;
}

function invalidRequest(id: string | number | null, why: string): JSONRPCErrorResponse {
  return createJSONRPCErrorResponse(id, RpcCode.INVALID_REQUEST, `invalid request: ${why}`);
}

/** A JSON-RPC error response for what a method threw: its own code, -32005 for a limit, a revert for calldata that does not decode, else -32603. */
export function errorResponse(id: number | string | null, error: unknown): JSONRPCErrorResponse {
  if (error instanceof JSONRPCErrorException) return createJSONRPCErrorResponse(id, error.code, error.message, error.data);
  if (error instanceof RpcLimitError) return createJSONRPCErrorResponse(id, error.rpcCode, error.message);
  // The caller's calldata does not decode as the function's arguments: a Solidity contract's ABI
  // decoder reverts with no data there, which geth answers -32000 "execution reverted".
  if (error instanceof CalldataError) return createJSONRPCErrorResponse(id, RpcCode.SERVER, "execution reverted");
  return createJSONRPCErrorResponse(id, RpcCode.INTERNAL, "internal error");
}

/**
 * JSON of a response. Results are formatted as hex strings already; a bigint that slipped
 * through is written as a quantity rather than failing the request. The replacer only runs
 * then: called for every value, it was a few percent of the sequencer's time.
 */
export function toJson(payload: unknown): string {
  try {
    return JSON.stringify(payload);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return JSON.stringify(payload, (_k, v: unknown) => (typeof v === "bigint" ? "0x" + v.toString(16) : v));
  }
}
