// Self-test of the SCIM test peer: starts server.js on seed-example.json with
// several option sets and checks the behaviour README.md documents.
// Run: node --test tests/scim-server/selftest.mjs   (after `npm ci` in this folder)

import {test, describe, before, after} from "node:test";
import assert from "node:assert/strict";
import {spawn} from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {fileURLToPath} from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SEED = path.join(HERE, "seed-example.json");
const EXT = "urn:ietf:params:scim:schemas:extension:ent:2.0:User";
const PATCHOP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const BULK = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const TOKEN = "s3cr3t-token";

async function startServer(extra = []) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scim-selftest-"));
    const portFile = path.join(dir, "port");
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(HERE, "server.js"), "--port", "0", "--token", TOKEN,
        "--seed", SEED, "--port-file", portFile, ...extra], {stdio: ["ignore", "pipe", "pipe"]});
    let stderr = "";
    child.stderr.on("data", (c) => { stderr += c; });
    const line = await new Promise((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 10000);
        child.stdout.on("data", (c) => {
            out += c;
            if (out.includes("\n")) { clearTimeout(timer); resolve(out.split("\n")[0]); }
        });
        child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${stderr}`)); });
    });
    const startupMs = performance.now() - t0;
    const m = /^listening (http:\/\/127\.0\.0\.1:(\d+)\/scim\/v2)$/.exec(line);
    assert.ok(m, `unexpected first line: ${line}`);
    const port = Number(m[2]);
    assert.equal(fs.readFileSync(portFile, "utf8").trim(), String(port));
    const root = `http://127.0.0.1:${port}`;
    return {child, base: m[1], root, port, startupMs, dir};
}

async function stopServer(s) {
    if (!s || s.child.exitCode !== null) return null;
    const exited = new Promise((resolve) => s.child.on("exit", (code, signal) => resolve({code, signal})));
    s.child.kill("SIGTERM");
    const r = await exited;
    fs.rmSync(s.dir, {recursive: true, force: true});
    return r;
}

function client(s) {
    const call = async (method, url, {body, headers = {}, token = TOKEN, signal} = {}) => {
        const h = {...headers};
        if (token !== null) h.authorization = `Bearer ${token}`;
        if (body !== undefined) h["content-type"] = "application/scim+json";
        const res = await fetch(url.startsWith("http") ? url : `${s.base}${url}`, {
            method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), signal
        });
        const text = await res.text();
        return {status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined};
    };
    return {
        get: (u, o) => call("GET", u, o),
        patch: (u, ops, o = {}) => call("PATCH", u, {...o, body: {schemas: [PATCHOP], Operations: ops}}),
        put: (u, body, o = {}) => call("PUT", u, {...o, body}),
        post: (u, body, o = {}) => call("POST", u, {...o, body}),
        del: (u, o) => call("DELETE", u, o),
        raw: call
    };
}

const pron = (u) => u?.[EXT]?.pronoteIds;
const filteredValue = (uai) => `${EXT}:pronoteIds[uai eq "${uai}"].value`;
const q = (params) => new URLSearchParams(params).toString();

describe("default options (page size 2)", () => {
    let s, c;
    before(async () => { s = await startServer(["--page-size", "2"]); c = client(s); });
    after(async () => {
        const r = await stopServer(s);
        assert.deepEqual(r, {code: 0, signal: null}, "clean exit on SIGTERM");
    });

    test("starts fast", () => assert.ok(s.startupMs < 5000, `startup ${s.startupMs} ms`));

    test("401 without or with a wrong bearer token, SCIM error body", async () => {
        for (const [u, token] of [["/Users", null], ["/Users", "wrong"], ["/ServiceProviderConfig", null], [`${s.root}/_test/log`, null]]) {
            const r = await c.get(u, {token});
            assert.equal(r.status, 401);
            assert.deepEqual(r.body.schemas, [ERROR]);
            assert.equal(r.body.status, "401");
            assert.ok(r.body.detail);
        }
    });

    test("discovery", async () => {
        const spc = (await c.get("/ServiceProviderConfig")).body;
        assert.equal(spc.etag.supported, true);
        assert.equal(spc.patch.supported, true);
        assert.equal(spc.filter.supported, true);
        assert.equal(spc.filter.maxResults, 2);
        assert.deepEqual(spc.bulk, {supported: true, maxOperations: 100, maxPayloadSize: 1048576});
        const schemas = (await c.get("/Schemas")).body;
        const ext = schemas.Resources.find((x) => x.id === EXT);
        assert.deepEqual(ext.attributes.map((a) => [a.name, a.type, a.multiValued]), [
            ["birthDate", "string", false], ["structures", "string", true], ["classes", "string", true],
            ["children", "complex", true], ["pronoteIds", "complex", true]]);
        const rt = (await c.get("/ResourceTypes")).body;
        assert.deepEqual(rt.Resources[0].schemaExtensions, [{schema: EXT, required: false}]);
    });

    test("structures filter, paging, page 1 again past the end", async () => {
        for (const filter of [`${EXT}:structures eq "0312609T"`, `structures eq "0312609T"`]) {
            const pages = [];
            for (const startIndex of [1, 3, 4, 9]) {
                const r = await c.get(`/Users?${q({filter, startIndex, count: 500})}`);
                assert.equal(r.status, 200);
                assert.equal(r.body.totalResults, 3);
                pages.push(r.body.Resources.map((u) => u.id));
            }
            assert.deepEqual(pages, [["u-eleve-1", "u-eleve-2"], ["u-parent-1"],
                ["u-eleve-1", "u-eleve-2"], ["u-eleve-1", "u-eleve-2"]]);
        }
        const other = await c.get(`/Users?${q({filter: `structures eq "0750001A"`})}`);
        assert.deepEqual(other.body.Resources.map((u) => u.id), ["u-eleve-2", "u-prof-1"]);
        const all = await c.get("/Users");
        assert.equal(all.body.totalResults, 4);
        assert.equal(all.body.Resources.length, 2);
    });

    test("GET one: ETag, Location; 404", async () => {
        const r = await c.get("/Users/u-eleve-1");
        assert.equal(r.status, 200);
        assert.equal(r.headers.get("etag"), 'W/"1"');
        assert.equal(r.body.meta.version, 'W/"1"');
        assert.equal(r.headers.get("location"), `${s.base}/Users/u-eleve-1`);
        const nf = await c.get("/Users/nobody");
        assert.equal(nf.status, 404);
        assert.equal(nf.body.status, "404");
        const nfp = await c.patch("/Users/nobody", [{op: "replace", path: "active", value: false}]);
        assert.equal(nfp.status, 404);
    });

    test("PATCH forms", async () => {
        // replace on a filtered path, guarded by If-Match
        let r = await c.patch("/Users/u-eleve-1", [{op: "replace", path: filteredValue("0312609T"), value: "KVX8NTH4DPQ3SYU7"}],
            {headers: {"if-match": 'W/"1"'}});
        assert.equal(r.status, 200);
        assert.equal(r.headers.get("etag"), 'W/"2"');
        assert.equal(r.headers.get("location"), `${s.base}/Users/u-eleve-1`);
        assert.deepEqual(pron(r.body), [{uai: "0312609T", value: "KVX8NTH4DPQ3SYU7"}]);
        // stale If-Match
        r = await c.patch("/Users/u-eleve-1", [{op: "replace", path: filteredValue("0312609T"), value: "XXXX"}],
            {headers: {"if-match": 'W/"1"'}});
        assert.equal(r.status, 412);
        assert.equal(r.body.scimType, undefined);
        assert.match(r.body.detail, /precondition failed \/ stale version/);
        // add a first entry
        r = await c.patch("/Users/u-eleve-2", [{op: "add", path: `${EXT}:pronoteIds`, value: [{uai: "0312609T", value: "TOM0000000000001"}]}]);
        assert.equal(r.status, 200);
        assert.deepEqual(pron(r.body), [{uai: "0312609T", value: "TOM0000000000001"}]);
        // replace of the whole array
        r = await c.patch("/Users/u-eleve-2", [{op: "replace", path: `${EXT}:pronoteIds`,
            value: [{uai: "0312609T", value: "TOM0000000000002"}, {uai: "0750001A", value: "TOM0000000000003"}]}]);
        assert.equal(r.status, 200);
        assert.equal(pron(r.body).length, 2);
        // remove with a filtered path: works while another entry remains...
        r = await c.patch("/Users/u-eleve-2", [{op: "remove", path: `${EXT}:pronoteIds[uai eq "0312609T"]`}]);
        assert.equal(r.status, 200);
        assert.deepEqual(pron(r.body), [{uai: "0750001A", value: "TOM0000000000003"}]);
        // ...but scimmy fails when it would remove the last one
        r = await c.patch("/Users/u-eleve-2", [{op: "remove", path: `${EXT}:pronoteIds[uai eq "0750001A"]`}]);
        assert.equal(r.status, 400);
        assert.equal(r.body.scimType, "invalidValue");
        // replace on a filtered path matching nothing
        r = await c.patch("/Users/u-parent-1", [{op: "replace", path: filteredValue("0312609T"), value: "PAR0000000000001"}]);
        assert.equal(r.status, 400);
        assert.equal(r.body.scimType, "noTarget");
        // no-op PATCH: 200 with the resource, version unchanged
        r = await c.patch("/Users/u-eleve-1", [{op: "replace", path: filteredValue("0312609T"), value: "KVX8NTH4DPQ3SYU7"}]);
        assert.equal(r.status, 200);
        assert.equal(r.body.meta.version, 'W/"2"');
    });

    test("409 uniqueness names the other user", async () => {
        let r = await c.patch("/Users/u-parent-1", [{op: "add", path: `${EXT}:pronoteIds`, value: [{uai: "0312609T", value: "KVX8NTH4DPQ3SYU7"}]}]);
        assert.equal(r.status, 409);
        assert.equal(r.body.scimType, "uniqueness");
        assert.match(r.body.detail, /u-eleve-1/);
        r = await c.put("/Users/u-parent-1", {schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", EXT],
            userName: "claire.moreau", [EXT]: {pronoteIds: [{uai: "0312609T", value: "KVX8NTH4DPQ3SYU7"}]}});
        assert.equal(r.status, 409);
        // the same pair on another UAI is no conflict
        r = await c.patch("/Users/u-parent-1", [{op: "add", path: `${EXT}:pronoteIds`, value: [{uai: "0750001A", value: "KVX8NTH4DPQ3SYU7"}]}]);
        assert.equal(r.status, 200);
    });

    test("Bulk: each operation's own status, ETags and uniqueness enforced", async () => {
        const v = (await c.get("/Users/u-prof-1")).body.meta.version;
        const patchOp = (id, ops, version) => ({method: "PATCH", path: `/Users/${id}`, ...(version ? {version} : {}),
            data: {schemas: [PATCHOP], Operations: ops}});
        const r = await c.post("/Bulk", {schemas: [BULK], Operations: [
            patchOp("u-prof-1", [{op: "add", path: `${EXT}:pronoteIds`, value: [{uai: "0312609T", value: "PROF000000000001"}]}], v),
            patchOp("u-prof-1", [{op: "replace", path: filteredValue("0312609T"), value: "PROF000000000002"}], v),
            patchOp("u-eleve-2", [{op: "add", path: `${EXT}:pronoteIds`, value: [{uai: "0312609T", value: "KVX8NTH4DPQ3SYU7"}]}]),
            patchOp("ghost", [{op: "replace", path: "active", value: false}]),
            patchOp("u-prof-1", [{op: "replace", path: filteredValue("0750001A"), value: "PROF000000000003"}])
        ]});
        assert.equal(r.status, 200);
        assert.deepEqual(r.body.Operations.map((o) => o.status), ["200", "412", "409", "404", "200"]);
        assert.equal(r.body.Operations[0].version, 'W/"' + (Number(/\d+/.exec(v)[0]) + 1) + '"');
        assert.equal(r.body.Operations[2].response.scimType, "uniqueness");
        const prof = (await c.get("/Users/u-prof-1")).body;
        assert.deepEqual(pron(prof), [{uai: "0750001A", value: "PROF000000000003"}, {uai: "0312609T", value: "PROF000000000001"}]);
        const tooMany = await c.post("/Bulk", {schemas: [BULK],
            Operations: Array.from({length: 101}, () => patchOp("u-prof-1", [{op: "replace", path: "active", value: true}]))});
        assert.equal(tooMany.status, 413);
        const stop = await c.post("/Bulk", {schemas: [BULK], failOnErrors: 1, Operations: [
            patchOp("ghost", [{op: "replace", path: "active", value: false}]),
            patchOp("u-prof-1", [{op: "replace", path: "active", value: false}])]});
        assert.deepEqual(stop.body.Operations.map((o) => o.status), ["404"]);
    });

    test("write log: every attempt once, in order", async () => {
        const log = (await c.get(`${s.root}/_test/log`)).body;
        const bulk = log.filter((e) => e.source === "bulk" && e.bulkRequest === 1);
        assert.deepEqual(bulk.map((e) => [e.bulkIndex, e.status, e.applied]),
            [[1, 200, true], [2, 412, false], [3, 409, false], [4, 404, false], [5, 200, true]]);
        const first = log.find((e) => e.userId === "u-eleve-1" && e.method === "PATCH");
        assert.equal(first.status, 200);
        assert.deepEqual(first.operations, [{op: "replace", path: filteredValue("0312609T"), value: "KVX8NTH4DPQ3SYU7"}]);
        assert.ok(log.every((e, i) => e.seq === i + 1));
    });

    test("reset and dump", async () => {
        const doc = JSON.parse(fs.readFileSync(SEED, "utf8"));
        const r = await c.post(`${s.root}/_test/reset`, doc);
        assert.equal(r.status, 200);
        assert.deepEqual((await c.get(`${s.root}/_test/log`)).body, []);
        const dump = (await c.get(`${s.root}/_test/dump`)).body;
        assert.equal(dump.totalResults, 4);
        assert.deepEqual(pron(dump.Resources[0]), [{uai: "0312609T", value: "AAAA1111BBBB2222"}]);
        assert.equal(dump.Resources[0].meta.version, 'W/"1"');
    });
});

describe("--no-etag --no-bulk --write-delay-ms 400", () => {
    let s, c;
    before(async () => { s = await startServer(["--no-etag", "--no-bulk", "--write-delay-ms", "400"]); c = client(s); });
    after(async () => stopServer(s));

    test("discovery says so, no versions, If-Match ignored, Bulk 501", async () => {
        const spc = (await c.get("/ServiceProviderConfig")).body;
        assert.equal(spc.etag.supported, false);
        assert.equal(spc.bulk.supported, false);
        const r = await c.get("/Users/u-eleve-1");
        assert.equal(r.headers.get("etag"), null);
        assert.equal(r.body.meta.version, undefined);
        const t0 = performance.now();
        const p = await c.patch("/Users/u-eleve-1", [{op: "replace", path: "active", value: false}], {headers: {"if-match": 'W/"99"'}});
        assert.ok(performance.now() - t0 >= 390);
        assert.equal(p.status, 200);
        const b = await c.post("/Bulk", {schemas: [BULK], Operations: [{method: "DELETE", path: "/Users/u-eleve-1"}]});
        assert.equal(b.status, 501);
    });

    test("a write whose client went away is still applied once", async () => {
        const ctl = new AbortController();
        const pending = c.patch("/Users/u-eleve-2", [{op: "add", path: `${EXT}:pronoteIds`, value: [{uai: "0312609T", value: "LATE000000000001"}]}],
            {signal: ctl.signal}).catch((e) => e.name);
        await new Promise((r) => setTimeout(r, 100));
        ctl.abort();
        assert.equal(await pending, "AbortError");
        assert.equal(pron((await c.get("/Users/u-eleve-2")).body), undefined);
        await new Promise((r) => setTimeout(r, 500));
        assert.deepEqual(pron((await c.get("/Users/u-eleve-2")).body), [{uai: "0312609T", value: "LATE000000000001"}]);
        const log = (await c.get(`${s.root}/_test/log`)).body.filter((e) => e.userId === "u-eleve-2");
        assert.deepEqual(log.map((e) => [e.status, e.applied]), [[200, true]]);
    });
});
