/**
 * The layering of src/ (docs/architecture.md, "Layers"), checked on every import: a new arrow
 * against it, an import cycle, or a source file grown past its size rule fails here.
 */
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";

const SRC = path.resolve(__dirname, "../../src");

/** What each folder of src/ may import besides itself (packages and generated bindings aside). */
const MAY_IMPORT: Record<string, string[]> = {
  shared: [],
  core: [],
  chain: ["core", "shared"],
  node: ["core", "shared", "chain"],
  rpc: ["core", "shared", "chain"],
  sdk: ["core", "shared", "chain"],
  explorer: ["core", "shared", "chain", "sdk"],
  app: ["core", "shared", "chain", "node", "rpc", "sdk", "explorer"],
  cli: ["core", "shared", "chain", "node", "rpc", "sdk", "explorer", "app"],
};

/** A file longer than this says at its top why ("Longer than ... because ..."); none passes the hard limit. */
const SOFT_LINES = 300;
const HARD_LINES = 400;

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

/** The files of src/ that `file` imports (relative imports, static and dynamic). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^;'"]*?from\s*["'](\.{1,2}\/[^"']+)["']|import\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g)) {
    const target = path.resolve(path.dirname(file), m[1] ?? m[2]);
    if (!target.startsWith(SRC + path.sep)) continue; // typechain-types, package.json, deploy/
    out.push(fs.existsSync(target + ".ts") ? target + ".ts" : path.join(target, "index.ts"));
  }
  return out;
}

const layerOf = (file: string) => path.relative(SRC, file).split(path.sep)[0];
const rel = (file: string) => path.relative(SRC, file);

/** Every import of `graph` (file → the files it imports) that runs against MAY_IMPORT. */
function againstLayering(graph: Map<string, string[]>): string[] {
  const against: string[] = [];
  for (const [file, targets] of graph) {
    const from = layerOf(file);
    for (const t of targets) {
      const to = layerOf(t);
      if (to !== from && !MAY_IMPORT[from]?.includes(to)) against.push(`${rel(file)} → ${rel(t)}`);
    }
  }
  return against;
}

describe("architecture: the layering of src/", () => {
  const files = sourceFiles(SRC);
  const graph = new Map(files.map((f) => [f, importsOf(f)]));

  it("puts every source file in a known layer", () => {
    const unknown = files.map(layerOf).filter((l) => !(l in MAY_IMPORT));
    expect([...new Set(unknown)]).to.deep.equal([]);
  });

  it("has no import against the layering", () => {
    expect(againstLayering(graph)).to.deep.equal([]);
  });

  it("has no import cycle between files", () => {
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const visit = (f: string, trail: string[]): void => {
      if (state.get(f) === "done") return;
      if (state.get(f) === "open") {
        cycles.push([...trail.slice(trail.indexOf(f)), f].map(rel).join(" → "));
        return;
      }
      state.set(f, "open");
      for (const t of graph.get(f) ?? []) visit(t, [...trail, f]);
      state.set(f, "done");
    };
    for (const f of files) visit(f, []);
    expect(cycles).to.deep.equal([]);
  });

  it(`keeps source files under ${HARD_LINES} lines, and says at the top why one passes ${SOFT_LINES}`, () => {
    const oversize: string[] = [];
    for (const f of files) {
      const text = fs.readFileSync(f, "utf8");
      const lines = text.split("\n").length;
      const head = text.split("\n").slice(0, 20).join("\n");
      if (lines > HARD_LINES || (lines > SOFT_LINES && !/Longer than \d+ lines because/.test(head))) oversize.push(`${rel(f)} (${lines} lines)`);
    }
    expect(oversize).to.deep.equal([]);
  });

  it("reports an import against the layering, and none along it (the check itself)", () => {
    const at = (p: string) => path.join(SRC, p);
    const fake = new Map([
      [at("core/state.ts"), [at("node/l1/contracts.ts"), at("core/hash.ts")]],
      [at("rpc/methods.ts"), [at("chain/backend.ts"), at("node/sequencer/sequencer.ts")]],
      [at("cli/cairn.ts"), [at("app/devnet.ts")]],
    ]);
    expect(againstLayering(fake)).to.deep.equal(["core/state.ts → node/l1/contracts.ts", "rpc/methods.ts → node/sequencer/sequencer.ts"]);
  });
});
