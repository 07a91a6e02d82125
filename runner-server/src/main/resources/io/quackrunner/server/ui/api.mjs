// The gateway's API with the bearer token kept in sessionStorage (sent as Authorization, never
// as a cookie), and the live log as Server-Sent Events read from a fetch() stream: EventSource
// cannot send an Authorization header, and a token in the URL would end up in logs.

const KEY = 'quackrunner.token';

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (t) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

/** An API error: the RFC 9457 problem's status, kind and detail. */
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && problem.detail) || 'HTTP ' + status);
    this.status = status;
    this.kind = problem && problem.kind;
  }
}

async function call(path, opts = {}) {
  const headers = new Headers(opts.headers || {});
  const t = token.get();
  if (t && opts.auth !== false) headers.set('Authorization', 'Bearer ' + t);
  const r = await fetch(path, { ...opts, headers, credentials: 'omit', cache: 'no-store', redirect: 'error' });
  if (!r.ok) {
    let p = null;
    try {
      p = await r.json();
    } catch {
      // not a problem document
    }
    throw new ApiError(r.status, p);
  }
  return r;
}

export const api = {
  json: async (path, opts) => (await call(path, opts)).json(),
  text: async (path, opts) => (await call(path, opts)).text(),
  bytes: async (path, opts) => new Uint8Array(await (await call(path, opts)).arrayBuffer()),
  response: call,
};

/**
 * Follows an SSE stream (WHATWG HTML §9.2 field parsing) over fetch; calls onEvent(name, data) per
 * event. Resolves when the stream ends; rejects on an HTTP error. Abort with the signal.
 */
export async function followSse(path, onEvent, signal) {
  const r = await call(path, { signal, headers: { Accept: 'text/event-stream' } });
  const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  let name = '';
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let nl;
    while ((nl = buf.search(/\r\n|\r|\n/)) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + (buf.startsWith('\r\n', nl) ? 2 : 1));
      if (line === '') {
        if (data.length) onEvent(name || 'message', data.join('\n'));
        name = '';
        data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const c = line.indexOf(':');
      const field = c < 0 ? line : line.slice(0, c);
      let v = c < 0 ? '' : line.slice(c + 1);
      if (v.startsWith(' ')) v = v.slice(1);
      if (field === 'event') name = v;
      else if (field === 'data') data.push(v);
    }
  }
}
