#!/usr/bin/env node
// Jonction test peer: a small but real SCIM 2.0 service provider.
//
// SCIM parsing, PATCH, filters, list responses, discovery and errors come from
// `scimmy` + `scimmy-routers` (express 4). This wrapper adds what they leave to
// the implementer: in-memory storage seeded from a snapshot, bearer auth, ETags
// (meta.version / If-Match), Location headers, pronoteIds uniqueness, the
// multi-valued `structures eq "…"` filter, a page-size cap, Bulk with per-op
// versions, an artificial write delay and a test-only write log.
//
// Usage: node server.js --port 0 --token SECRET --seed snapshot.json
//          [--port-file FILE] [--write-delay-ms N] [--page-size N]
//          [--no-etag] [--no-bulk]
// See README.md beside this file.

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import express from "express";
import SCIMMYRouters, {SCIMMY} from "scimmy-routers";

const EXT_URN = "urn:ietf:params:scim:schemas:extension:ent:2.0:User";
const CORE_URN = "urn:ietf:params:scim:schemas:core:2.0:User";
const LIST_URN = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const BASE = "/scim/v2";
const SCIM_JSON_TYPES = ["application/scim+json", "application/json", "application/*+json"];
const BULK_MAX_OPERATIONS = 100;
const BULK_MAX_PAYLOAD = 1048576;

// ---------------------------------------------------------------- options --

function usage(msg) {
    if (msg) process.stderr.write(`server.js: ${msg}\n`);
    process.stderr.write("usage: node server.js --port N --token SECRET --seed FILE [--port-file FILE]"
        + " [--write-delay-ms N] [--page-size N] [--no-etag] [--no-bulk] [--forbid-writes ID,ID...]\n");
    process.exit(2);
}

function parseArgs(argv) {
    const opts = {port: 0, token: null, seed: null, portFile: null, writeDelayMs: 0, pageSize: 200, etag: true, bulk: true};
    const intArg = (name, v, min) => {
        if (v === undefined || !/^\d+$/.test(v) || Number(v) < min) usage(`${name} expects an integer >= ${min}`);
        return Number(v);
    };
    for (let i = 0; i < argv.length; i++) {
        let arg = argv[i], val;
        const eq = arg.indexOf("=");
        if (arg.startsWith("--") && eq > 0) { val = arg.slice(eq + 1); arg = arg.slice(0, eq); }
        const next = () => (val !== undefined ? val : argv[++i]);
        switch (arg) {
            case "--port": opts.port = intArg(arg, next(), 0); break;
            case "--token": opts.token = next(); break;
            case "--seed": opts.seed = next(); break;
            case "--port-file": opts.portFile = next(); break;
            case "--write-delay-ms": opts.writeDelayMs = intArg(arg, next(), 0); break;
            case "--page-size": opts.pageSize = intArg(arg, next(), 1); break;
            case "--no-etag": opts.etag = false; break;
            case "--no-bulk": opts.bulk = false; break;
            case "--forbid-writes": opts.forbidden = new Set(next().split(",")); break;
            case "-h": case "--help": usage();
            // falls through (usage exits)
            default: usage(`unknown argument '${arg}'`);
        }
    }
    if (!opts.token) usage("--token is required");
    if (opts.port > 65535) usage("--port out of range");
    return opts;
}

const opts = parseArgs(process.argv.slice(2));

// ---------------------------------------------------------------- helpers --

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

// JSON with sorted keys, to compare two resources' content
function canonical(v) {
    if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
    if (v && typeof v === "object")
        return `{${Object.keys(v).sort().filter((k) => v[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
    return JSON.stringify(v);
}

const scimError = (status, scimType, detail) => new SCIMMY.Types.Error(status, scimType ?? null, detail);

// Turn anything thrown into a SCIM Error message body (RFC 7644 §3.12)
function errorBody(ex) {
    let status = Number(ex?.status ?? ex?.statusCode ?? 500);
    let scimType = ex?.scimType;
    let detail = ex?.message || ex?.detail || "Internal error";
    if (ex?.type === "entity.parse.failed") { status = 400; scimType = "invalidSyntax"; detail = `Malformed JSON body: ${ex.message}`; }
    if (ex?.type === "entity.too.large") { status = 413; scimType = undefined; detail = "Request body too large"; }
    try {
        return new SCIMMY.Messages.Error({status, scimType, message: detail});
    } catch {
        // status code not allowed by scimmy's list (e.g. 405): build it by hand
        return {schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"], status: String(status), detail};
    }
}

function sendScim(res, status, body) {
    res.status(status).type("application/scim+json");
    return body === undefined ? res.end() : res.send(JSON.stringify(body));
}

const sendError = (res, ex) => {
    const body = errorBody(ex);
    return sendScim(res, Number(body.status), body);
};

const versionTag = (n) => `W/"${n}"`;

// If-Match / If-None-Match list parsing with weak comparison (RFC 7644 §3.14 uses weak tags)
function etagListMatches(header, current) {
    if (header === undefined) return true;
    const h = String(header).trim();
    if (h === "*") return true;
    const opaque = (t) => t.trim().replace(/^W\//, "");
    const tags = h.match(/(?:W\/)?"[^"]*"/g) ?? [h];
    return tags.some((t) => opaque(t) === opaque(current));
}

// ---------------------------------------------------------------- storage --

const users = new Map();   // id -> stored record (SCIM JSON + meta.version, internal _v)
let writeLog = [];
let writeSeq = 0;
let bulkSeq = 0;        // numbers the Bulk requests, for the log

const extOf = (u) => u?.[EXT_URN] ?? {};

// One snapshot user, kept as given (scimmy formats it on every read and
// validates it on the first write: running 12 000 users through scimmy's schema
// would take seconds at startup). Its id and meta.version are kept.
function seedRecord(u, index, now) {
    if (!u || typeof u !== "object" || Array.isArray(u)) throw new TypeError(`Resources[${index}] is not an object`);
    if (typeof u.id !== "string" || !u.id.length) throw new TypeError(`Resources[${index}] has no string 'id'`);
    if (typeof u.userName !== "string" || !u.userName.length)
        throw new TypeError(`Resources[${index}] (id ${u.id}): required attribute 'userName' is missing`);
    if (u[EXT_URN] !== undefined && (typeof u[EXT_URN] !== "object" || Array.isArray(u[EXT_URN])))
        throw new TypeError(`Resources[${index}] (id ${u.id}): '${EXT_URN}' must be an object`);
    const m = /^W\/"(\d+)"$/.exec(u.meta?.version ?? "");
    const v = m ? Number(m[1]) : 1;
    return makeRecord(u.id, clone(u), v, u.meta?.created ?? now, u.meta?.lastModified ?? u.meta?.created ?? now);
}

// Content of a resource as scimmy reads it on ingress (no id, meta, schemas)
function normalisedContent(obj) {
    const {schemas, meta, id, ...rest} = JSON.parse(JSON.stringify(new SCIMMY.Schemas.User(obj, "in")));
    return rest;
}

function makeRecord(id, content, v, created, lastModified) {
    const {schemas, meta, id: _ignored, ...rest} = content;
    const rec = {
        schemas: [CORE_URN, ...(rest[EXT_URN] !== undefined ? [EXT_URN] : [])],
        id, ...rest,
        meta: {resourceType: "User", created, lastModified, version: versionTag(v)}
    };
    Object.defineProperty(rec, "_v", {value: v, enumerable: false, writable: true});
    return rec;
}

function loadSnapshot(doc) {
    const list = Array.isArray(doc) ? doc : doc?.Resources;
    if (!Array.isArray(list)) throw new TypeError("snapshot must be a SCIM ListResponse with a 'Resources' array");
    if (!Array.isArray(doc) && Array.isArray(doc.schemas) && !doc.schemas.includes(LIST_URN))
        throw new TypeError(`snapshot 'schemas' must contain '${LIST_URN}'`);
    const next = new Map();
    const now = new Date().toISOString();
    list.forEach((u, i) => {
        const rec = seedRecord(u, i, now);
        if (next.has(rec.id)) throw new TypeError(`Resources[${i}]: duplicate id '${rec.id}'`);
        next.set(rec.id, rec);
    });
    users.clear();
    for (const [id, rec] of next) users.set(id, rec);
}

// Public (egress) form of a stored record
function publicRecord(rec) {
    const out = clone(rec);
    if (!opts.etag) delete out.meta.version;
    return out;
}

// scimmy's output form of a record; records are replaced, never mutated, on
// write, so the plain rendering is cached per record
const rendered = new WeakMap();
function renderUser(rec, attributes) {
    if (attributes) return new SCIMMY.Schemas.User(publicRecord(rec), "out", User.basepath(), attributes);
    let out = rendered.get(rec);
    if (!out) {
        out = JSON.parse(JSON.stringify(new SCIMMY.Schemas.User(publicRecord(rec), "out", User.basepath())));
        rendered.set(rec, out);
    }
    return out;
}

// Another user already holding one of these (uai, value) pairs?
function findPronoteConflict(selfId, content) {
    const wanted = (extOf(content).pronoteIds ?? []).filter((p) => p && p.uai !== undefined && p.value !== undefined);
    for (const p of wanted) {
        for (const [otherId, other] of users) {
            if (otherId === selfId) continue;
            if ((extOf(other).pronoteIds ?? []).some((q) => q?.uai === p.uai && q?.value === p.value))
                return {uai: p.uai, value: p.value, otherId};
        }
    }
    return null;
}

function checkIfMatch(rec, ctx) {
    // An account the token may read but not change (--forbid-writes)
    if (opts.forbidden?.has(rec.id)) throw scimError(403, null, `writes to ${rec.id} are forbidden`);
    if (!opts.etag || ctx?.ifMatch === undefined || ctx.ifMatch === null || ctx.ifMatch === "") return;
    if (!etagListMatches(ctx.ifMatch, rec.meta.version))
        throw scimError(412, null, `precondition failed / stale version: If-Match ${ctx.ifMatch} but user ${rec.id} is at ${rec.meta.version}`);
}

// ------------------------------------------------------- scimmy resource --

const {Attribute, SchemaDefinition} = SCIMMY.Types;
const EntExtension = new SchemaDefinition("EntUser", EXT_URN, "ENT user extension (Jonction profile)", [
    new Attribute("string", "birthDate", {description: "Birth date, YYYY-MM-DD"}),
    new Attribute("string", "structures", {multiValued: true, description: "UAIs of the establishments the user belongs to"}),
    new Attribute("string", "classes", {multiValued: true, description: "Class names (students)"}),
    new Attribute("complex", "children", {multiValued: true, description: "Children of a relative"}, [
        new Attribute("string", "value", {caseExact: true, description: "User id of the child"}),
        new Attribute("string", "display", {description: "Display name of the child"})
    ]),
    new Attribute("complex", "pronoteIds", {multiValued: true, description: "PRONOTE identifier per establishment"}, [
        new Attribute("string", "uai", {description: "UAI of the establishment"}),
        new Attribute("string", "value", {caseExact: true, description: "PRONOTE identifier"})
    ])
]);

SCIMMY.Resources.declare(SCIMMY.Resources.User.extend(EntExtension, false)
    .egress(async (resource, ctx) => {
        if (resource.id) {
            const rec = users.get(resource.id);
            if (!rec) throw scimError(404, null, `Resource ${resource.id} not found`);
            // PATCH reads first: refuse a stale version before trying the operations
            if (ctx?.write) checkIfMatch(rec, ctx);
            return publicRecord(rec);
        }
        // (list reads are served by listUsers() below; this is scimmy's generic path)
        const list = [...users.values()].map(publicRecord);
        return resource.filter ? resource.filter.match(list) : list;
    })
    .ingress(async (resource, instance, ctx) => {
        const content = JSON.parse(JSON.stringify(instance));
        const now = new Date().toISOString();
        if (resource.id) {
            const rec = users.get(resource.id);
            if (!rec) throw scimError(404, null, `Resource ${resource.id} not found`);
            checkIfMatch(rec, ctx);
            const conflict = findPronoteConflict(rec.id, content);
            if (conflict)
                throw scimError(409, "uniqueness", `pronoteIds entry (uai "${conflict.uai}", value "${conflict.value}") is already held by user ${conflict.otherId}`);
            if (content.userName !== rec.userName && [...users.values()].some((u) => u.id !== rec.id && u.userName === content.userName))
                throw scimError(409, "uniqueness", `userName "${content.userName}" is already taken`);
            const {schemas: _s, meta: _m, ...newContent} = content;
            let oldContent = null;
            try { oldContent = normalisedContent(rec); } catch { /* invalid seed record: counts as changed */ }
            if (oldContent && canonical(newContent) === canonical(oldContent)) {
                if (ctx) ctx.changed = false;
                return publicRecord(rec);
            }
            const next = makeRecord(rec.id, content, rec._v + 1, rec.meta.created, now);
            users.set(rec.id, next);
            if (ctx) ctx.changed = true;
            return publicRecord(next);
        }
        // create
        const id = crypto.randomUUID();
        const conflict = findPronoteConflict(id, content);
        if (conflict)
            throw scimError(409, "uniqueness", `pronoteIds entry (uai "${conflict.uai}", value "${conflict.value}") is already held by user ${conflict.otherId}`);
        if (content.userName !== undefined && [...users.values()].some((u) => u.userName === content.userName))
            throw scimError(409, "uniqueness", `userName "${content.userName}" is already taken`);
        const rec = makeRecord(id, content, 1, now, now);
        users.set(id, rec);
        if (ctx) ctx.changed = true;
        return publicRecord(rec);
    })
    .degress(async (resource, ctx) => {
        const rec = users.get(resource.id);
        if (!rec) throw scimError(404, null, `Resource ${resource.id} not found`);
        checkIfMatch(rec, ctx);
        users.delete(resource.id);
        if (ctx) ctx.changed = true;
    }));

const User = SCIMMY.Resources.User;

// ---------------------------------------------------------- write pipeline --

// One write (HTTP or Bulk operation): delay, apply through scimmy, log.
// Everything after the delay runs without yielding to the event loop, so a
// write's read-check-store is atomic with respect to other requests.
async function performWrite({method, id, data, query = {}, ifMatch, source, bulkRequest, bulkIndex}) {
    const entry = {
        seq: 0, method, userId: id ?? null, status: 0,
        operations: (method === "PATCH" && Array.isArray(data?.Operations)) ? clone(data.Operations) : [],
        source, ...(bulkRequest !== undefined ? {bulkRequest, bulkIndex} : {}),
        ...(ifMatch !== undefined ? {ifMatch} : {})
    };
    if (method === "PUT" || method === "POST") entry.resource = clone(data);
    if (opts.writeDelayMs > 0) await sleep(opts.writeDelayMs);
    const ctx = {write: true, method, ifMatch};
    let result;
    try {
        let value;
        switch (method) {
            case "PATCH":
                value = await new User(id, query).patch(data, ctx);
                // scimmy answers 204 when nothing changed; we always return the resource
                if (!value) value = await new User(id, query).read({});
                result = {status: 200, value};
                break;
            case "PUT":
                value = await new User(id, query).write(data, ctx);
                result = {status: 200, value};
                break;
            case "POST":
                value = await new User(query).write(data, ctx);
                entry.userId = value.id;
                result = {status: 201, value};
                break;
            case "DELETE":
                await new User(id).dispose(ctx);
                result = {status: 204};
                break;
            default:
                throw scimError(400, "invalidValue", `Unsupported method ${method}`);
        }
        entry.applied = true;
        entry.changed = ctx.changed ?? false;
        if (method !== "DELETE" && users.has(entry.userId)) entry.version = users.get(entry.userId).meta.version;
    } catch (ex) {
        const err = errorBody(ex);
        result = {status: Number(err.status), error: err};
        entry.applied = false;
        entry.detail = err.detail;
        if (err.scimType) entry.scimType = err.scimType;
    }
    entry.status = result.status;
    entry.seq = ++writeSeq;
    entry.time = new Date().toISOString();
    writeLog.push(entry);
    return result;
}

// A write refused before reaching the pipeline (auth, bad JSON, whole Bulk request refused)
function logRefused(req, status, detail, scimType) {
    const m = /^\/Users(?:\/([^/]+))?\/?$/.exec(req.path);
    let userId = null;
    try { userId = m?.[1] ? decodeURIComponent(m[1]) : null; } catch { userId = m[1]; }
    writeLog.push({
        seq: ++writeSeq, method: req.method, userId, status,
        operations: (req.method === "PATCH" && Array.isArray(req.body?.Operations)) ? clone(req.body.Operations) : [],
        source: req.path === "/Bulk" ? "bulk-request" : "http", applied: false, detail,
        ...(scimType ? {scimType} : {}), time: new Date().toISOString()
    });
}

function setResourceHeaders(res, value) {
    const location = value?.meta?.location;
    if (location) res.location(location);
    if (opts.etag && value?.meta?.version) res.set("ETag", value.meta.version);
}

// ------------------------------------------------------------------- app --

let baseUrl = "";   // http://127.0.0.1:PORT, known once listening
const app = express();
app.disable("x-powered-by");
app.disable("etag");        // no automatic body ETags: ours are meta.version
app.set("query parser", "extended");

// Bearer auth: every route (SCIM and /_test) needs it
const tokenBuf = Buffer.from(opts.token);
function authenticate(req) {
    const m = /^Bearer\s+(.+)$/i.exec(req.get("authorization") ?? "");
    if (!m) return "Missing 'Authorization: Bearer <token>' header";
    const given = Buffer.from(m[1].trim());
    if (given.length !== tokenBuf.length || !crypto.timingSafeEqual(given, tokenBuf)) return "Invalid bearer token";
    return null;
}
app.use((req, res, next) => {
    const problem = authenticate(req);
    if (!problem) return next();
    const p = req.path.startsWith(BASE) ? req.path.slice(BASE.length) : "";
    if (["PATCH", "PUT", "POST", "DELETE"].includes(req.method) && (/^\/Users(\/|$)/.test(p) || p === "/Bulk"))
        logRefused({method: req.method, path: p, body: undefined}, 401, problem);
    res.set("WWW-Authenticate", 'Bearer realm="scim"');
    return sendScim(res, 401, errorBody(scimError(401, null, problem)));
});

// ---- test-only introspection
const testRouter = express.Router();
testRouter.use(express.json({type: SCIM_JSON_TYPES, limit: "512mb"}));
testRouter.get("/log", (req, res) => res.type("application/json").send(JSON.stringify(writeLog)));
testRouter.get("/dump", (req, res) => {
    const Resources = [...users.values()].map((u) => renderUser(u));
    res.type("application/scim+json").send(JSON.stringify({
        schemas: [LIST_URN], totalResults: Resources.length, startIndex: 1, itemsPerPage: Resources.length, Resources
    }));
});
testRouter.post("/reset", (req, res) => {
    try {
        loadSnapshot(req.body);
    } catch (ex) {
        return sendError(res, scimError(400, "invalidValue", ex.message));
    }
    writeLog = [];
    writeSeq = 0;
    bulkSeq = 0;
    res.type("application/json").send(JSON.stringify({totalResults: users.size}));
});
testRouter.use((req, res) => sendError(res, scimError(404, null, "Endpoint Not Found")));
app.use("/_test", testRouter);

// ---- SCIM
const scim = express.Router();

// Bulk payload limit is checked on the declared length before parsing
scim.post("/Bulk", (req, res, next) => {
    if (!opts.bulk) return next();
    const len = Number(req.get("content-length"));
    if (len > BULK_MAX_PAYLOAD) {
        logRefused(req, 413, "payload too large");
        return sendError(res, scimError(413, null, `The size of the bulk operation exceeds maxPayloadSize limit (${BULK_MAX_PAYLOAD})`));
    }
    next();
});
scim.use(express.json({
    type: SCIM_JSON_TYPES, limit: "64mb",
    verify: (req, res, buf) => { req.rawLength = buf.length; }
}));


const STRUCTURES_FILTER = new RegExp(
    `^\\s*(?:${EXT_URN.replace(/[.:]/g, (c) => `\\${c}`)}:)?structures\\s+eq\\s+"((?:[^"\\\\]|\\\\.)*)"\\s*$`, "i");

function takeStructuresFilter(holder, req) {
    if (typeof holder?.filter !== "string") return;
    const m = STRUCTURES_FILTER.exec(holder.filter);
    if (!m) return;
    req.structuresEq = m[1].replace(/\\(.)/g, "$1");
    delete holder.filter;
}

function capCount(value) {
    const n = Number(value);
    if (value === undefined || value === "" || !Number.isInteger(n)) return opts.pageSize;
    return Math.min(Math.max(n, 0), opts.pageSize);
}

// List reads (RFC 7644 §3.4.2). scimmy parses the parameters (Resource) and
// pages the matching records (ListResponse, quirks included: past the end it
// returns page 1; itemsPerPage is the page size asked). Unlike scimmy's own
// read(), which formats every matching user before paging, only the page is
// formatted: 12 000 users would otherwise cost seconds per page.
function listUsers(req, params) {
    const p = {...params};
    takeStructuresFilter(p, req);
    p.count = capCount(p.count);
    if (typeof p.startIndex === "string" && p.startIndex !== "" && !Number.isNaN(+p.startIndex)) p.startIndex = +p.startIndex;
    const resource = new User(p);
    try {
        let list = [...users.values()];
        if (req.structuresEq !== undefined)
            list = list.filter((u) => (extOf(u).structures ?? []).includes(req.structuresEq));
        else if (resource.filter)
            list = resource.filter.match(list);
        const page = new SCIMMY.Messages.ListResponse(list, resource.constraints);
        page.Resources = page.Resources.map((rec) => renderUser(rec, resource.attributes));
        return page;
    } catch (ex) {
        if (ex instanceof SCIMMY.Types.Error) throw ex;
        if (ex instanceof TypeError) throw scimError(400, "invalidValue", ex.message);
        throw ex;
    }
}

scim.get(["/Users", "/Users/"], (req, res) => {
    try {
        return sendScim(res, 200, listUsers(req, req.query));
    } catch (ex) {
        return sendError(res, ex);
    }
});
scim.post(["/Users/.search", "/.search"], (req, res) => {
    try {
        const search = new SCIMMY.Messages.SearchRequest(req.body);
        const params = {};
        for (const k of ["filter", "sortBy", "sortOrder", "startIndex", "count"])
            if (search[k] !== undefined) params[k] = search[k];
        if (search.attributes) params.attributes = search.attributes.join(",");
        if (search.excludedAttributes) params.excludedAttributes = search.excludedAttributes.join(",");
        return sendScim(res, 200, listUsers(req, params));
    } catch (ex) {
        return sendError(res, ex);
    }
});

// Single user: GET with ETag/Location, writes through the pipeline
scim.get("/Users/:id", async (req, res) => {
    if (req.params.id === ".search") return sendError(res, scimError(404, null, "Endpoint Not Found"));
    try {
        const value = await new User(req.params.id, req.query).read({});
        if (opts.etag && req.get("if-none-match") !== undefined && value?.meta?.version
            && etagListMatches(req.get("if-none-match"), value.meta.version)) {
            setResourceHeaders(res, value);
            return res.status(304).end();
        }
        setResourceHeaders(res, value);
        return sendScim(res, 200, value);
    } catch (ex) {
        return sendError(res, ex);
    }
});

async function httpWrite(req, res, method) {
    const result = await performWrite({
        method, id: req.params.id, data: req.body, query: req.query,
        ifMatch: req.get("if-match"), source: "http"
    });
    if (result.error) return sendScim(res, result.status, result.error);
    if (result.value) setResourceHeaders(res, result.value);
    return sendScim(res, result.status, result.value);
}
scim.patch("/Users/:id", (req, res) => httpWrite(req, res, "PATCH"));
scim.put("/Users/:id", (req, res) => httpWrite(req, res, "PUT"));
scim.delete("/Users/:id", (req, res) => httpWrite(req, res, "DELETE"));
scim.post(["/Users", "/Users/"], (req, res) => httpWrite(req, res, "POST"));

// Bulk (RFC 7644 §3.7): scimmy validates the message; operations run one after
// the other through the same write pipeline as single requests, with each
// operation's `version` used as its If-Match.
scim.post("/Bulk", async (req, res, next) => {
    if (!opts.bulk) {
        logRefused(req, 501, "bulk not supported");
        return sendError(res, scimError(501, null, "Endpoint Not Implemented"));
    }
    if ((req.rawLength ?? 0) > BULK_MAX_PAYLOAD) {
        logRefused(req, 413, "payload too large");
        return sendError(res, scimError(413, null, `The size of the bulk operation exceeds maxPayloadSize limit (${BULK_MAX_PAYLOAD})`));
    }
    let bulk;
    try {
        bulk = new SCIMMY.Messages.BulkRequest(req.body, BULK_MAX_OPERATIONS);
    } catch (ex) {
        const err = errorBody(ex);
        logRefused(req, Number(err.status), err.detail, err.scimType);
        return sendError(res, ex);
    }
    const bulkRequest = ++bulkSeq;
    const failOnErrors = bulk.failOnErrors ?? 0;
    const createdIds = new Map();   // bulkId -> new user id
    const results = [];
    let errors = 0;
    for (const [i, op] of bulk.Operations.entries()) {
        if (failOnErrors && errors >= failOnErrors) break;
        const index = i + 1;
        const method = typeof op?.method === "string" ? op.method.toUpperCase() : op?.method;
        const result = {method: op?.method, ...(typeof op?.bulkId === "string" ? {bulkId: op.bulkId} : {})};
        const fail = (ex) => {
            const err = errorBody(ex);
            Object.assign(result, {status: err.status, response: err});
            errors++;
            results.push(result);
        };
        const refuse = (status, scimType, detail) => {
            writeLog.push({seq: ++writeSeq, method: String(op?.method ?? ""), userId: null, status, operations: [],
                source: "bulk", bulkRequest, bulkIndex: index, applied: false, detail,
                ...(scimType ? {scimType} : {}), time: new Date().toISOString()});
            fail(scimError(status, scimType, detail));
        };
        if (!op || typeof op !== "object" || Array.isArray(op)) { refuse(400, "invalidSyntax", `Operation #${index} is not an object`); continue; }
        if (!["POST", "PUT", "PATCH", "DELETE"].includes(method)) { refuse(400, "invalidValue", `Invalid 'method' value '${op.method}' in BulkRequest operation #${index}`); continue; }
        if (typeof op.path !== "string") { refuse(400, "invalidSyntax", `Missing or invalid 'path' in BulkRequest operation #${index}`); continue; }
        const pm = /^\/Users(?:\/([^/]+))?\/?$/.exec(op.path);
        if (!pm) { refuse(400, "invalidValue", `Invalid 'path' value '${op.path}' in BulkRequest operation #${index}`); continue; }
        let id = pm[1] ? decodeURIComponent(pm[1]) : undefined;
        if (method === "POST" && id) { refuse(404, null, `POST operation must not target a specific resource in BulkRequest operation #${index}`); continue; }
        if (method === "POST" && typeof op.bulkId !== "string") { refuse(400, "invalidSyntax", `POST operation missing required 'bulkId' string in BulkRequest operation #${index}`); continue; }
        if (method !== "POST" && !id) { refuse(404, null, `${method} operation must target a specific resource in BulkRequest operation #${index}`); continue; }
        if (method !== "DELETE" && (Object(op.data) !== op.data || Array.isArray(op.data))) { refuse(400, "invalidSyntax", `Expected 'data' to be a single complex value in BulkRequest operation #${index}`); continue; }
        // bulkId references to earlier POSTs of this request
        let data = op.data;
        if (id?.startsWith("bulkId:")) {
            const ref = createdIds.get(id.slice(7));
            if (!ref) { refuse(409, null, `Unresolved reference '${id}' in BulkRequest operation #${index}`); continue; }
            id = ref;
        }
        if (data !== undefined && JSON.stringify(data).includes("bulkId:")) {
            let text = JSON.stringify(data), missing = null;
            text = text.replace(/"bulkId:([^"]+)"/g, (all, ref) => (createdIds.has(ref) ? JSON.stringify(createdIds.get(ref)) : (missing = missing ?? ref, all)));
            if (missing) { refuse(409, null, `Unresolved reference 'bulkId:${missing}' in BulkRequest operation #${index}`); continue; }
            data = JSON.parse(text);
        }
        const out = await performWrite({method, id, data, ifMatch: op.version, source: "bulk", bulkRequest, bulkIndex: index});
        if (out.error) { fail(out.error); if (id) result.location = `${User.basepath()}/${encodeURIComponent(id)}`; continue; }
        const value = out.value;
        if (method === "POST" && value?.id) createdIds.set(op.bulkId, value.id);
        result.location = value?.meta?.location ?? `${User.basepath()}/${encodeURIComponent(id)}`;
        if (opts.etag && value?.meta?.version) result.version = value.meta.version;
        result.status = String(out.status);
        results.push(result);
    }
    return sendScim(res, 200, new SCIMMY.Messages.BulkResponse(results));
});

// Everything else (discovery: ServiceProviderConfig, Schemas, ResourceTypes; /Me;
// unknown endpoints and their SCIM errors) is scimmy-routers
scim.use(new SCIMMYRouters({
    type: "bearer",
    docUri: "https://datatracker.ietf.org/doc/html/rfc6750",
    handler: () => undefined,       // auth is done above, before any route; no /Me
    baseUri: () => baseUrl
}));

// scimmy-routers sets its own defaults when constructed: set ours afterwards
SCIMMY.Config.set({
    patch: true,
    filter: {supported: true, maxResults: opts.pageSize},
    sort: true,
    etag: opts.etag,
    changePassword: false,
    bulk: opts.bulk ? {supported: true, maxOperations: BULK_MAX_OPERATIONS, maxPayloadSize: BULK_MAX_PAYLOAD}
        : {supported: false, maxOperations: 0, maxPayloadSize: 0}
});

app.use(BASE, (req, res, next) => {
    // Location/meta.location of resources served by our own routes
    User.basepath(`${baseUrl}${BASE}`);
    next();
}, scim);

// Errors from our own middleware (bad JSON etc.), and unknown paths
app.use((req, res) => sendError(res, scimError(404, null, "Endpoint Not Found")));
// eslint-disable-next-line no-unused-vars
app.use((ex, req, res, next) => {
    if (["PATCH", "PUT", "POST", "DELETE"].includes(req.method)) {
        const p = req.path.startsWith(BASE) ? req.path.slice(BASE.length) : "";
        const err = errorBody(ex);
        if (/^\/Users(\/|$)/.test(p) || p === "/Bulk") logRefused({method: req.method, path: p}, Number(err.status), err.detail, err.scimType);
    }
    if (res.headersSent) return res.end();
    return sendError(res, ex);
});

// ------------------------------------------------------------------ start --

try {
    if (opts.seed) loadSnapshot(JSON.parse(fs.readFileSync(opts.seed, "utf8")));
} catch (ex) {
    process.stderr.write(`server.js: cannot load seed ${opts.seed}: ${ex.message}\n`);
    process.exit(1);
}

const server = app.listen(opts.port, "127.0.0.1", () => {
    const {port} = server.address();
    baseUrl = `http://127.0.0.1:${port}`;
    User.basepath(`${baseUrl}${BASE}`);
    if (opts.portFile) {
        const tmp = path.join(path.dirname(path.resolve(opts.portFile)), `.${path.basename(opts.portFile)}.${process.pid}.tmp`);
        fs.writeFileSync(tmp, `${port}\n`);
        fs.renameSync(tmp, opts.portFile);
    }
    process.stdout.write(`listening ${baseUrl}${BASE}\n`);
});
server.on("error", (ex) => {
    process.stderr.write(`server.js: ${ex.message}\n`);
    process.exit(1);
});

// SIGTERM/SIGINT: stop listening, drop open connections (and any write still
// waiting out --write-delay-ms), exit 0 at once
function stop() {
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
