// How the web pages reach the JSON API: in process. Each call is a synthetic HTTP request handed to
// the Express app itself, so it goes through exactly the API's authentication, validation, policy,
// rate limits and error shapes, with the caller's Bearer token. No loopback socket and no URL to
// configure (nothing is derived from the browser's Host header); the synthetic request carries the
// browser's address so per-client rate limits still count per client, not for the portal as a whole.
import http from 'node:http';
import net from 'node:net';
import type { Readable } from 'node:stream';

/** The Express app (or any Node request handler) the calls are dispatched to. */
export type RequestHandlerFn = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface ApiCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query, e.g. `/cases/INT-2026-000001`. */
  path: string;
  /** Access token: sent as `Authorization: Bearer …`. */
  token?: string;
  /** A JSON body. */
  json?: unknown;
  /** A streamed body (an upload), with its Content-Type and, when known, Content-Length. */
  stream?: { body: Readable; contentType: string; contentLength?: string };
  /** The browser's address, for the API's per-client rate limits. */
  clientIp?: string;
  /** The page request's ID, so the API's logs tie the call to the page. */
  requestId?: string;
  /** The page's language: the API answers its messages in it (Accept-Language). */
  language?: string;
  headers?: Record<string, string>;
}

export interface ApiError {
  code: string;
  message: string;
  details: unknown;
  requestId?: string;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: http.OutgoingHttpHeaders;
  /** The parsed JSON answer (undefined for a non-JSON one: use `bytes`). */
  body: T;
  bytes: Buffer;
  /** The API's error, for a 4xx/5xx JSON answer. */
  error?: ApiError;
}

export type ApiDispatch = <T = unknown>(call: ApiCall) => Promise<ApiResponse<T>>;

export function inProcessApi(handler: RequestHandlerFn): ApiDispatch {
  return <T>(call: ApiCall) =>
    new Promise<ApiResponse<T>>((resolve, reject) => {
      // A socket that is never connected: it only carries the client's address for req.ip.
      const socket = new net.Socket();
      Object.defineProperty(socket, 'remoteAddress', { value: call.clientIp ?? '127.0.0.1' });
      const req = new http.IncomingMessage(socket);
      req.method = call.method;
      req.url = call.path;
      req.httpVersion = '1.1';
      req.httpVersionMajor = 1;
      req.httpVersionMinor = 1;
      // Names in lower case, as Node's parser gives them (req.get looks them up so): `Idempotency-Key` would be lost.
      const headers: Record<string, string> = { host: 'parcours.internal', accept: 'application/json' };
      for (const [name, value] of Object.entries(call.headers ?? {})) headers[name.toLowerCase()] = value;
      if (call.token) headers.authorization = `Bearer ${call.token}`;
      if (call.requestId) headers['x-request-id'] = call.requestId;
      if (call.language) headers['accept-language'] = call.language;
      let body: Buffer | undefined;
      if (call.json !== undefined) {
        body = Buffer.from(JSON.stringify(call.json));
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(body.length);
      } else if (call.stream) {
        headers['content-type'] = call.stream.contentType;
        if (call.stream.contentLength) headers['content-length'] = call.stream.contentLength;
        else headers['transfer-encoding'] = 'chunked';
      }
      req.headers = headers;
      req.rawHeaders = Object.entries(headers).flat();
      // `complete` is what Node's HTTP parser sets once the whole body arrived; without it the request,
      // destroyed after its end, would report itself aborted (and multer would refuse the upload).
      const end = () => {
        req.complete = true;
        req.push(null);
      };
      if (body) {
        req.push(body);
        end();
      } else if (call.stream) {
        const source = call.stream.body;
        source.on('data', (chunk: Buffer) => {
          // Back-pressure: pause the source while the API's parser has not read what it was given.
          if (!req.push(chunk)) source.pause();
        });
        req._read = () => source.resume();
        source.on('end', end);
        source.on('error', (err) => req.destroy(err));
      } else {
        end();
      }

      const res = new http.ServerResponse(req);
      const chunks: Buffer[] = [];
      const collect = (chunk: unknown, encoding?: unknown) => {
        if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
        chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
      };
      let finished = false;
      res.write = ((chunk: unknown, encoding?: unknown, cb?: unknown) => {
        collect(chunk, encoding);
        const done = typeof encoding === 'function' ? encoding : cb;
        if (typeof done === 'function') (done as () => void)();
        return true;
      }) as typeof res.write;
      res.end = ((chunk?: unknown, encoding?: unknown, cb?: unknown) => {
        if (finished) return res;
        finished = true;
        collect(chunk, encoding);
        const bytes = Buffer.concat(chunks);
        const responseHeaders = res.getHeaders();
        const type = String(responseHeaders['content-type'] ?? '');
        let parsed: unknown;
        if (type.includes('application/json') && bytes.length > 0) {
          try {
            parsed = JSON.parse(bytes.toString('utf8'));
          } catch {
            parsed = undefined;
          }
        }
        const error = res.statusCode >= 400 ? (parsed as { error?: ApiError } | undefined)?.error : undefined;
        // The response is complete: let the API's own listeners (logging, cleanup) see it finish.
        Object.defineProperty(res, 'writableEnded', { value: true });
        Object.defineProperty(res, 'finished', { value: true });
        Object.defineProperty(res, 'headersSent', { value: true, configurable: true });
        res.emit('finish');
        res.emit('close');
        resolve({ status: res.statusCode, headers: responseHeaders, body: parsed as T, bytes, error });
        const done = [chunk, encoding, cb].find((x) => typeof x === 'function');
        if (done) (done as () => void)();
        return res;
      }) as typeof res.end;

      try {
        handler(req, res);
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
}
