// Posts one GraphQL request asking for incremental delivery and prints the
// parts meros reads from the multipart response, as a JSON array.
// Usage: node read.mjs <graphql-url> <request-body-json>
import http from 'node:http';
import { meros } from 'meros';

const [url, body] = process.argv.slice(2);
const res = await new Promise((resolve, reject) => {
  const req = http.request(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'multipart/mixed;deferSpec=20220824, application/json',
    },
  }, resolve);
  req.on('error', reject);
  req.end(body);
});
const parts = await meros(res);
if (!(Symbol.asyncIterator in parts)) {
  console.error(`not a multipart response: ${res.headers['content-type']}`);
  process.exit(2);
}
const out = [];
for await (const part of parts) {
  if (!part.json) {
    console.error(`part is not JSON: ${part.body}`);
    process.exit(3);
  }
  out.push(part.body);
}
console.log(JSON.stringify(out));
