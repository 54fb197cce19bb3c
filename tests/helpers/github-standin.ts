/**
 * A stand-in for the GitHub REST API on 127.0.0.1, strict where GitHub is strict. Every
 * request is checked against GitHub's own OpenAPI description (@octokit/openapi,
 * generated/api.github.com.json): the path must match an operation's template and method,
 * required path and query parameters must be present, known query parameters must match
 * their schema, and a JSON body must validate against the operation's request-body schema
 * (ajv), with no keys the schema does not know. On top of that it enforces the limits
 * GitHub documents in prose: 65,536 characters per comment, 65,535 characters per check
 * summary, 50 annotations per request, 140 characters per status description. A request
 * that breaks a rule is answered 422 and recorded in `violations`.
 *
 * It keeps just enough state for safety-gate's calls: issue comments (paginated), check
 * runs, statuses, workflow runs with artifacts (zip files served through a redirect, as
 * GitHub does), pull requests and repository files by commit (the contents API). It also stands in for the runner's artifact service
 * that `@actions/artifact` uploads to (ACTIONS_RESULTS_URL: Twirp CreateArtifact and
 * FinalizeArtifact, and the block-blob upload between them); see `artifactServiceEnv`. `readOnly` answers every write with the 403 a fork's
 * token gets; `secondaryLimitOnce` answers one request with a secondary rate limit.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { Ajv, type ValidateFunction } from "ajv";

const require = createRequire(import.meta.url);

interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema?: object;
}

interface Operation {
  template: string;
  method: string;
  regex: RegExp;
  pathParams: string[];
  params: Parameter[];
  body?: { required: boolean; schema: object };
}

interface Spec {
  paths: Record<string, Record<string, { parameters?: unknown[]; requestBody?: unknown }>>;
  components: Record<string, Record<string, unknown>>;
}

let loaded: { ops: Operation[]; ajv: Ajv; validators: Map<string, ValidateFunction> } | undefined;

function deref<T>(spec: Spec, value: unknown): T {
  const ref = (value as { $ref?: string })?.$ref;
  if (!ref) return value as T;
  const [, kind, name] = /^#\/components\/([^/]+)\/(.+)$/.exec(ref) ?? [];
  return deref(spec, spec.components[kind as string]?.[name as string]);
}

/** Points `#/components/...` references at the registered components document. */
function rebase(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rebase);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        k === "$ref" && typeof v === "string" && v.startsWith("#/") ? `github-components${v}` : rebase(v);
    }
    return out;
  }
  return value;
}

function loadSpec() {
  if (loaded) return loaded;
  const file = require.resolve("@octokit/openapi/generated/api.github.com.json");
  const spec = JSON.parse(readFileSync(file, "utf8")) as Spec;
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, validateFormats: false });
  ajv.addSchema({ $id: "github-components", components: spec.components });
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries(spec.paths)) {
    const pathParams = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "([^/]+)");
    const regex = new RegExp(`^${pattern}$`);
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
      const params = [
        ...((item as { parameters?: unknown[] }).parameters ?? []),
        ...(op.parameters ?? []),
      ].map((p) => deref<Parameter>(spec, p));
      const rb = deref<{ required?: boolean; content?: Record<string, { schema?: object }> }>(
        spec,
        op.requestBody,
      );
      const schema = rb?.content?.["application/json"]?.schema;
      ops.push({
        template,
        method: method.toUpperCase(),
        regex,
        pathParams,
        params,
        body: schema ? { required: rb?.required ?? false, schema: rebase(schema) as object } : undefined,
      });
    }
  }
  loaded = { ops, ajv, validators: new Map() };
  return loaded;
}

export interface RecordedRequest {
  method: string;
  /** The OpenAPI path template it matched, e.g. `/repos/{owner}/{repo}/check-runs`. */
  route: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  status: number;
}

export interface StoredComment {
  id: number;
  body: string;
  user: { login: string; type: "Bot" | "User" };
}

export interface WorkflowRunSeed {
  id: number;
  event: string;
  branch: string;
  headSha: string;
  headRepo: string;
  /** How the run ended (default success); a run still going has none. */
  conclusion?: "success" | "failure" | "cancelled" | null;
  /** Artifacts: name → zip bytes. */
  artifacts: Record<string, Buffer>;
}

export interface StandInOptions {
  owner?: string;
  repo?: string;
  /** Every write answers 403 "Resource not accessible by integration" (a fork's token). */
  readOnly?: boolean;
  /** "METHOD route"s answered with that 403 (permissions that do not grant them). */
  refuse?: string[];
  /**
   * "METHOD route" whose first request takes effect but is answered 502 (a gateway that
   * timed out after the write was done): a blind retry would write twice.
   */
  badGatewayAfterOnce?: string;
  /** "METHOD route" answered once with a secondary rate limit (403, retry-after: 1). */
  secondaryLimitOnce?: string;
  /** Comments already on pull requests (number → comments). */
  comments?: Record<number, StoredComment[]>;
  pulls?: Record<number, { headSha: string; baseSha?: string; baseRef?: string }>;
  /** Repository files by commit: sha → path → text (the contents API). */
  files?: Record<string, Record<string, string>>;
  /** The latest commit that changed a path (the commits API, `?path=`): path → sha and author login. */
  lastCommits?: Record<string, { sha: string; login: string }>;
  runs?: WorkflowRunSeed[];
  /** The latest published release's tag (the releases API); none: 404, as for a repository without releases. */
  latestRelease?: string;
  /** Workflow file names that exist. */
  workflows?: string[];
  /**
   * Holds the Nth ref write (update or create a git ref; 1 is the first) until another ref
   * write has been answered: two runs that read the same head, and the first to write loses the race.
   */
  holdRefWrite?: number;
}

/** The git database behind the git data API (refs, commits, trees, blobs), for the history branch. */
export interface GitStore {
  /** "heads/NAME" → commit sha. */
  refs: Map<string, string>;
  /** The text of `path` at the head of `branch`, or undefined. */
  file(branch: string, path: string): string | undefined;
  /** Commits on `branch`, newest first. */
  log(branch: string): { sha: string; message: string; parents: string[] }[];
}

export interface StandIn {
  url: string;
  requests: RecordedRequest[];
  violations: string[];
  comments: Map<number, StoredComment[]>;
  checkRuns: { id: number; body: Record<string, unknown>; annotations: unknown[]; updates: number }[];
  statuses: { sha: string; body: Record<string, unknown> }[];
  /** Artifacts uploaded through the artifact service: name → zip. */
  uploads: Map<string, Buffer>;
  /** Environment that points `@actions/artifact` at this server (a runner sets these). */
  artifactServiceEnv(): Record<string, string>;
  /** Requests that matched a route, as "METHOD route". */
  calls(): string[];
  git: GitStore;
  close(): Promise<void>;
}

const LIMITS = {
  comment: 65_536,
  checkSummary: 65_535,
  annotations: 50,
  statusDescription: 140,
};

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
  res.end(body === undefined ? "" : JSON.stringify(body));
}

/** Limits GitHub states in its documentation rather than in the schema. */
function proseLimits(route: string, body: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (route.includes("/comments") && typeof body.body === "string" && body.body.length > LIMITS.comment) {
    out.push(`comment body has ${body.body.length} characters (max ${LIMITS.comment})`);
  }
  const output = body.output as { summary?: string; annotations?: unknown[] } | undefined;
  if (output?.summary !== undefined && output.summary.length > LIMITS.checkSummary) {
    out.push(`check summary has ${output.summary.length} characters (max ${LIMITS.checkSummary})`);
  }
  if ((output?.annotations?.length ?? 0) > LIMITS.annotations) {
    out.push(`${output?.annotations?.length} annotations in one request (max ${LIMITS.annotations})`);
  }
  if (typeof body.description === "string" && [...body.description].length > LIMITS.statusDescription) {
    out.push(
      `status description has ${[...body.description].length} characters (max ${LIMITS.statusDescription})`,
    );
  }
  return out;
}

/** Key paths of strings with a lone UTF-16 surrogate (sent as a `\ud800` escape, which GitHub shows literally). */
function loneSurrogates(value: unknown, path = ""): string[] {
  if (typeof value === "string")
    return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(value)
      ? [path || "(body)"]
      : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => loneSurrogates(v, `${path}[${i}]`));
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => loneSurrogates(v, path ? `${path}.${k}` : k));
  return [];
}

/** Keys a request body has that its schema does not list (GitHub ignores them; a typo would go unnoticed). */
function unknownKeys(schema: object, body: unknown): string[] {
  const props = (schema as { properties?: Record<string, unknown> }).properties;
  if (!props || !body || typeof body !== "object" || Array.isArray(body)) return [];
  return Object.keys(body).filter((k) => !(k in props));
}

export async function startGitHubStandIn(options: StandInOptions = {}): Promise<StandIn> {
  const { ops, ajv, validators } = loadSpec();
  const owner = options.owner ?? "octo-org";
  const repo = options.repo ?? "model-release";
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const comments = new Map<number, StoredComment[]>(
    Object.entries(options.comments ?? {}).map(([k, v]) => [Number(k), v.map((c) => ({ ...c }))]),
  );
  const checkRuns: StandIn["checkRuns"] = [];
  const statuses: StandIn["statuses"] = [];
  const runs = options.runs ?? [];
  const artifacts = new Map<number, { name: string; run: number; zip: Buffer }>();
  let nextArtifact = 9000;
  for (const run of runs) {
    for (const [name, zip] of Object.entries(run.artifacts))
      artifacts.set(nextArtifact++, { name, run: run.id, zip });
  }
  let nextId = 1000;
  const uploads = new Map<string, Buffer>();
  const pendingUploads = new Map<string, Buffer>();
  const blocks = new Map<string, Buffer>();
  let limited = false;
  let gatewayed = false;
  const git = gitStore();
  let held: { release: () => void } | undefined;
  let refWrites = 0;
  let base = "";

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const method = req.method ?? "GET";
    const rawBytes = await readBody(req);
    const raw = rawBytes.toString("utf8");
    const query = Object.fromEntries(url.searchParams);
    const record = (route: string, status: number, body: unknown) =>
      requests.push({ method, route, path: url.pathname, query, body, status });

    // The runner's artifact service (Twirp) and its blob store are not part of the REST API.
    const twirp = /^\/twirp\/github\.actions\.results\.api\.v1\.ArtifactService\/(\w+)$/.exec(url.pathname);
    if (twirp) {
      const req = JSON.parse(raw || "{}") as { name?: string; workflow_run_backend_id?: string };
      if (req.workflow_run_backend_id !== "run-backend-id") return send(res, 400, { msg: "bad backend ids" });
      if (twirp[1] === "CreateArtifact") {
        return send(res, 200, {
          ok: true,
          signed_upload_url: `${base}/_upload/${encodeURIComponent(String(req.name))}?sig=x`,
        });
      }
      if (twirp[1] === "FinalizeArtifact") {
        const blocks = pendingUploads.get(String(req.name));
        if (!blocks) return send(res, 404, { msg: "no upload" });
        uploads.set(String(req.name), blocks);
        return send(res, 200, { ok: true, artifact_id: String(nextArtifact++) });
      }
      return send(res, 404, { msg: `no method ${twirp[1]}` });
    }
    const upload = /^\/_upload\/([^/]+)$/.exec(url.pathname);
    if (upload && method === "PUT") {
      const name = decodeURIComponent(upload[1] as string);
      const headers = {
        "x-ms-request-id": "1",
        "x-ms-version": "2025-01-05",
        etag: '"0x1"',
        "last-modified": new Date().toUTCString(),
      };
      if (query.comp === "block") {
        blocks.set(`${name}\u0000${query.blockid}`, rawBytes);
      } else if (query.comp === "blocklist") {
        const ids = [...raw.matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]+)</g)].map((m) => m[1]);
        pendingUploads.set(
          name,
          Buffer.concat(ids.map((id) => blocks.get(`${name}\u0000${id}`) ?? Buffer.alloc(0))),
        );
      } else {
        pendingUploads.set(name, rawBytes);
      }
      res.writeHead(201, headers);
      return res.end();
    }
    const blob = /^\/_blob\/(\d+)\.zip$/.exec(url.pathname);
    if (blob) {
      const a = artifacts.get(Number(blob[1]));
      if (!a) return send(res, 404, { message: "Not Found" });
      res.writeHead(200, { "content-type": "application/zip", "content-length": String(a.zip.length) });
      return res.end(a.zip);
    }

    // Literal segments beat parameters: /issues/comments/{id} over /issues/{number}/….
    const pathOps = ops
      .filter((o) => o.regex.test(url.pathname))
      .sort((a, b) => a.pathParams.length - b.pathParams.length);
    const op = pathOps.find((o) => o.method === method);
    const fail = (status: number, message: string) => {
      violations.push(`${method} ${url.pathname}: ${message}`);
      record(op?.template ?? "?", status, raw);
      send(res, status, { message });
    };
    if (!pathOps.length) return fail(404, "no operation in GitHub's OpenAPI description has this path");
    if (!op) return fail(405, `${method} is not an operation of ${pathOps[0]?.template}`);
    if (!/^(token|bearer) \S+$/i.test(req.headers.authorization ?? "")) {
      return fail(401, "missing Authorization header");
    }
    const values = op.regex.exec(url.pathname)?.slice(1) ?? [];
    const path = Object.fromEntries(op.pathParams.map((n, i) => [n, decodeURIComponent(values[i] ?? "")]));
    for (const p of op.params) {
      if (p.in === "query") {
        const v = query[p.name];
        if (v === undefined) {
          if (p.required) return fail(422, `missing required query parameter ${p.name}`);
          continue;
        }
        const schema = p.schema as { type?: string; enum?: unknown[] } | undefined;
        if (schema?.type === "integer" && !/^-?\d+$/.test(v))
          return fail(422, `query ${p.name} must be an integer`);
        if (schema?.enum && !schema.enum.includes(v))
          return fail(422, `query ${p.name} must be one of ${schema.enum}`);
      }
    }
    const declared = new Set(op.params.filter((p) => p.in === "query").map((p) => p.name));
    const extra = Object.keys(query).filter((k) => !declared.has(k));
    if (extra.length) return fail(422, `unknown query parameters: ${extra.join(", ")}`);

    let body: Record<string, unknown> = {};
    if (op.body) {
      if (!raw) {
        if (op.body.required) return fail(422, "missing request body");
      } else {
        try {
          body = JSON.parse(raw);
        } catch {
          return fail(400, "request body is not JSON");
        }
        const key = `${op.method} ${op.template}`;
        let validate = validators.get(key);
        if (!validate) {
          validate = ajv.compile(op.body.schema);
          validators.set(key, validate);
        }
        if (!validate(body)) return fail(422, `body: ${ajv.errorsText(validate.errors)}`);
        const unknown = unknownKeys(op.body.schema, body);
        if (unknown.length) return fail(422, `body has keys the schema does not know: ${unknown.join(", ")}`);
        const prose = proseLimits(op.template, body);
        if (prose.length) return fail(422, prose.join("; "));
        const lone = loneSurrogates(body);
        if (lone.length) return fail(422, `lone UTF-16 surrogate in ${lone.join(", ")}`);
      }
    } else if (raw && method !== "GET") {
      return fail(422, "this operation takes no body");
    }
    if (path.owner !== undefined && (path.owner !== owner || path.repo !== repo)) {
      return fail(404, `unknown repository ${path.owner}/${path.repo}`);
    }

    const route = `${method} ${op.template}`;
    const reply = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      if (options.badGatewayAfterOnce === route && !gatewayed && status < 300) {
        gatewayed = true;
        record(op.template, 502, raw ? body : undefined);
        return send(res, 502, { message: "Server Error" });
      }
      record(op.template, status, raw ? body : undefined);
      send(res, status, data, headers);
    };
    if (options.secondaryLimitOnce === route && !limited) {
      limited = true;
      return reply(
        403,
        {
          message:
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        },
        { "retry-after": "1" },
      );
    }
    if ((options.readOnly && method !== "GET") || options.refuse?.includes(route)) {
      return reply(403, {
        message: "Resource not accessible by integration",
        documentation_url: "https://docs.github.com/rest",
      });
    }
    const html = `https://github.example/${owner}/${repo}`;
    // Who the token is: an installation token (ghs_…, GITHUB_TOKEN) writes as
    // github-actions[bot] and cannot ask GET /user; a personal token (ghp_…) is `patUser`.
    const personal = /^(token|bearer) (ghp_|github_pat_)/i.test(req.headers.authorization ?? "");
    const bot = personal
      ? { login: "release-manager", id: 7, type: "User" as const }
      : { login: "github-actions[bot]", id: 41898282, type: "Bot" as const };
    switch (route) {
      case "GET /user":
        if (personal) return reply(200, bot);
        return reply(403, { message: "Resource not accessible by integration" });
      case "GET /repos/{owner}/{repo}/issues/{issue_number}/comments": {
        const all = comments.get(Number(path.issue_number)) ?? [];
        const perPage = Math.min(100, Number(query.per_page ?? 30));
        const page = Number(query.page ?? 1);
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {};
        if (page * perPage < all.length) {
          headers.link = `<${base}${url.pathname}?per_page=${perPage}&page=${page + 1}>; rel="next"`;
        }
        return reply(
          200,
          slice.map((c) => ({ ...c, html_url: `${html}/pull/${path.issue_number}#issuecomment-${c.id}` })),
          headers,
        );
      }
      case "POST /repos/{owner}/{repo}/issues/{issue_number}/comments": {
        const c: StoredComment = { id: nextId++, body: String(body.body), user: bot };
        const list = comments.get(Number(path.issue_number)) ?? [];
        list.push(c);
        comments.set(Number(path.issue_number), list);
        return reply(201, { ...c, html_url: `${html}/pull/${path.issue_number}#issuecomment-${c.id}` });
      }
      case "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}": {
        for (const [n, list] of comments) {
          const c = list.find((x) => x.id === Number(path.comment_id));
          if (!c) continue;
          // A token edits only its own account's comments.
          if (c.user.login !== bot.login)
            return reply(403, { message: "Must have admin rights to Repository." });
          c.body = String(body.body);
          return reply(200, { ...c, html_url: `${html}/pull/${n}#issuecomment-${c.id}` });
        }
        return reply(404, { message: "Not Found" });
      }
      case "POST /repos/{owner}/{repo}/check-runs": {
        const output = body.output as { annotations?: unknown[] } | undefined;
        const run = { id: nextId++, body, annotations: [...(output?.annotations ?? [])], updates: 0 };
        checkRuns.push(run);
        return reply(201, { id: run.id, html_url: `${html}/runs/${run.id}`, ...body });
      }
      case "GET /repos/{owner}/{repo}/commits/{ref}/check-runs": {
        const found = checkRuns.filter(
          (r) =>
            r.body.head_sha === path.ref &&
            (query.check_name === undefined || r.body.name === query.check_name),
        );
        return reply(200, {
          total_count: found.length,
          check_runs: found.map((r) => ({ ...r.body, id: r.id, html_url: `${html}/runs/${r.id}` })),
        });
      }
      case "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}": {
        const run = checkRuns.find((r) => r.id === Number(path.check_run_id));
        if (!run) return reply(404, { message: "Not Found" });
        const output = body.output as { annotations?: unknown[] } | undefined;
        run.annotations.push(...(output?.annotations ?? []));
        run.updates++;
        return reply(200, { id: run.id, html_url: `${html}/runs/${run.id}` });
      }
      case "POST /repos/{owner}/{repo}/statuses/{sha}": {
        statuses.push({ sha: String(path.sha), body });
        return reply(201, { id: nextId++, url: `${base}${url.pathname}`, ...body });
      }
      case "GET /repos/{owner}/{repo}/pulls/{pull_number}": {
        const pr = options.pulls?.[Number(path.pull_number)];
        if (!pr) return reply(404, { message: "Not Found" });
        return reply(200, {
          number: Number(path.pull_number),
          head: { sha: pr.headSha },
          base: { sha: pr.baseSha ?? "0".repeat(40), ref: pr.baseRef ?? "main" },
        });
      }
      case "GET /repos/{owner}/{repo}/commits": {
        const c = options.lastCommits?.[String(query.path)];
        return reply(
          200,
          c ? [{ sha: c.sha, author: { login: c.login }, commit: { author: { name: c.login } } }] : [],
        );
      }
      case "GET /repos/{owner}/{repo}/contents/{path}": {
        const text = options.files?.[String(query.ref)]?.[String(path.path)];
        if (text === undefined) return reply(404, { message: "Not Found" });
        // Raw media type: the bytes themselves; otherwise GitHub's JSON with base64 content.
        if (/raw/.test(String(req.headers.accept))) {
          record(op.template, 200, undefined);
          res.writeHead(200, { "content-type": "text/plain; charset=utf-8" });
          return res.end(text);
        }
        return reply(200, {
          type: "file",
          encoding: "base64",
          path: path.path,
          content: Buffer.from(text).toString("base64"),
        });
      }
      case "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs": {
        if (!(options.workflows ?? []).includes(String(path.workflow_id)))
          return reply(404, { message: "Not Found" });
        // Newest first, as GitHub lists them; `status` filters by status or by conclusion.
        const conclusion = (r: WorkflowRunSeed) => (r.conclusion === undefined ? "success" : r.conclusion);
        const found = runs.filter(
          (r) =>
            (query.branch === undefined || r.branch === query.branch) &&
            (query.event === undefined || r.event === query.event) &&
            (query.status === undefined ||
              (query.status === "completed"
                ? conclusion(r) !== null
                : query.status === "in_progress"
                  ? conclusion(r) === null
                  : conclusion(r) === query.status)),
        );
        const perPage = Math.min(100, Number(query.per_page ?? 30));
        const page = Number(query.page ?? 1);
        const headers: Record<string, string> = {};
        if (page * perPage < found.length) {
          const next = new URLSearchParams({ ...query, page: String(page + 1) });
          headers.link = `<${base}${url.pathname}?${next}>; rel="next"`;
        }
        return reply(
          200,
          {
            total_count: found.length,
            workflow_runs: found.slice((page - 1) * perPage, page * perPage).map((r) => ({
              id: r.id,
              event: r.event,
              head_branch: r.branch,
              head_sha: r.headSha,
              status: conclusion(r) === null ? "in_progress" : "completed",
              conclusion: conclusion(r),
              head_repository: { full_name: r.headRepo },
            })),
          },
          headers,
        );
      }
      case "GET /repos/{owner}/{repo}/releases/latest": {
        if (!options.latestRelease) return reply(404, { message: "Not Found" });
        return reply(200, {
          id: 1,
          tag_name: options.latestRelease,
          name: options.latestRelease,
          draft: false,
          prerelease: false,
        });
      }
      case "GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts": {
        const list = [...artifacts]
          .filter(
            ([, a]) => a.run === Number(path.run_id) && (query.name === undefined || a.name === query.name),
          )
          .map(([id, a]) => ({ id, name: a.name, expired: false, size_in_bytes: a.zip.length }));
        return reply(200, { total_count: list.length, artifacts: list });
      }
      case "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}": {
        if (!artifacts.has(Number(path.artifact_id))) return reply(404, { message: "Not Found" });
        return reply(302, undefined, { location: `${base}/_blob/${path.artifact_id}.zip` });
      }
      case "GET /repos/{owner}/{repo}/git/ref/{ref}": {
        const sha = git.refs.get(String(path.ref));
        if (!sha) return reply(404, { message: "Not Found" });
        return reply(200, { ref: `refs/${path.ref}`, object: { sha, type: "commit" } });
      }
      case "GET /repos/{owner}/{repo}/git/commits/{commit_sha}": {
        const c = git.commits.get(String(path.commit_sha));
        if (!c) return reply(404, { message: "Not Found" });
        return reply(200, {
          sha: path.commit_sha,
          message: c.message,
          tree: { sha: c.tree },
          parents: c.parents.map((sha) => ({ sha })),
        });
      }
      case "GET /repos/{owner}/{repo}/git/trees/{tree_sha}": {
        const t = git.trees.get(String(path.tree_sha));
        if (!t) return reply(404, { message: "Not Found" });
        return reply(200, {
          sha: path.tree_sha,
          truncated: false,
          tree: [...t].map(([p, sha]) => ({ path: p, mode: "100644", type: "blob", sha })),
        });
      }
      case "GET /repos/{owner}/{repo}/git/blobs/{file_sha}": {
        const b = git.blobs.get(String(path.file_sha));
        if (b === undefined) return reply(404, { message: "Not Found" });
        return reply(200, {
          sha: path.file_sha,
          encoding: "base64",
          content: b.toString("base64"),
          size: b.length,
        });
      }
      case "POST /repos/{owner}/{repo}/git/blobs": {
        const bytes = Buffer.from(String(body.content), body.encoding === "base64" ? "base64" : "utf8");
        const sha = git.put("blob", bytes.toString("base64"));
        git.blobs.set(sha, bytes);
        return reply(201, { sha, url: `${base}${url.pathname}/${sha}` });
      }
      case "POST /repos/{owner}/{repo}/git/trees": {
        const baseTree =
          body.base_tree === undefined ? new Map<string, string>() : git.trees.get(String(body.base_tree));
        if (!baseTree) return reply(422, { message: "Invalid tree info" });
        const entries = new Map(baseTree);
        for (const e of body.tree as { path: string; sha?: string | null; content?: string }[]) {
          if (e.sha === null) entries.delete(e.path);
          else if (e.sha !== undefined) {
            if (!git.blobs.has(e.sha)) return reply(422, { message: "Invalid tree info" });
            entries.set(e.path, e.sha);
          } else {
            const bytes = Buffer.from(e.content ?? "");
            const sha = git.put("blob", bytes.toString("base64"));
            git.blobs.set(sha, bytes);
            entries.set(e.path, sha);
          }
        }
        const sha = git.put("tree", JSON.stringify([...entries].sort()));
        git.trees.set(sha, entries);
        return reply(201, { sha, truncated: false, tree: [] });
      }
      case "POST /repos/{owner}/{repo}/git/commits": {
        const parents = (body.parents as string[] | undefined) ?? [];
        if (!git.trees.has(String(body.tree)) || parents.some((p) => !git.commits.has(p)))
          return reply(422, { message: "Tree SHA does not exist or parent SHA does not exist" });
        const c = { message: String(body.message), tree: String(body.tree), parents };
        const sha = git.put("commit", JSON.stringify({ ...c, n: nextId++ }));
        git.commits.set(sha, c);
        return reply(201, {
          sha,
          tree: { sha: c.tree },
          parents: parents.map((p) => ({ sha: p })),
          message: c.message,
        });
      }
      case "PATCH /repos/{owner}/{repo}/git/refs/{ref}":
      case "POST /repos/{owner}/{repo}/git/refs": {
        // Two runs that read the same head: the first to write waits until the other has won.
        if (++refWrites === options.holdRefWrite) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, 10_000);
            held = {
              release: () => {
                clearTimeout(timer);
                resolve();
              },
            };
          });
        } else {
          setImmediate(() => held?.release());
        }
        const sha = String(body.sha);
        if (!git.commits.has(sha)) return reply(422, { message: "Object does not exist" });
        if (method === "POST") {
          const ref = String(body.ref);
          if (!/^refs\/[^/]+\/.+/.test(ref))
            return reply(422, { message: "Reference name must start with refs/ and have two slashes" });
          const key = ref.slice("refs/".length);
          if (git.refs.has(key)) return reply(422, { message: "Reference already exists" });
          git.refs.set(key, sha);
          return reply(201, { ref, object: { sha, type: "commit" } });
        }
        const key = String(path.ref);
        const current = git.refs.get(key);
        if (!current) return reply(422, { message: "Reference does not exist" });
        if (body.force !== true && !git.descends(sha, current))
          return reply(422, { message: "Update is not a fast forward" });
        git.refs.set(key, sha);
        return reply(200, { ref: `refs/${key}`, object: { sha, type: "commit" } });
      }
      default:
        return fail(501, `the stand-in does not implement ${route}`);
    }
  };

  const server = createServer((req, res) => {
    handler(req, res).catch((err: Error) => {
      violations.push(`stand-in crashed: ${err.message}`);
      send(res, 500, { message: err.message });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    violations,
    comments,
    checkRuns,
    statuses,
    uploads,
    artifactServiceEnv: () => {
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
      const jwt = `${b64({ alg: "none" })}.${b64({ scp: "Actions.Results:run-backend-id:job-backend-id" })}.sig`;
      return { ACTIONS_RUNTIME_TOKEN: jwt, ACTIONS_RESULTS_URL: `${base}/` };
    },
    calls: () => requests.map((r) => `${r.method} ${r.route}`),
    git,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Git objects by content hash, and the refs that point at commits. */
function gitStore() {
  const refs = new Map<string, string>();
  const blobs = new Map<string, Buffer>();
  const trees = new Map<string, Map<string, string>>();
  const commits = new Map<string, { message: string; tree: string; parents: string[] }>();
  const put = (kind: string, content: string) =>
    createHash("sha1").update(`${kind}\0${content}`).digest("hex");
  /** Whether `commit` has `ancestor` in its history (or is it): a fast-forward from `ancestor`. */
  const descends = (commit: string, ancestor: string): boolean => {
    const seen = new Set<string>();
    const todo = [commit];
    while (todo.length) {
      const c = todo.pop() as string;
      if (c === ancestor) return true;
      if (seen.has(c)) continue;
      seen.add(c);
      todo.push(...(commits.get(c)?.parents ?? []));
    }
    return false;
  };
  const file = (branch: string, path: string): string | undefined => {
    const head = refs.get(`heads/${branch}`);
    const tree = head ? trees.get(commits.get(head)?.tree ?? "") : undefined;
    const blob = tree?.get(path);
    return blob ? blobs.get(blob)?.toString("utf8") : undefined;
  };
  const log = (branch: string) => {
    const out: { sha: string; message: string; parents: string[] }[] = [];
    for (let c = refs.get(`heads/${branch}`); c; c = commits.get(c)?.parents[0]) {
      const commit = commits.get(c);
      if (!commit) break;
      out.push({ sha: c, message: commit.message, parents: commit.parents });
    }
    return out;
  };
  return { refs, blobs, trees, commits, put, descends, file, log };
}
