/**
 * A LevelDB database (classic-level) driven from a worker thread. Preparing a write batch —
 * reading every key and value across into C++ — runs on the thread that calls it, ~1.4 µs a
 * put: for a sequencer writing a block and the ~65 accounts it changed every few milliseconds,
 * that was ~8% of the thread that applies transactions. Here the worker pays it. Requests are
 * answered in order; the worker holds the database (and its lock) from open to close.
 */
import { Worker } from "node:worker_threads";
import { CairnError, OutOfRangeError } from "../../core/errors";

// Plain JavaScript, so the worker needs no TypeScript loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { ClassicLevel } = require(workerData.classicLevel);
const db = new ClassicLevel(workerData.dir, { valueEncoding: "utf8" });
const run = {
  get: (r) => db.get(r.key),
  values: async (r) => {
    const out = [];
    for await (const v of db.values(r.range)) out.push(v);
    return out;
  },
  // Keys and values arrive joined into two strings: one copy each, not an object per put.
  putAll: (r) => {
    const keys = r.keys.split("\\n");
    const values = r.values.split("\\u0000");
    return db.batch(keys.map((key, i) => ({ type: "put", key, value: values[i] })));
  },
  put: (r) => db.put(r.key, r.value),
  clear: (r) => db.clear(r.range),
  close: () => db.close(),
};
let chain = db.open().then(
  () => parentPort.postMessage({ id: 0, ok: true }),
  (e) => parentPort.postMessage({ id: 0, ok: false, error: (e.cause && e.cause.message) || e.message }),
);
parentPort.on("message", (r) => {
  chain = chain.then(() => run[r.op](r)).then(
    (value) => parentPort.postMessage({ id: r.id, ok: true, value }),
    (e) => parentPort.postMessage({ id: r.id, ok: false, error: e.message }),
  );
});
`;

export interface LevelRange {
  gte?: string;
  lt?: string;
  limit?: number;
}

/** A key and its value; keys never contain a newline, values never a NUL (JSON escapes it). */
export interface LevelPut {
  key: string;
  value: string;
}

type Reply = { id: number; ok: true; value?: unknown } | { id: number; ok: false; error: string };

/** LevelDB refused a request; `message` is its own words, carried across from the worker. */
export class LevelDbError extends CairnError {
  override readonly name = "LevelDbError";
  readonly code = "LEVELDB";
  constructor(
    /** The request: "open", "get", "putAll", … */
    readonly op: string,
    message: string,
  ) {
    super(message);
  }
}

/** The worker thread exited with requests still unanswered. */
export class StoreWorkerExitedError extends CairnError {
  override readonly name = "StoreWorkerExitedError";
  readonly code = "STORE_WORKER_EXITED";
  constructor() {
    super("the store's worker thread exited");
  }
}

export class LevelWorker {
  private readonly pending = new Map<number, { op: string; resolve(v: unknown): void; reject(e: Error): void }>();
  private nextId = 1;

  private constructor(private readonly worker: Worker) {
    worker.on("message", (r: Reply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.value);
      else p.reject(new LevelDbError(p.op, r.error));
    });
    worker.on("error", (e) => this.failAll(e));
    worker.on("exit", () => this.failAll(new StoreWorkerExitedError()));
  }

  /** Opens (creating) the database in `dir` on a new worker thread; rejects with the cause if it cannot. */
  static open(dir: string): Promise<LevelWorker> {
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { dir, classicLevel: require.resolve("classic-level") } });
    return new Promise((resolve, reject) => {
      worker.once("message", (r: Reply) => {
        if (r.ok) return resolve(new LevelWorker(worker));
        void worker.terminate();
        reject(new LevelDbError("open", r.error));
      });
      worker.once("error", reject);
    });
  }

  get(key: string): Promise<string | undefined> {
    return this.request("get", { key }) as Promise<string | undefined>;
  }

  values(range: LevelRange): Promise<string[]> {
    return this.request("values", { range }) as Promise<string[]>;
  }

  /**
   * Writes every put in one atomic batch. Sent as two joined strings: structured-cloning an
   * object per put had cost the calling thread about what preparing the batch did.
   */
  putAll(puts: LevelPut[]): Promise<void> {
    let keys = "";
    let values = "";
    for (let i = 0; i < puts.length; i++) {
      const { key, value } = puts[i];
      if (key.includes("\n") || value.includes("\u0000")) throw new OutOfRangeError(`cannot store key ${JSON.stringify(key)}: a newline in the key or a NUL in the value`);
      keys += (i ? "\n" : "") + key;
      values += (i ? "\u0000" : "") + value;
    }
    return this.request("putAll", { keys, values }) as Promise<void>;
  }

  put(key: string, value: string): Promise<void> {
    return this.request("put", { key, value }) as Promise<void>;
  }

  clear(range: LevelRange = {}): Promise<void> {
    return this.request("clear", { range }) as Promise<void>;
  }

  async close(): Promise<void> {
    await this.request("close", {});
    await this.worker.terminate();
  }

  private request(op: string, args: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { op, resolve, reject });
      this.worker.postMessage({ id, op, ...args });
    });
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
