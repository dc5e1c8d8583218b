// Parse and validate an AsyncAPI document with the AsyncAPI initiative's own parser
// (@asyncapi/parser, package.json): node validate_asyncapi.mjs FILE. Prints one JSON object:
// every diagnostic (severity 0 error, 1 warning, 2 info, 3 hint) and, when the document
// parsed, what it holds, so the caller can tell the parser read it and not an empty file.
import { readFileSync } from "node:fs";
import { Parser } from "@asyncapi/parser";

const file = process.argv[2];
const { document, diagnostics } = await new Parser().parse(readFileSync(file, "utf8"), { source: file });
const held = document ? {
  version: document.version(),
  channels: document.channels().all().map((c) => c.id()),
  operations: document.operations().all().length,
  messages: document.components().messages().all().map((m) => m.id()),
  examples: document.components().messages().all().map((m) => m.examples().all().length),
} : null;
console.log(JSON.stringify({
  diagnostics: diagnostics.map((d) => ({ code: d.code, severity: d.severity, message: d.message, path: d.path })),
  document: held,
}));
