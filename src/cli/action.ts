/** Glue between commander and a command's body: the context, the output, and cleanup. */
import type { Command } from "commander";
import { Context, type GlobalOptions } from "./context";
import { Output, type CliIO } from "./output";

export interface ActionInput<O> {
  ctx: Context;
  out: Output;
  opts: GlobalOptions & O;
  args: string[];
  io: CliIO;
}

/** Wraps `body` as a commander action: positional arguments, merged options, one Context closed after. */
export function action<O>(io: CliIO, body: (input: ActionInput<O>) => Promise<void>) {
  return async (...params: unknown[]): Promise<void> => {
    const command = params[params.length - 1] as Command;
    const opts = command.optsWithGlobals<GlobalOptions & O>();
    const args = params.slice(0, -2).filter((p): p is string => typeof p === "string");
    const ctx = new Context(opts, io);
    try {
      await body({ ctx, out: new Output(io, Boolean(opts.json)), opts, args, io });
    } finally {
      ctx.close();
    }
  };
}
