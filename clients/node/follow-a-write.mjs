// A partner's live sync from Node, with the graphql-ws client as anyone would use it:
// subscribe to the change feed over graphql-transport-ws, write through a keyed mutation over
// HTTP, and see that write's change arrive. Exits 0 when it does, 1 otherwise.
//
//   node follow-a-write.mjs BASE_URL PARTNER_KEY ADMIN_KEY
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [base, partnerKey, adminKey] = process.argv.slice(2);
if (!base || !partnerKey || !adminKey) {
  console.error("usage: node follow-a-write.mjs BASE_URL PARTNER_KEY ADMIN_KEY");
  process.exit(2);
}
const NUMBER = "CCSC23SC0102R2"; // a seeded certificate
const FOLLOW = "subscription { changes(entities: [Certificate]) { seq entity key op cursor } }";
const SUSPEND = `mutation($n: String!) {
  changeCertificateStatus(input: [{number: $n, status: SUSPENDED, reason: "监督抽查不合格"}]) {
    __typename ... on ChangeCertificateStatusSuccess { receipt { firstSeq } } } }`;

function fail(message) {
  console.error(`graphql-ws: FAILED - ${message}`);
  process.exit(1);
}

setTimeout(() => fail("the write's change did not arrive within 60 s"), 60_000).unref();

async function write() {
  const response = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ query: SUSPEND, variables: { n: NUMBER } }),
  });
  const body = await response.json();
  const payload = body.data?.changeCertificateStatus;
  if (payload?.__typename !== "ChangeCertificateStatusSuccess") {
    fail(`the mutation was refused: ${JSON.stringify(body)}`);
  }
  return payload.receipt.firstSeq;
}

const client = createClient({
  url: `${base.replace(/^http/, "ws")}/graphql`,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${partnerKey}` },
  retryAttempts: 0,
});

let written = null; // the write, started once the subscription delivers its first change
let seen = 0;
let found = false;
try {
  for await (const result of client.iterate({ query: FOLLOW })) {
    if (result.errors) {
      fail(`the subscription answered errors: ${JSON.stringify(result.errors)}`);
    }
    const change = result.data.changes;
    seen += 1;
    written ??= write();
    if (change.key === NUMBER && change.op === "STATUS" && change.seq >= (await written)) {
      console.log(
        `graphql-ws: saw the write as change ${change.seq} (${change.entity} ${change.key}) ` +
          `after ${seen} changes`,
      );
      found = true;
      break;
    }
  }
} catch (error) {
  // graphql-ws rejects with the socket's close event when the server closes it
  fail(error instanceof Error ? error.message : `socket closed: ${error?.code} ${error?.reason}`);
} finally {
  await client.dispose();
}
if (!found) {
  fail("the subscription ended before the write's change arrived");
}
