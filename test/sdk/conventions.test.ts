/**
 * The SDK's shape, as docs/sdk.md describes it and viem's op-stack actions model it: one action a
 * file, exporting the function with its XParameters / XReturnType / XErrorType types and a doc
 * comment with an @example; every action exported from its entry point and named in the
 * reference page. (install.test.ts type-checks the examples.)
 */
import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import * as cairn from "../../src/sdk";
import * as cairnViem from "../../src/sdk/viem";
import { ROOT } from "./packedProject";

/** Actions that take no parameters beyond what they act through. */
const NO_PARAMETERS = new Set(["getRollupStatus"]);

const FAMILIES = [
  { dir: "src/sdk/actions", entry: cairn as Record<string, unknown>, entryName: "src/sdk/index.ts" },
  { dir: "src/sdk/viem/actions", entry: cairnViem as Record<string, unknown>, entryName: "src/sdk/viem/index.ts" },
];

/** What an action file `name` exports and documents that it should not be without. */
function missingFromAction(name: string, text: string): string[] {
  const Name = name[0].toUpperCase() + name.slice(1);
  const needs: Array<[string, RegExp]> = [
    [`function ${name}`, new RegExp(`export (async )?function ${name}\\b`)],
    [`${Name}ReturnType`, new RegExp(`export (type|interface) ${Name}ReturnType\\b`)],
    [`${Name}ErrorType`, new RegExp(`export type ${Name}ErrorType\\b`)],
    ["@example", /\n \* @example\n/],
  ];
  if (!NO_PARAMETERS.has(name)) needs.push([`${Name}Parameters`, new RegExp(`export (type|interface) ${Name}Parameters\\b`)]);
  return needs.filter(([, re]) => !re.test(text)).map(([what]) => what);
}

describe("sdk: one action a file, in viem's form", () => {
  const reference = fs.readFileSync(path.join(ROOT, "docs", "sdk.md"), "utf8");

  for (const { dir, entry, entryName } of FAMILIES) {
    const names = fs.readdirSync(path.join(ROOT, dir)).map((f) => f.replace(/\.ts$/, ""));

    it(`${dir}: each file exports its function, Parameters, ReturnType and ErrorType, documented with an @example`, () => {
      expect(names.length).to.be.greaterThan(5);
      const missing = names.flatMap((name) => missingFromAction(name, fs.readFileSync(path.join(ROOT, dir, `${name}.ts`), "utf8")).map((m) => `${name}.ts: ${m}`));
      expect(missing).to.deep.equal([]);
    });

    it(`${dir}: each action is exported by ${entryName} and named in docs/sdk.md`, () => {
      expect(names.filter((name) => typeof entry[name] !== "function")).to.deep.equal([]);
      expect(names.filter((name) => !reference.includes("`" + name + "`"))).to.deep.equal([]);
    });
  }

  it("finds what an action file lacks (the check itself)", () => {
    const text = "/**\n * Does it.\n *\n * @example\n * doIt();\n */\nexport async function doIt() {}\nexport type DoItReturnType = void;\n";
    expect(missingFromAction("doIt", text)).to.deep.equal(["DoItErrorType", "DoItParameters"]);
  });
});
