/**
 * Every error src/ throws is a CairnError (src/core/errors.ts): a stable code to branch on and
 * the values that explain it as fields. A plain `Error` thrown or subclassed anywhere in src/
 * fails here, with the place.
 */
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";

const SRC = path.resolve(__dirname, "../../src");

/** The one class allowed to extend Error: the root of the others. */
const ROOT = { file: path.join("core", "errors.ts"), line: /^export abstract class CairnError extends Error\b/ };

const UNTYPED = [/\bnew\s+(Range|Type)?Error\s*\(/, /\bthrow\s+(Range|Type)?Error\s*\(/, /\bextends\s+Error\b/];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return e.name.endsWith(".ts") ? [full] : [];
  });
}

/** `file:line: text` of every line of `text` (the file `rel` of src/) that throws or extends a plain Error. */
function untypedErrors(rel: string, text: string): string[] {
  return text.split("\n").flatMap((line, i) => {
    if (!UNTYPED.some((re) => re.test(line))) return [];
    if (rel === ROOT.file && ROOT.line.test(line.trim())) return [];
    return [`${rel}:${i + 1}: ${line.trim()}`];
  });
}

describe("architecture: typed errors in src/", () => {
  it("throws and extends no plain Error, only CairnError subclasses", () => {
    const found = sourceFiles(SRC).flatMap((f) => untypedErrors(path.relative(SRC, f), fs.readFileSync(f, "utf8")));
    expect(found).to.deep.equal([]);
  });

  it("finds each untyped form and lets CairnError's own declaration be (the check itself)", () => {
    const text = [
      'throw new Error("a");',
      'if (x) throw Error("b");',
      'throw new RangeError("c");',
      "class Mine extends Error {}",
      "export abstract class CairnError extends Error {",
      'throw new CliError("typed");',
      "class MyError extends CairnError {}",
    ].join("\n");
    expect(untypedErrors("cli/x.ts", text).map((l) => l.split(":")[1])).to.deep.equal(["1", "2", "3", "4", "5"]);
    expect(untypedErrors(ROOT.file, text).map((l) => l.split(":")[1])).to.deep.equal(["1", "2", "3", "4"]);
  });
});
