// A tiny CommonJS loader for the browser page: enough of Node's module resolution (relative
// paths, bare names through node_modules/<name>/package.json "main", .js and /index.js) to run
// pg-protocol's parser and pg's Result unbundled. Sources come by synchronous XHR from the
// benchmark's own static server.

const cache = new Map();

function fetchText(url) {
  const xhr = new XMLHttpRequest();
  xhr.open("GET", url, false);
  xhr.send();
  return xhr.status === 200 ? xhr.responseText : null;
}

function resolveFile(p) {
  for (const candidate of [p, `${p}.js`, `${p}/index.js`]) {
    if (cache.has(candidate)) return { url: candidate, text: null };
    const text = candidate.endsWith("/") ? null : fetchText(candidate);
    if (text !== null && !/^\s*</.test(text)) return { url: candidate, text };
  }
  throw new Error(`cjs: cannot resolve ${p}`);
}

function resolve(spec, from) {
  if (spec.startsWith("./") || spec.startsWith("../") || spec.startsWith("/")) {
    return resolveFile(new URL(spec, `http://x${from}`).pathname);
  }
  const parts = spec.split("/");
  const pkg = parts[0].startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  const rest = spec.slice(pkg.length);
  const root = `/node_modules/${pkg}`;
  if (rest) return resolveFile(`${root}${rest}`);
  const meta = JSON.parse(fetchText(`${root}/package.json`) ?? "{}");
  return resolveFile(`${root}/${(meta.main ?? "index.js").replace(/^\.\//, "")}`);
}

export function cjsRequire(spec, from = "/") {
  const { url, text } = resolve(spec, from);
  if (cache.has(url)) return cache.get(url).exports;
  const module = { exports: {} };
  cache.set(url, module);
  const fn = new Function("require", "module", "exports", "process", `${text}\n//# sourceURL=${url}`);
  fn((s) => cjsRequire(s, url), module, module.exports, { env: {} });
  return module.exports;
}
