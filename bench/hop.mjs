// The floor for any Node proxy: a bare node:http pass-through to the upstream with keep-alive,
// no parsing, no validation. Not a peer; it shows how much of a proxy's added latency is just the
// extra hop through Node's HTTP stack on this machine. Env: PORT, UPSTREAM (http://127.0.0.1:port).
import http from 'node:http';

const upstream = new URL(process.env.UPSTREAM);
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const server = http.createServer((req, res) => {
  const out = http.request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers, agent }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  out.on('error', () => { if (!res.headersSent) res.writeHead(502); res.end(); });
  req.pipe(out);
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`hop listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
