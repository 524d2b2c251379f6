// Parses each line of stdin as a PromQL expression with Prometheus' own
// grammar (@prometheus-io/lezer-promql); prints each that does not parse.
const { parser } = require("@prometheus-io/lezer-promql");
const lines = require("fs").readFileSync(0, "utf8").split("\n").filter((l) => l.trim() !== "");
let bad = 0;
for (const expr of lines) {
  const tree = parser.parse(expr);
  let error = null;
  tree.iterate({ enter: (node) => { if (node.type.isError && error === null) error = node.from; } });
  if (error !== null) { bad++; console.log(`does not parse at ${error}: ${expr}`); }
}
console.log(`${lines.length - bad} of ${lines.length} parse`);
process.exit(bad === 0 ? 0 : 1);
