// W7's floor: the cheapest possible extra hop, a plain TCP relay in a Node process of its own
// (net sockets piped both ways, Nagle off). Whatever the bridge costs beyond this is WebSocket
// framing and the bridge's own code. Prints { port } as one JSON line; serves until stdin closes.

import * as net from "node:net";

const { host, port } = JSON.parse(process.env.BENCH_RELAY ?? "{}");
const server = net.createServer((client) => {
  client.setNoDelay(true);
  const upstream = net.connect({ host, port }, () => upstream.setNoDelay(true));
  client.pipe(upstream);
  upstream.pipe(client);
  const done = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on("error", done);
  upstream.on("error", done);
  client.on("close", done);
  upstream.on("close", done);
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(
    `${JSON.stringify({ port: /** @type {import("node:net").AddressInfo} */ (server.address()).port })}\n`,
  );
});
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
