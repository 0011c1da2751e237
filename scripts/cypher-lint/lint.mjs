// Lint Cypher statements as CYPHER 5 with Neo4j's own parser and semantic analysis
// (@neo4j-cypher/language-support), against the built-in procedures and functions of Neo4j 5
// that the package ships (plugins such as APOC and GDS left out: a plain server has none).
//
// node lint.mjs STATEMENTS.json   ([{name, statement}], from scripts/lib/cypher_statements.py)
// Fails on any error and on any warning not listed in ACCEPTED.
import { readFileSync } from 'node:fs';
import { lintCypherQuery, testData } from '@neo4j-cypher/language-support';

const VERSION = 'CYPHER 5';
// Warnings we knowingly keep, each with why. Empty: every statement is clean.
const ACCEPTED = [];

const builtIn = (registry) =>
  Object.fromEntries(
    Object.entries(registry[VERSION]).filter(
      ([name]) => !name.startsWith('apoc.') && !name.startsWith('gds.'),
    ),
  );
const procedures = { [VERSION]: builtIn(testData.mockSchema.procedures) };
const functions = { [VERSION]: builtIn(testData.mockSchema.functions) };

// Each must be reported, or the linter has stopped checking what this script relies on.
const CANARIES = [
  "CALL db.idx.fulltext.queryNodes('Organization', $q) YIELD node RETURN node", // FalkorDB's
  'MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS', // deprecated in Neo4j 5
  'MATCH (c:Certificate) RETURN d.number', // undefined variable
];

function lint(statement) {
  // Parameters are the driver's business: declare each one the statement uses.
  const parameters = Object.fromEntries(
    [...statement.matchAll(/\$(\w+)/g)].map((match) => [match[1], null]),
  );
  const query = `${VERSION}\n${statement}`;
  return { query, ...lintCypherQuery(query, { procedures, functions, parameters }) };
}

for (const canary of CANARIES) {
  if (lint(canary).diagnostics.length === 0) {
    console.log(`the linter no longer reports: ${canary}`);
    process.exit(1);
  }
}

const [statementsFile] = process.argv.slice(2);
const statements = JSON.parse(readFileSync(statementsFile, 'utf8'));
const problems = [];

for (const { name, statement } of statements) {
  const { query, diagnostics } = lint(statement);
  const messages = [];
  for (const diagnostic of diagnostics) {
    const error = diagnostic.severity === 1;
    if (!error && ACCEPTED.some((accepted) => diagnostic.message.includes(accepted))) continue;
    const line = query.split('\n')[diagnostic.range.start.line] ?? '';
    messages.push(
      `${error ? 'error' : 'warning'}: ${diagnostic.message}\n      at: ${line.trim()}`,
    );
  }
  if (messages.length > 0) problems.push({ name, statement, messages });
}

for (const { name, statement, messages } of problems) {
  console.log(`\n${name}:\n${statement.trim()}`);
  for (const message of messages) console.log(`  ${message}`);
}
if (problems.length > 0) {
  console.log(`\n${problems.length} of ${statements.length} statements have problems`);
  process.exit(1);
}
console.log(`${statements.length} statements: CYPHER 5, no errors, no warnings`);
