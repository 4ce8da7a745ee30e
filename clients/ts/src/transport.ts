// The REST transport: each RPC becomes the HTTP request its google.api.http annotation names
// (read from the generated descriptors, so no route is written by hand), with JSON in the
// API's canonical form (protobuf-es toJson/fromJson).

import { create, fromJson, getOption, toJson } from "@bufbuild/protobuf";
import type { DescField, DescMessage, DescMethod, DescService, JsonValue, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { http } from "./gen/google/api/annotations_pb.js";
import { Code, HotdeskError, errorFor, fromBody } from "./errors.js";

/** Options of one call. */
export interface CallOptions {
  /** Cancels the call (rejects with a CANCELLED error). */
  signal?: AbortSignal;
  /** Deadline in milliseconds (DEADLINE_EXCEEDED); unary calls default to the client's. */
  timeoutMs?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

export interface TransportOptions {
  /** Server URL, e.g. "http://127.0.0.1:8080". */
  baseUrl: string;
  /** Returns the credential to send as "Authorization: Bearer ...", or "" for none. */
  credential: () => string;
  /** fetch implementation (default: the global one). */
  fetch?: typeof globalThis.fetch;
  /** Default deadline of unary calls in milliseconds (default 30 s; 0: none). */
  timeoutMs?: number;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

interface Route {
  verb: string;
  template: string;
  body: string;
  pathFields: string[];
}

const routes = new WeakMap<DescMethod, Route>();

function route(method: DescMethod): Route {
  let r = routes.get(method);
  if (r) return r;
  const rule = getOption(method, http);
  const p = rule.pattern;
  if (p.case === undefined || p.case === "custom") {
    throw new HotdeskError(Code.UNIMPLEMENTED, `${method.parent.typeName}.${method.name} has no REST route`);
  }
  const pathFields = [...p.value.matchAll(/\{([^}=]+)(=[^}]*)?\}/g)].map((m) => m[1]);
  r = { verb: p.case.toUpperCase(), template: p.value, body: rule.body, pathFields };
  routes.set(method, r);
  return r;
}

/** Reads a field path such as "workspace.id" from a message's JSON form. */
function jsonPath(json: Record<string, JsonValue>, schema: DescMessage, path: string): string {
  let cur: JsonValue | undefined = json;
  let desc: DescMessage | undefined = schema;
  for (const part of path.split(".")) {
    const field: DescField | undefined = desc?.fields.find((f) => f.name === part);
    if (!field || typeof cur !== "object" || cur === null || Array.isArray(cur)) return "";
    cur = (cur as Record<string, JsonValue>)[field.jsonName];
    desc = field.fieldKind === "message" ? field.message : undefined;
  }
  return cur === undefined || cur === null ? "" : String(cur);
}

function appendQuery(params: URLSearchParams, prefix: string, value: JsonValue): void {
  if (value === null) return;
  if (Array.isArray(value)) {
    for (const v of value) appendQuery(params, prefix, v);
  } else if (typeof value === "object") {
    for (const [k, v] of Object.entries(value)) appendQuery(params, prefix ? `${prefix}.${k}` : k, v);
  } else {
    params.append(prefix, String(value));
  }
}

/** Sends RPCs over the REST facade. */
export class RestTransport {
  readonly baseUrl: string;
  private readonly opts: TransportOptions;

  constructor(opts: TransportOptions) {
    this.opts = opts;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
  }

  private request<I extends DescMessage>(method: DescMethod & { input: I }, input: MessageShape<I>): { url: string; init: RequestInit } {
    const r = route(method);
    const json = toJson(method.input, input) as Record<string, JsonValue>;
    const path = r.template.replace(/\{([^}=]+)(=[^}]*)?\}/g, (_, field: string) =>
      encodeURIComponent(jsonPath(json, method.input, field)),
    );
    let body: string | undefined;
    const query = new URLSearchParams();
    const inPath = new Set(r.pathFields.map((f) => f.split(".")[0]));
    if (r.body === "*") {
      body = JSON.stringify(json);
    } else {
      let bodyJson: string | undefined;
      if (r.body !== "") {
        const field = method.input.fields.find((f) => f.name === r.body);
        bodyJson = field?.jsonName;
        body = JSON.stringify(bodyJson !== undefined ? (json[bodyJson] ?? {}) : {});
      }
      for (const f of method.input.fields) {
        if (inPath.has(f.name) || f.jsonName === bodyJson || json[f.jsonName] === undefined) continue;
        appendQuery(query, f.jsonName, json[f.jsonName]);
      }
    }
    const qs = query.toString();
    const headers: Record<string, string> = { Accept: "application/json", ...this.opts.headers };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const cred = this.opts.credential();
    if (cred) headers.Authorization = `Bearer ${cred}`;
    return { url: this.baseUrl + path + (qs ? `?${qs}` : ""), init: { method: r.verb, headers, body } };
  }

  /** Makes a unary call. Reads (GET) are retried on UNAVAILABLE a few times. */
  async unary<I extends DescMessage, O extends DescMessage>(
    method: DescMethod & { input: I; output: O },
    input: MessageInitShape<I> | undefined,
    opts: CallOptions = {},
  ): Promise<MessageShape<O>> {
    const msg = create(method.input, input as MessageInitShape<I>) as MessageShape<I>;
    const { url, init } = this.request(method, msg);
    const retries = init.method === "GET" ? 4 : 0;
    for (let attempt = 0; ; attempt++) {
      try {
        const json = await this.fetchJson(url, init, opts, opts.timeoutMs ?? this.opts.timeoutMs ?? 30_000);
        return fromJson(method.output, json as JsonValue, { ignoreUnknownFields: true }) as MessageShape<O>;
      } catch (err) {
        if (attempt >= retries || !(err instanceof HotdeskError) || err.code !== Code.UNAVAILABLE || opts.signal?.aborted) throw err;
        await sleep(100 * 2 ** attempt * (0.5 + Math.random() / 2), opts.signal);
      }
    }
  }

  /** Opens a server stream: the REST facade sends one {"result": ...} or {"error": ...} a line. */
  async *serverStream<I extends DescMessage, O extends DescMessage>(
    method: DescMethod & { input: I; output: O },
    input: MessageInitShape<I> | undefined,
    opts: CallOptions = {},
  ): AsyncGenerator<MessageShape<O>> {
    const msg = create(method.input, input as MessageInitShape<I>) as MessageShape<I>;
    const { url, init } = this.request(method, msg);
    const { signal, done } = deadline(opts.signal, opts.timeoutMs ?? 0);
    try {
      const resp = await this.send(url, init, opts, signal);
      if (!resp.ok) throw fromBody(resp.status, await readBody(resp));
      if (!resp.body) throw errorFor(Code.INTERNAL, "stream response without a body");
      const reader = resp.body.getReader();
      const decoder = new TextDecoder();
      let buf = "";
      try {
        for (;;) {
          let chunk: ReadableStreamReadResult<Uint8Array>;
          try {
            chunk = await reader.read();
          } catch (err) {
            throw networkError(err, signal);
          }
          if (chunk.done) break;
          buf += decoder.decode(chunk.value, { stream: true });
          let nl: number;
          while ((nl = buf.indexOf("\n")) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line === "") continue;
            const obj = JSON.parse(line) as { result?: JsonValue; error?: unknown };
            if (obj.error !== undefined) throw fromBody(0, obj.error);
            yield fromJson(method.output, obj.result ?? {}, { ignoreUnknownFields: true }) as MessageShape<O>;
          }
        }
      } finally {
        reader.cancel().catch(() => {});
      }
    } finally {
      done();
    }
  }

  private async fetchJson(url: string, init: RequestInit, opts: CallOptions, timeoutMs: number): Promise<unknown> {
    const { signal, done } = deadline(opts.signal, timeoutMs);
    try {
      const resp = await this.send(url, init, opts, signal);
      const body = await readBody(resp).catch((err) => {
        throw networkError(err, signal);
      });
      if (!resp.ok) throw fromBody(resp.status, body);
      return body;
    } finally {
      done();
    }
  }

  private async send(url: string, init: RequestInit, opts: CallOptions, signal: AbortSignal): Promise<Response> {
    const f = this.opts.fetch ?? globalThis.fetch;
    try {
      return await f(url, { ...init, headers: { ...(init.headers as Record<string, string>), ...opts.headers }, signal });
    } catch (err) {
      throw networkError(err, signal);
    }
  }
}

async function readBody(resp: Response): Promise<unknown> {
  const text = await resp.text();
  if (text === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

class DeadlineReason extends Error {}

/** Combines a caller's signal with a deadline; done() releases the timer. */
function deadline(parent: AbortSignal | undefined, timeoutMs: number): { signal: AbortSignal; done: () => void } {
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(parent?.reason);
  if (parent?.aborted) ctl.abort(parent.reason);
  parent?.addEventListener("abort", onAbort, { once: true });
  const timer = timeoutMs > 0 ? setTimeout(() => ctl.abort(new DeadlineReason("deadline exceeded")), timeoutMs) : undefined;
  return {
    signal: ctl.signal,
    done: () => {
      if (timer !== undefined) clearTimeout(timer);
      parent?.removeEventListener("abort", onAbort);
    },
  };
}

function networkError(err: unknown, signal: AbortSignal): HotdeskError {
  if (err instanceof HotdeskError) return err;
  if (signal.aborted) {
    if (signal.reason instanceof DeadlineReason) {
      return errorFor(Code.DEADLINE_EXCEEDED, "the call ran past its deadline", { cause: err });
    }
    return errorFor(Code.CANCELLED, "the call was canceled", { cause: err });
  }
  const detail = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
  return errorFor(Code.UNAVAILABLE, `server unreachable: ${detail}`, { cause: err });
}

/** Waits ms milliseconds, or rejects when signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(errorFor(Code.CANCELLED, "the call was canceled"));
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(errorFor(Code.CANCELLED, "the call was canceled"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

type MethodFn<M> = M extends { methodKind: "unary"; input: infer I extends DescMessage; output: infer O extends DescMessage }
  ? (request?: MessageInitShape<I>, options?: CallOptions) => Promise<MessageShape<O>>
  : M extends { methodKind: "server_streaming"; input: infer I extends DescMessage; output: infer O extends DescMessage }
    ? (request?: MessageInitShape<I>, options?: CallOptions) => AsyncIterable<MessageShape<O>>
    : never;

/** Every RPC of a service as a typed function, e.g. `raw.getWorkspace({ id })`. */
export type ServiceClient<S extends DescService> = {
  [K in keyof S["method"]]: MethodFn<S["method"][K]>;
};

/** Builds a ServiceClient for a generated service descriptor. */
export function createServiceClient<S extends DescService>(service: S, transport: RestTransport): ServiceClient<S> {
  const client: Record<string, unknown> = {};
  for (const m of service.methods) {
    client[m.localName] =
      m.methodKind === "server_streaming"
        ? (req?: MessageInitShape<DescMessage>, o?: CallOptions) => transport.serverStream(m, req, o)
        : (req?: MessageInitShape<DescMessage>, o?: CallOptions) => transport.unary(m, req, o);
  }
  return client as ServiceClient<S>;
}
