/**
 * Requests to a worker thread, each answered by one message carrying its `id`: what the KZG
 * workers and the precompile worker share. Idle, the thread does not keep the process alive;
 * while a request waits, it does. Once the thread has gone (crashed, exited, closed) every
 * waiting request fails and every later one fails at once, so its owner starts another.
 */
import { Worker } from "node:worker_threads";

export class ThreadRequests<Answer extends { id: number }> {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(answer: Answer): void; reject(e: Error): void }>();
  private next = 0;
  /** Why the thread is gone, once it is. */
  private gone: string | null = null;

  /** Runs `source` (plain JavaScript) on a thread of its own; `failure` words why a request failed. */
  constructor(source: string, workerData: unknown, private readonly failure: (reason: string) => Error) {
    this.worker = new Worker(source, { eval: true, workerData });
    this.worker.on("message", (answer: Answer) => {
      const p = this.pending.get(answer.id);
      if (!p) return;
      this.pending.delete(answer.id);
      p.resolve(answer);
      if (this.pending.size === 0) this.worker.unref();
    });
    this.worker.on("error", (e) => this.failAll(e.message));
    this.worker.on("exit", (code) => this.failAll(`exited with code ${code}`));
    // After the listeners: adding a "message" one refs the thread again.
    this.worker.unref();
  }

  /** Sends `request` with an id of its own; its answer, or the thread's failure. */
  send(request: object): Promise<Answer> {
    if (this.gone !== null) return Promise.reject(this.failure(this.gone));
    const id = this.next++;
    return new Promise<Answer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ ...request, id });
    });
  }

  /** Requests sent and not answered yet: how busy the thread is. */
  get load(): number {
    return this.pending.size;
  }

  /** Whether the thread has gone: it answers nothing more. */
  get dead(): boolean {
    return this.gone !== null;
  }

  async close(): Promise<void> {
    this.gone ??= "closed";
    await this.worker.terminate();
  }

  private failAll(reason: string): void {
    this.gone ??= reason;
    for (const p of this.pending.values()) p.reject(this.failure(reason));
    this.pending.clear();
  }
}
