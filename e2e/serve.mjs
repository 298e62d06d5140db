// Serves the built site under /wirewise/ on 127.0.0.1, the way a static host serves a sub-path.
// No dependencies. Everything outside /wirewise/ is 404, and so is any missing file: the app uses
// hash routes, so the server never needs an SPA fallback.
//
//   node e2e/serve.mjs            serves dist-e2e/ (WW_E2E_DIST) on port 4173 (WW_E2E_PORT)
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(process.env.WW_E2E_DIST ?? 'dist-e2e');
const port = Number(process.env.WW_E2E_PORT ?? 4173);
const base = '/wirewise/';

const types = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.pcap': 'application/vnd.tcpdump.pcap',
};

if (!fs.existsSync(path.join(root, 'index.html'))) {
  console.error(`serve.mjs: ${root}/index.html is missing; build the site first (scripts/test.sh does)`);
  process.exit(1);
}

function send(res, status, body, type = 'text/plain; charset=utf-8') {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

const server = http.createServer((req, res) => {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
  } catch {
    return send(res, 400, 'bad request\n');
  }
  if (pathname === '/wirewise') {
    res.writeHead(301, { location: base });
    return res.end();
  }
  if (!pathname.startsWith(base)) return send(res, 404, 'not found\n');
  let file = path.resolve(root, '.' + pathname.slice(base.length - 1));
  if (file !== root && !file.startsWith(root + path.sep)) return send(res, 404, 'not found\n');
  let stat = fs.statSync(file, { throwIfNoEntry: false });
  if (stat?.isDirectory()) {
    file = path.join(file, 'index.html');
    stat = fs.statSync(file, { throwIfNoEntry: false });
  }
  if (!stat?.isFile()) return send(res, 404, 'not found\n');
  res.writeHead(200, {
    'content-type': types[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': stat.size,
    'cache-control': 'no-store',
  });
  if (req.method === 'HEAD') return res.end();
  fs.createReadStream(file).pipe(res);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`serving ${root} at http://127.0.0.1:${port}${base}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
