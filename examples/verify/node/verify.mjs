// Verifies one crier webhook with the Standard Webhooks library, as a
// receiver would. Input on stdin: {"headers": {...}, "body": "<raw body>"}.
// The secret comes from CRIER_WEBHOOK_SECRET ("whsec_..."). Exit status 0
// when the request verifies, 1 when it does not.
import { Webhook } from "standardwebhooks";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { headers, body } = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const wh = new Webhook(process.env.CRIER_WEBHOOK_SECRET);
try {
  const payload = wh.verify(body, headers);
  console.log(`verified ${headers["webhook-id"]}: ${payload.type}`);
} catch (err) {
  console.error(`rejected: ${err.message}`);
  process.exit(1);
}
