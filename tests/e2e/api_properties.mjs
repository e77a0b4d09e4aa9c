// Property-based tests of the HTTP/JSON gateway from its own OpenAPI document,
// the checks Schemathesis runs by default (Schemathesis is on PyPI only, which
// these machines do not reach), built from maintained npm libraries that
// scripts/install-deps.sh pins: fast-check (the engine: runs, seeds,
// shrinking), json-schema-faker (instances of the document's schemas) and Ajv
// with ajv-formats (JSON Schema 2020-12, the dialect of OpenAPI 3.1).
//
// For every operation of $GATEWAY/openapi.json it generates requests (path
// parameters, query parameters, headers, a JSON or NDJSON body per schema),
// sends them with the admin token (some with the inspector token run.sh also
// mints, some without a token, some with a garbage one) and checks each answer:
//   not_a_server_error           no 5xx
//   status_code_conformance      the status is documented for the operation
//   content_type_conformance     the Content-Type is a documented media type
//                                (and a response documented without content has no body)
//   response_schema_conformance  a JSON body (each NDJSON line) validates against
//                                the documented schema; a writeOnly field must not appear
//   ignored_auth                 an operation that requires a bearer token does not
//                                answer 2xx without a valid one
//   etag_revalidation            a GET sent again with If-None-Match naming the ETag
//                                it just got answers 304 while unchanged
//   response_for_another_request the answer is this request's (X-Request-Id), not one
//                                left over on the keep-alive connection
// A failing request is shrunk (fast-check) to a minimal one that fails the same
// check the same way, and printed as a curl command line; the same failure in
// several operations is printed once.
//
// Environment: GATEWAY, ADMIN_TOKEN_FILE, STATE_DIR (from tests/e2e/run_e2e.sh),
// API_PROPERTIES_MODULES (node_modules holding the libraries: the wrapper sets it),
// API_PROPERTIES_SEED (default 1, printed; "random" for a new one), API_PROPERTIES_EXAMPLES
// (6 per operation), API_PROPERTIES_TIME_LIMIT (240 s for the whole run),
// API_PROPERTIES_MAX_WRITES (600 non-GET requests), API_PROPERTIES_SHRINK_BUDGET
// (30 requests to shrink one failure), API_PROPERTIES_OPERATIONS (a regular
// expression over operationIds: run only those), API_PROPERTIES_REQUEST_TIMEOUT
// (20 s), API_PROPERTIES_CHECKS (comma-separated: only those count; default all),
// API_PROPERTIES_VERBOSE=1 (print every request), API_PROPERTIES_STRICT_FIELDS=1
// (also refuse response fields the document does not name), INSPECTOR_TOKEN_FILE.
//
// Safety: requests go to $GATEWAY only, which must be a loopback address. The
// demo must survive for the checks that run after this one: custom methods and
// PATCH (which change existing rows: dissolve, merge, expel, ...) and the few
// creations that change existing rows too (GUARDED_CREATIONS) are sent to ids
// that do not exist and with bodies of random strings; other creations (POST to
// a collection) may succeed; the member import is always a dry run.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';

const started = Date.now();
const env = process.env;

function die(message) {
  console.error(`api_properties: ${message}`);
  process.exit(2);
}

function intEnv(name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) die(`${name} must be a non-negative integer, not ${JSON.stringify(raw)}`);
  return value;
}

// ---- configuration -----------------------------------------------------------
const config = {
  gateway: env.GATEWAY,
  tokenFile: env.ADMIN_TOKEN_FILE,
  modules: env.API_PROPERTIES_MODULES,
  // Fixed by default, so that CI runs the same examples every time; "random" explores.
  seed: env.API_PROPERTIES_SEED === 'random' ? crypto.randomInt(1, 2 ** 31 - 1) : intEnv('API_PROPERTIES_SEED', 1),
  examples: intEnv('API_PROPERTIES_EXAMPLES', 6),
  timeLimitMs: intEnv('API_PROPERTIES_TIME_LIMIT', 240) * 1000,
  maxWrites: intEnv('API_PROPERTIES_MAX_WRITES', 600),
  shrinkBudget: intEnv('API_PROPERTIES_SHRINK_BUDGET', 30),
  requestTimeoutMs: intEnv('API_PROPERTIES_REQUEST_TIMEOUT', 20) * 1000,
  operations: env.API_PROPERTIES_OPERATIONS ? new RegExp(env.API_PROPERTIES_OPERATIONS) : null,
  verbose: env.API_PROPERTIES_VERBOSE === '1', // print every request and its status
  // Also refuse fields the document does not name (a response object's schema
  // gets additionalProperties: false): finds drift between the generator and the gateway.
  strictFields: env.API_PROPERTIES_STRICT_FIELDS === '1',
  maxRoundsPerOperation: 3, // distinct failures looked for per operation
  // Like Schemathesis's --checks: the checks that count (default all of them).
  checks: env.API_PROPERTIES_CHECKS && env.API_PROPERTIES_CHECKS !== 'all'
    ? new Set(env.API_PROPERTIES_CHECKS.split(',').map((c) => c.trim()).filter(Boolean)) : null,
};
if (!config.gateway) die('GATEWAY is not set (tests/e2e/run_e2e.sh sets it)');
if (!config.tokenFile) die('ADMIN_TOKEN_FILE is not set (tests/e2e/run_e2e.sh sets it)');
if (!config.modules) die('API_PROPERTIES_MODULES is not set: run tests/e2e/api_properties.sh, not this file');
let gatewayUrl;
try {
  gatewayUrl = new URL(config.gateway);
} catch {
  die(`GATEWAY is not a URL: ${config.gateway}`);
}
if (gatewayUrl.protocol !== 'http:') die(`GATEWAY must be http://, not ${config.gateway}`);
const loopback = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])$/;
if (!loopback.test(gatewayUrl.hostname)) die(`GATEWAY must be a loopback address, not ${gatewayUrl.hostname}`);
const adminToken = fs.readFileSync(config.tokenFile, 'utf8').trim();
if (!adminToken) die(`${config.tokenFile} is empty`);
// The inspection service's writes need the inspector role (the admin token only
// reads them): run.sh mints one beside the admin token, and a share of the
// requests carries it when it is there.
const inspectorTokenFile = env.INSPECTOR_TOKEN_FILE
  || (env.STATE_DIR ? path.join(env.STATE_DIR, 'secrets', 'inspector.token') : path.join(path.dirname(config.tokenFile), 'inspector.token'));
const inspectorToken = fs.existsSync(inspectorTokenFile) ? fs.readFileSync(inspectorTokenFile, 'utf8').trim() : '';
const deadline = started + config.timeLimitMs;

// ---- the libraries, from the prefix install-deps.sh installed ----------------
function packageVersion(name) {
  return JSON.parse(fs.readFileSync(path.join(config.modules, name, 'package.json'), 'utf8')).version;
}
// The ES module entry of a package (its "exports" for import, else module/main).
function moduleEntry(name, subpath = '.') {
  const dir = path.join(config.modules, name);
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
  let target = null;
  const pick = (node) => {
    if (typeof node === 'string') return node;
    if (node && typeof node === 'object') {
      for (const condition of ['node', 'import', 'default']) {
        if (condition in node) {
          const found = pick(node[condition]);
          if (found) return found;
        }
      }
    }
    return null;
  };
  if (manifest.exports) {
    const exportsMap = typeof manifest.exports === 'string' || !Object.keys(manifest.exports).some((k) => k.startsWith('.'))
      ? { '.': manifest.exports } : manifest.exports;
    target = pick(exportsMap[subpath]);
  } else if (subpath === '.') {
    target = manifest.module || manifest.main || 'index.js';
  } else {
    target = subpath.endsWith('.js') ? subpath : `${subpath}.js`;
  }
  if (!target) die(`cannot find ${name}${subpath === '.' ? '' : subpath.slice(1)} in ${config.modules}`);
  return pathToFileURL(path.join(dir, target)).href;
}
async function load(name, subpath) {
  try {
    return await import(moduleEntry(name, subpath));
  } catch (error) {
    die(`cannot load ${name} from ${config.modules}: ${error.message} (run scripts/install-deps.sh)`);
  }
}
const fc = await load('fast-check');
const jsf = await load('json-schema-faker');
const Ajv2020 = (await load('ajv', './dist/2020')).default;
const addFormats = (await load('ajv-formats')).default;
const versions = Object.fromEntries(['fast-check', 'json-schema-faker', 'ajv', 'ajv-formats'].map((n) => [n, packageVersion(n)]));

// ---- HTTP --------------------------------------------------------------------
// One keep-alive connection, as a client library would use (requests one at a time).
let agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let previousRequest = null; // the request sent before the current one on the connection
function newConnection() {
  agent.destroy();
  agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  previousRequest = null;
}
let requestCount = 0;
let writeCount = 0;
const statusCounts = new Map(); // status (or error) -> answers

// Each request carries an X-Request-Id of its own, which the gateway returns
// (docs/api-http.md): an answer naming another request's id is a response
// given to the wrong request on the connection.
function send(request) {
  const { method, target, headers, body } = request;
  requestCount += 1;
  if (method !== 'GET') writeCount += 1;
  const requestId = `api-properties-${process.pid}-${requestCount}`;
  const before = previousRequest;
  previousRequest = { ...request, requestId };
  return new Promise((resolve) => {
    const outgoing = http.request({
      host: gatewayUrl.hostname.replace(/^\[|\]$/g, ''),
      port: gatewayUrl.port || 80,
      method,
      path: target,
      headers: { ...headers, 'X-Request-Id': requestId, ...(body !== undefined ? { 'Content-Length': Buffer.byteLength(body) } : {}) },
      agent,
      timeout: config.requestTimeoutMs,
    }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({
        requestId,
        previousRequest: before,
        status: response.statusCode,
        statusText: response.statusMessage,
        headers: response.headers,
        body: Buffer.concat(chunks),
      }));
      response.on('error', (error) => resolve({ error: error.code || error.message }));
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${config.requestTimeoutMs / 1000} s`)));
    outgoing.on('error', (error) => resolve({ error: error.code || error.message }));
    if (body !== undefined) outgoing.write(body);
    outgoing.end();
  }).then((answer) => {
    const key = answer.error ? 'no answer' : String(answer.status);
    statusCounts.set(key, (statusCounts.get(key) || 0) + 1);
    if (config.verbose) console.log(`    ${method} ${target.length > 160 ? `${target.slice(0, 160)}…` : target} -> ${key} ${answer.headers?.['x-request-id'] === requestId ? '' : `(X-Request-Id ${answer.headers?.['x-request-id']} for ${requestId})`}`);
    return answer;
  });
}

async function gatewayAlive() {
  const answer = await send({ method: 'GET', target: '/healthz', headers: {} });
  return !answer.error;
}

// ---- the document ------------------------------------------------------------
const documentAnswer = await send({ method: 'GET', target: '/openapi.json', headers: { Accept: 'application/json' } });
if (documentAnswer.error || documentAnswer.status !== 200) {
  die(`GET ${config.gateway}/openapi.json failed: ${documentAnswer.error || documentAnswer.status}`);
}
const documentSpec = JSON.parse(documentAnswer.body.toString('utf8'));
if (!/^3\.1\./.test(documentSpec.openapi || '')) die(`expected an OpenAPI 3.1 document, got ${documentSpec.openapi}`);
const componentSchemas = documentSpec.components?.schemas || {};

const clone = (value) => JSON.parse(JSON.stringify(value));

// Visits every schema object below `schema` (properties, items, ...), parents first.
function walkSchema(schema, visit) {
  if (!schema || typeof schema !== 'object') return;
  visit(schema);
  for (const key of ['properties', 'patternProperties', '$defs']) {
    if (schema[key]) for (const sub of Object.values(schema[key])) walkSchema(sub, visit);
  }
  for (const key of ['items', 'additionalProperties', 'not', 'contains', 'propertyNames']) {
    if (schema[key] && typeof schema[key] === 'object') walkSchema(schema[key], visit);
  }
  for (const key of ['allOf', 'anyOf', 'oneOf', 'prefixItems']) {
    if (Array.isArray(schema[key])) for (const sub of schema[key]) walkSchema(sub, visit);
  }
}

// Requests: a readOnly field is the server's (OpenAPI: SHOULD NOT be sent), so
// the generator leaves it out. Two things the document says that the generator
// does not read: int32 bounds an integer, and contentEncoding base64 makes a
// string base64 (json-schema-faker ignores contentEncoding; the format below is ours).
function requestSchema(schema) {
  const copy = clone(schema);
  walkSchema(copy, (node) => {
    if (node.properties) {
      for (const [name, sub] of Object.entries(node.properties)) {
        if (sub && sub.readOnly === true) {
          delete node.properties[name];
          if (Array.isArray(node.required)) node.required = node.required.filter((r) => r !== name);
        }
      }
    }
    if (node.type === 'integer' && node.format === 'int32') {
      if (node.minimum === undefined) node.minimum = -(2 ** 31);
      if (node.maximum === undefined) node.maximum = 2 ** 31 - 1;
    }
    if (node.type === 'string' && node.contentEncoding === 'base64' && !node.format) node.format = 'x-base64';
  });
  return copy;
}
// Responses: a writeOnly field (OpenAPI: SHOULD NOT be sent in a response) is
// checked to be absent.
function responseSchema(schema) {
  const copy = clone(schema);
  walkSchema(copy, (node) => {
    if (config.strictFields && node.properties && node.additionalProperties === undefined) node.additionalProperties = false;
    if (node.properties) {
      for (const [name, sub] of Object.entries(node.properties)) {
        if (sub && sub.writeOnly === true) node.properties[name] = false;
      }
    }
  });
  return copy;
}
// '#/components/schemas/X' -> '<prefix>X' (Ajv: each component is a schema of its own).
function rewriteRefs(schema, prefix) {
  const copy = clone(schema);
  const visit = (node) => {
    if (Array.isArray(node)) { node.forEach(visit); return; }
    if (!node || typeof node !== 'object') return;
    if (typeof node.$ref === 'string' && node.$ref.startsWith('#/components/schemas/')) {
      node.$ref = prefix + decodeURIComponent(node.$ref.slice('#/components/schemas/'.length)).replace(/~1/g, '/').replace(/~0/g, '~');
    }
    for (const value of Object.values(node)) visit(value);
  };
  visit(copy);
  return copy;
}

const REQUEST_PREFIX = 'urn:grassroots:request:';
const RESPONSE_PREFIX = 'urn:grassroots:response:';
const requestComponents = Object.fromEntries(Object.entries(componentSchemas).map(([n, s]) => [n, requestSchema(s)]));
const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function newAjv(components, prefix) {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true, logger: false });
  addFormats(ajv);
  ajv.addFormat('x-base64', base64Pattern);
  for (const [name, schema] of Object.entries(components)) {
    ajv.addSchema({ ...rewriteRefs(schema, prefix), $id: prefix + name });
  }
  return ajv;
}
const requestAjv = newAjv(requestComponents, REQUEST_PREFIX);
const responseAjv = newAjv(
  Object.fromEntries(Object.entries(componentSchemas).map(([n, s]) => [n, responseSchema(s)])), RESPONSE_PREFIX);

// ---- generation --------------------------------------------------------------
// A small deterministic PRNG (mulberry32) for the hints below, seeded from the
// fast-check run, so an example is a function of its seed.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Hints: the document types resource names and dates as plain strings (their
// form is in the descriptions), so purely random strings would be refused at
// the first field and never reach a real row. For reads and creations, a share
// of such fields gets a plausible value: a small id of the demo, a date, a
// year. Never for the operations that change existing rows (see `guarded`).
const ORGANIZATION_FIELDS = new Set(['organization', 'organizations', 'parent', 'subtreeRoot', 'coveringCell', 'cell',
  'hostCell', 'residenceCell', 'destinationCell', 'newParent', 'target', 'sources', 'receivingCommittee',
  'resolvingOrganization', 'communeOrganization', 'caseOrganization', 'memberSuccessor', 'successor', 'transferredFrom']);
const MEMBER_FIELDS = new Set(['member', 'leadMember', 'attendees', 'introducedBy', 'members']);
const PLAN_FIELDS = new Set(['plan']);
const DATE_FIELD = /(?:Date|On|Since|From|To|Until)$|^(?:date|from|to)$/;
function smallId(rnd) {
  return 1 + Math.floor(rnd() * rnd() * 50); // biased towards the first rows
}
function hintString(field, rnd) {
  if (rnd() < 0.35) return undefined;
  if (ORGANIZATION_FIELDS.has(field)) return `organizations/${smallId(rnd)}`;
  if (MEMBER_FIELDS.has(field)) return `members/${smallId(rnd)}`;
  if (PLAN_FIELDS.has(field)) return `plans/${smallId(rnd)}`;
  if (DATE_FIELD.test(field)) {
    const day = new Date(Date.UTC(2015, 0, 1) + Math.floor(rnd() * 12 * 365) * 86400000);
    return day.toISOString().slice(0, 10);
  }
  return undefined;
}
function hintInteger(field, rnd) {
  if (rnd() < 0.35) return undefined;
  if (/^(?:year|fromYear|toYear|feedbackYear)$/.test(field)) return 2018 + Math.floor(rnd() * 9);
  if (field === 'quarter') return 1 + Math.floor(rnd() * 4);
  if (field === 'pageSize') return 1 + Math.floor(rnd() * 50);
  if (/^(?:maxDepth|dueWithinDays|minAge|maxAge)$/.test(field)) return Math.floor(rnd() * 60);
  return undefined;
}
function applyHints(value, rnd, field = '') {
  const leaf = field.includes('.') ? field.slice(field.lastIndexOf('.') + 1) : field;
  if (Array.isArray(value)) return value.map((item) => applyHints(item, rnd, field));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, applyHints(v, rnd, k)]));
  }
  if (typeof value === 'string') return hintString(leaf, rnd) ?? value;
  if (Number.isInteger(value)) return hintInteger(leaf, rnd) ?? value;
  return value;
}

// The document's only base64 strings are file contents: the member import's
// chunks (a CSV file, docs/member-import.md) and the exports' (never sent).
// So: the base64 of a small CSV with the import's columns and rows of more or
// less plausible values, and now and then of random bytes.
const IMPORT_COLUMNS = ['external_id', 'full_name', 'sex', 'birth_date', 'occupation_category', 'cell', 'status',
  'admission_decision_date', 'admission_ceremony_date', 'joined_cell_on', 'official_date', 'citizen_id', 'phone'];
// Edge values: json-schema-faker draws strings of letters and digits and
// integers from the whole range; Hypothesis (under Schemathesis) also tries the
// boundaries and odd text. A leaf now and then becomes one of these (kept only
// while the instance still validates). Names of rows that do not exist only
// where hints are on (never in a guarded operation: no digits there).
const EDGE_STRINGS = ['', ' ', '\u0000', 'null', '😀', 'Nguyễn Thị Ánh', '\u202egnp.exe', "'; --", '"\\', '%', '../', '\r\n',
  'x'.repeat(256), 'ầ'.repeat(300), 'y'.repeat(20000),
  // dates and times at the ends of their ranges (a date field is a plain string in the document)
  '0001-01-01', '9999-12-31', '1900-01-01', '2024-02-29', '2023-02-29', '2025-13-01', '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999999999Z', '1969-12-31T23:59:59Z', '2016-12-31T23:59:60Z', '2025-01-01T00:00:00+14:00'];
const EDGE_NAMES = ['organizations/0', 'organizations/-1', 'organizations/99999999999999999999', 'organizations/1/',
  'organizations/ 1', 'organizations/1x', 'organizations/', 'members/0', 'members/9223372036854775807', 'plans/0'];
const EDGE_INTEGERS = [0, -1, 1, 2147483647, -2147483648];
const EDGE_NUMBERS = [0, -1, 0.1, 1e308, -1e308, 5e-324];
function leafPaths(value, at = []) {
  if (Array.isArray(value)) return value.flatMap((item, i) => leafPaths(item, [...at, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...at, k]));
  return [at];
}
function withLeaf(value, at, leaf) {
  if (at.length === 0) return leaf;
  const [head, ...rest] = at;
  const copy = Array.isArray(value) ? [...value] : { ...value };
  copy[head] = withLeaf(value[head], rest, leaf);
  return copy;
}
function leafAt(value, at) {
  return at.reduce((node, key) => node[key], value);
}
function applyEdges(value, rnd, validate, names) {
  let current = value;
  for (const at of leafPaths(value)) {
    if (rnd() >= 0.08) continue;
    const leaf = leafAt(current, at);
    let pool;
    if (typeof leaf === 'string') pool = names ? [...EDGE_STRINGS, ...EDGE_NAMES] : EDGE_STRINGS;
    else if (Number.isInteger(leaf)) pool = EDGE_INTEGERS;
    else if (typeof leaf === 'number') pool = EDGE_NUMBERS;
    else continue;
    const candidate = withLeaf(current, at, pool[Math.floor(rnd() * pool.length)]);
    if (validate(candidate)) current = candidate;
  }
  return current;
}

jsf.registerFormat('x-base64', (random) => {
  const pick = (items) => items[random.int(0, items.length - 1)];
  const date = () => `${random.int(1, 28)}/${random.int(1, 12)}/${random.int(1950, 2026)}`;
  const columns = IMPORT_COLUMNS.filter((_, i) => i < 10 || random.int(0, 1) === 1);
  const cell = {
    external_id: () => `E${random.int(1, 99999)}`,
    full_name: () => pick(['Nguyễn Văn An', 'Trần Thị Bình', 'Lê "Hoàng", Cường', '']),
    sex: () => pick(['Nam', 'Nữ', 'female', 'x']),
    occupation_category: () => pick(['công nhân', 'nông dân', 'nghỉ hưu', 'student', 'khác', '?']),
    cell: () => pick([`organizations/${random.int(1, 50)}`, 'DEMO-LV.BN.X01.C03', 'nowhere']),
    status: () => pick(['dự bị', 'chính thức', 'official', 'none']),
    citizen_id: () => String(random.int(10 ** 11, 10 ** 12 - 1)),
    phone: () => `09${random.int(10000000, 99999999)}`,
  };
  const rows = [columns.join(',')];
  for (let i = random.int(0, 3); i > 0; i -= 1) {
    rows.push(columns.map((c) => {
      const value = (cell[c] || date)();
      return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
    }).join(','));
  }
  const bytes = random.int(0, 5) === 0
    ? crypto.createHash('sha256').update(String(random.int(0, 1e9))).digest()
    : Buffer.from(rows.join('\r\n') + '\r\n');
  return bytes.toString('base64');
});

const jsfOptions = {
  optionalsProbability: 0.5,
  maxItems: 3,
  maxDefaultItems: 3,
  refDepthMax: 3,
  maxDepth: 6,
  failOnInvalidTypes: false,
  minDateTime: '2015-01-01',
  maxDateTime: '2027-12-31',
};

// Candidate simplifications of a JSON value (parents first: drop a field, an
// item; then the smallest values of each leaf), for shrinking.
function* simplerValues(value) {
  if (Array.isArray(value)) {
    for (let i = value.length - 1; i >= 0; i -= 1) yield [...value.slice(0, i), ...value.slice(i + 1)];
    for (let i = 0; i < value.length; i += 1) {
      for (const item of simplerValues(value[i])) yield [...value.slice(0, i), item, ...value.slice(i + 1)];
    }
  } else if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    for (const key of keys) {
      const { [key]: _dropped, ...rest } = value;
      yield rest;
    }
    for (const key of keys) {
      for (const inner of simplerValues(value[key])) yield { ...value, [key]: inner };
    }
  } else if (typeof value === 'string') {
    if (value.length > 0) yield '';
    if (value.length > 1) yield value.slice(0, Math.ceil(value.length / 2));
    if (/\/\d+$/.test(value) && !/\/1$/.test(value)) yield value.replace(/\d+$/, '1');
  } else if (typeof value === 'number') {
    if (value !== 0) yield 0;
    if (Math.abs(value) > 1) yield Math.trunc(value / 2);
  } else if (value === true) {
    yield false;
  }
}

// An arbitrary of instances of one JSON schema: json-schema-faker makes the
// instance from a seed fast-check draws; shrinking walks simpler values that
// still validate against the schema (Ajv), so a shrunk request is still one
// the document allows.
class SchemaArbitrary extends fc.Arbitrary {
  constructor(documentSchema, { hints, label }) {
    super();
    const schema = requestSchema(documentSchema);
    this.root = { ...clone(schema), components: { schemas: requestComponents } };
    this.validate = requestAjv.compile(rewriteRefs(schema, REQUEST_PREFIX));
    this.hints = hints;
    this.label = label;
  }

  make(seed) {
    let value;
    try {
      value = jsf.generateSync(this.root, { ...jsfOptions, seed });
    } catch (error) {
      throw new Error(`json-schema-faker failed on ${this.label}: ${error.message}`);
    }
    if (this.hints) {
      const hinted = applyHints(value, prng(seed ^ 0x5bd1e995));
      if (this.validate(hinted)) value = hinted;
    }
    return applyEdges(value, prng(seed ^ 0x27d4eb2f), this.validate, this.hints);
  }

  generate(mrng) {
    return new fc.Value(this.make(mrng.nextInt(1, 2 ** 31 - 2)), undefined);
  }

  canShrinkWithoutContext() {
    return false;
  }

  shrink(value) {
    const validate = this.validate;
    function* candidates() {
      for (const candidate of simplerValues(value)) {
        if (validate(candidate)) yield new fc.Value(candidate, undefined);
      }
    }
    return fc.stream(candidates());
  }
}

// ---- operations --------------------------------------------------------------
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
// POST custom methods that only read (or, for the import, are forced to a dry run).
const READ_LIKE = new Set(['MemberService_LookupMember', 'ExportService_ExportScorecard', 'MemberImportService_ImportMembers']);
// Creations that change rows of the demo all the same (their descriptions say
// so): effects on members and organizations, a frozen period, "supersedes",
// "replaces", "the holder leaves", one per organization and year. Guarded too.
const GUARDED_CREATIONS = new Set(['DisciplineService_DecideDiscipline', 'ScorecardService_ClosePeriod',
  'OrganizationService_AdoptWorkingRegulation', 'YearlyRecordService_RegisterResidence', 'YearlyRecordService_RateMember',
  'YearlyRecordService_RecordCommitment', 'YearlyRecordService_RecordResidenceFeedback', 'RecognitionService_RateOrganization',
  'ResidentialUnitService_AssignUnitHead', 'MemberService_IssuePartyCard', 'PlanService_SubmitUnitReport', 'ProgramService_CreateProgram']);

const operations = [];
for (const [template, item] of Object.entries(documentSpec.paths || {})) {
  for (const method of METHODS) {
    const op = item[method];
    if (!op) continue;
    const parameters = [...(item.parameters || []), ...(op.parameters || [])]
      .map((p) => (p.$ref ? documentSpec.components.parameters[p.$ref.split('/').pop()] : p));
    const security = op.security ?? documentSpec.security ?? [];
    const operation = {
      id: op.operationId || `${method.toUpperCase()} ${template}`,
      method: method.toUpperCase(),
      template,
      responses: op.responses || {},
      pathParameters: parameters.filter((p) => p.in === 'path').map((p) => p.name),
      query: parameters.filter((p) => p.in === 'query'),
      headerParameters: parameters.filter((p) => p.in === 'header'),
      body: null,
      needsAuth: security.length > 0 && !security.some((requirement) => Object.keys(requirement).length === 0),
    };
    // Custom methods (":verb") and PATCH change rows that exist; a POST to a collection creates one.
    operation.guarded = operation.method !== 'GET' && !READ_LIKE.has(operation.id)
      && (operation.method !== 'POST' || template.includes(':') || GUARDED_CREATIONS.has(operation.id));
    const content = op.requestBody?.content || {};
    const mediaType = Object.keys(content).find((m) => m === 'application/json')
      || Object.keys(content).find((m) => m === 'application/x-ndjson');
    if (mediaType) {
      let schema = content[mediaType].schema || {};
      if (mediaType === 'application/x-ndjson') {
        // One message per line: 1 to 3 lines. The import always a dry run (dryRun on every chunk).
        const line = operation.id === 'MemberImportService_ImportMembers'
          ? { allOf: [schema], properties: { dryRun: { const: true } }, required: ['dryRun'] } : schema;
        schema = { type: 'array', items: line, minItems: 1, maxItems: 3 };
      }
      operation.body = { mediaType, schema };
    }
    operations.push(operation);
  }
}
const selected = operations.filter((op) => !config.operations || config.operations.test(op.id));
if (selected.length === 0) die(`no operation matches API_PROPERTIES_OPERATIONS=${env.API_PROPERTIES_OPERATIONS}`);

function objectSchema(parameters) {
  return {
    type: 'object',
    properties: Object.fromEntries(parameters.map((p) => [p.name, p.schema || { type: 'string' }])),
    required: parameters.filter((p) => p.required).map((p) => p.name),
  };
}

const printable = fc.string({ minLength: 1, maxLength: 16 });
const unicode = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 });
const oddIds = fc.constantFrom('0', '-1', '00001', '+1', ' 1', '1 ', '1.5', '1e3', '0x1', '2147483648',
  '9223372036854775807', '9223372036854775808', '99999999999999999999', '.', '..', '%', '%00', 'x'.repeat(300));
const noDigit = (s) => !/\d/.test(s);
function pathValueArbitrary(guarded) {
  if (guarded) {
    // Rows that do not exist, or strings without a digit (that no lax parser
    // reads as an id): nothing of the demo changes.
    return fc.oneof(
      { withCrossShrink: true },
      { weight: 3, arbitrary: fc.integer({ min: 900000000, max: 999999999 }).map(String) },
      { weight: 1, arbitrary: printable.filter(noDigit) },
      { weight: 1, arbitrary: unicode.filter(noDigit) },
    );
  }
  return fc.oneof(
    { withCrossShrink: true }, // towards small ids
    { weight: 8, arbitrary: fc.integer({ min: 1, max: 50 }).map(String) },
    { weight: 1, arbitrary: printable },
    { weight: 1, arbitrary: unicode },
    { weight: 1, arbitrary: oddIds },
  );
}
const garbageToken = fc.oneof(
  fc.constant('garbage'),
  fc.string({ minLength: 1, maxLength: 40 }).map((s) => s.trim() || 'x'),
  // Well-formed but unsigned (alg "none") and badly signed JWTs claiming the admin role.
  fc.record({ alg: fc.constantFrom('none', 'HS256', 'RS256'), sub: fc.constantFrom('admin', 'users/1'), signature: fc.constantFrom('', 'c2ln') })
    .map(({ alg, sub, signature }) => {
      const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
      return `${b64({ alg, typ: 'JWT' })}.${b64({ sub, roles: ['admin'], scope: 'organizations/1', exp: 4102444800 })}.${signature}`;
    }),
);
const authArbitrary = fc.oneof(
  { withCrossShrink: true }, // a failure shrinks towards the admin token
  { weight: inspectorToken ? 6 : 8, arbitrary: fc.constant({ mode: 'admin' }) },
  ...(inspectorToken ? [{ weight: 2, arbitrary: fc.constant({ mode: 'inspector' }) }] : []),
  { weight: 1, arbitrary: fc.constant({ mode: 'none' }) },
  { weight: 1, arbitrary: garbageToken.map((token) => ({ mode: 'garbage', token })) },
);

function exampleArbitrary(op) {
  const hints = !op.guarded;
  const parts = {
    auth: authArbitrary,
    path: fc.record(Object.fromEntries(op.pathParameters.map((name) => [name, pathValueArbitrary(op.guarded)]))),
  };
  if (op.query.length) parts.query = new SchemaArbitrary(objectSchema(op.query), { hints, label: `${op.id} query` });
  const headers = op.headerParameters.filter((p) => !/^(authorization|content-type|accept)$/i.test(p.name));
  if (headers.length) parts.headers = new SchemaArbitrary(objectSchema(headers), { hints: false, label: `${op.id} headers` });
  if (op.body) parts.body = new SchemaArbitrary(op.body.schema, { hints, label: `${op.id} body` });
  if (op.method === 'GET') parts.revalidate = fc.boolean();
  return fc.record(parts);
}

// ---- requests ----------------------------------------------------------------
function headerValue(value) {
  return String(value).replace(/[^\x20-\x7e]/g, '');
}
function buildRequest(op, example, extraHeaders = {}) {
  const pathPart = op.template.replace(/\{([^}]+)\}/g, (_, name) => encodeURIComponent(example.path[name]));
  const query = [];
  for (const [name, value] of Object.entries(example.query || {})) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item === undefined || item === null) continue;
      const text = typeof item === 'object' ? JSON.stringify(item) : String(item);
      query.push(`${encodeURIComponent(name)}=${encodeURIComponent(text)}`);
    }
  }
  const headers = { Accept: 'application/json, application/x-ndjson' };
  for (const [name, value] of Object.entries(example.headers || {})) {
    if (value !== undefined && value !== null) headers[name] = headerValue(value);
  }
  if (example.auth.mode === 'admin') headers.Authorization = `Bearer ${adminToken}`;
  if (example.auth.mode === 'inspector') headers.Authorization = `Bearer ${inspectorToken}`;
  if (example.auth.mode === 'garbage') headers.Authorization = `Bearer ${headerValue(example.auth.token)}`;
  Object.assign(headers, extraHeaders);
  let body;
  if (op.body) {
    headers['Content-Type'] = op.body.mediaType;
    body = op.body.mediaType === 'application/x-ndjson'
      ? example.body.map((line) => JSON.stringify(line)).join('\n') + '\n'
      : JSON.stringify(example.body);
  }
  return { method: op.method, target: pathPart + (query.length ? `?${query.join('&')}` : ''), headers, body, auth: example.auth };
}

// A long run of one unit (a shrunk 10 000-character value) is written as a
// command that repeats it, so the curl line stays readable.
function shellQuote(text) {
  const quote = (t) => `'${t.replace(/'/g, `'\\''`)}'`;
  const parts = [];
  let rest = String(text);
  const run = /([^\n']{1,12}?)\1{31,}/;
  for (let m = run.exec(rest); m; m = run.exec(rest)) {
    if (m.index > 0) parts.push(quote(rest.slice(0, m.index)));
    parts.push(`"$(yes ${quote(m[1])} | head -n ${m[0].length / m[1].length} | tr -d '\\n')"`);
    rest = rest.slice(m.index + m[0].length);
  }
  if (rest.length > 0 || parts.length === 0) parts.push(quote(rest));
  return parts.join('');
}
function curlLine(request) {
  const parts = ['curl', '-sS', '-i'];
  if (request.method !== 'GET') parts.push('-X', request.method);
  parts.push(shellQuote(`${config.gateway}${request.target}`));
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === 'Accept') continue;
    if (name === 'Authorization' && request.auth?.mode === 'admin') parts.push('-H', '"Authorization: Bearer $TOKEN"');
    else if (name === 'Authorization' && request.auth?.mode === 'inspector') parts.push('-H', '"Authorization: Bearer $INSPECTOR_TOKEN"');
    else parts.push('-H', shellQuote(`${name}: ${value}`));
  }
  if (request.body !== undefined) {
    if (request.headers['Content-Type'] === 'application/x-ndjson') {
      const lines = request.body.trimEnd().split('\n').map(shellQuote).join(' ');
      return `printf '%s\\n' ${lines} | ${parts.join(' ')} --data-binary @-`;
    }
    parts.push('--data-binary', shellQuote(request.body));
  }
  return parts.join(' ');
}

// ---- checks ------------------------------------------------------------------
const validators = new Map();
function validatorFor(op, statusKey, mediaType, schema) {
  const key = `${op.id} ${statusKey} ${mediaType}`;
  if (!validators.has(key)) validators.set(key, responseAjv.compile(rewriteRefs(responseSchema(schema || {}), RESPONSE_PREFIX)));
  return validators.get(key);
}
function excerpt(buffer, length = 300) {
  const text = buffer.toString('utf8').replace(/\s+/g, ' ').trim();
  return text.length > length ? `${text.slice(0, length)}…` : text;
}
function documentedKey(op, status) {
  const s = String(status);
  if (op.responses[s]) return s;
  if (op.responses[`${s[0]}XX`]) return `${s[0]}XX`;
  if (op.responses.default) return 'default';
  return null;
}
function mediaMatches(documented, actual) {
  const [type, subtype] = documented.toLowerCase().split('/');
  const [actualType, actualSubtype] = actual.split('/');
  return (type === '*' || type === actualType) && (subtype === '*' || subtype === actualSubtype);
}
const shape = (instancePath) => instancePath.replace(/\/\d+(?=\/|$)/g, '/*');
function schemaFailures(errors, where) {
  const shown = errors.slice(0, 4).map((e) => `${where}${e.instancePath || '/'} ${e.message}${e.params && e.params.allowedValues ? ` ${JSON.stringify(e.params.allowedValues)}` : ''} (schema ${e.schemaPath})`);
  return { message: shown.join('; ') + (errors.length > 4 ? `; and ${errors.length - 4} more` : ''), sig: `${shape(errors[0].instancePath)} ${errors[0].keyword}` };
}

function check(op, request, response) {
  const failures = [];
  const fail = (name, sig, message) => failures.push({ check: name, sig: `${name}:${sig}`, message });
  if (response.error) {
    fail('request_error', response.error, `no HTTP answer: ${response.error}`);
    return failures;
  }
  const { status } = response;
  const echoed = response.headers['x-request-id'];
  if (echoed !== undefined && echoed !== response.requestId) {
    const previous = response.previousRequest;
    fail('response_for_another_request', 'x-request-id', `the answer carries X-Request-Id ${echoed}, not ${response.requestId} sent with this request: `
      + 'the server answered an earlier request twice and the connection is out of step'
      + (previous ? ` (the request before on this connection, ${previous.requestId}, is the likely cause: ${curlLine(previous)})` : ''));
    return failures; // the rest would judge another request's answer
  }
  if (status >= 500) fail('not_a_server_error', status, `${status} ${response.statusText}: ${excerpt(response.body)}`);
  if (op.needsAuth && (request.auth.mode === 'none' || request.auth.mode === 'garbage') && status >= 200 && status < 300) {
    fail('ignored_auth', status, `${status} to a request ${request.auth.mode === 'none' ? 'without a token' : 'with a garbage token'}; the document requires bearerAuth`);
  }
  const key = documentedKey(op, status);
  if (!key) {
    fail('status_code_conformance', status, `${status} is not documented (documented: ${Object.keys(op.responses).join(', ')})`);
    return failures;
  }
  const documented = op.responses[key];
  const media = Object.keys(documented.content || {});
  const contentType = response.headers['content-type'];
  if (media.length === 0) {
    if (response.body.length > 0) fail('content_type_conformance', `${status} body`, `${status} is documented without content but has a ${response.body.length}-byte body`);
    return failures;
  }
  if (!contentType) {
    fail('content_type_conformance', `${status} missing`, `${status} has no Content-Type (documented: ${media.join(', ')})`);
    return failures;
  }
  const actual = contentType.split(';')[0].trim().toLowerCase();
  const mediaType = media.find((m) => mediaMatches(m, actual));
  if (!mediaType) {
    fail('content_type_conformance', `${status} ${actual}`, `${status} is ${contentType}; documented: ${media.join(', ')}`);
    return failures;
  }
  const validate = validatorFor(op, key, mediaType, documented.content[mediaType].schema);
  const text = response.body.toString('utf8');
  if (mediaType === 'application/x-ndjson') {
    const lines = text.split('\n').filter((l) => l.trim() !== '');
    for (let i = 0; i < lines.length; i += 1) {
      let line;
      try {
        line = JSON.parse(lines[i]);
      } catch (error) {
        fail('response_schema_conformance', `${status} ndjson`, `${status}: line ${i + 1} is not JSON: ${excerpt(Buffer.from(lines[i]), 120)}`);
        break;
      }
      if (!validate(line)) {
        const { message, sig } = schemaFailures(validate.errors, `line ${i + 1}`);
        fail('response_schema_conformance', `${status} ${sig}`, `${status}: ${message}`);
        break;
      }
      if (line.error && i !== lines.length - 1) {
        fail('response_schema_conformance', `${status} error-not-last`, `${status}: an {"error"} line (${i + 1}) is not the last of ${lines.length}`);
        break;
      }
    }
  } else if (/json/.test(mediaType)) {
    let body;
    try {
      body = JSON.parse(text);
    } catch (error) {
      fail('response_schema_conformance', `${status} json`, `${status}: the body is not JSON: ${excerpt(response.body, 120)}`);
      return failures;
    }
    if (!validate(body)) {
      const { message, sig } = schemaFailures(validate.errors, '');
      fail('response_schema_conformance', `${status} ${sig}`, `${status}: ${message}`);
    }
  }
  return failures;
}

const CHECKS = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_schema_conformance',
  'ignored_auth', 'etag_revalidation', 'response_for_another_request'];
for (const name of config.checks || []) {
  if (!CHECKS.includes(name)) die(`API_PROPERTIES_CHECKS: no check ${name} (there are ${CHECKS.join(', ')})`);
}
const counted = (f) => !config.checks || config.checks.has(f.check) || f.check === 'request_error';

// One example: the request, its checks, and for a GET with an ETag (when the
// example asks) the same request again with If-None-Match.
// Every answer the gateway's handlers write names the request (X-Request-Id);
// one without it comes from the HTTP server's own parser (a malformed or
// oversized request) or was left over on the connection from the request
// before. The request is sent again on a fresh connection to tell which: a
// different answer there means the first was another request's.
async function sendAndConfirm(request, failures) {
  const response = await send(request);
  if (response.error || response.headers['x-request-id'] !== undefined) return response;
  const previous = response.previousRequest;
  newConnection();
  const fresh = await send(request);
  if (!fresh.error && (fresh.status !== response.status || fresh.headers['x-request-id'] !== undefined)) {
    failures.push({
      check: 'response_for_another_request', sig: 'response_for_another_request:left-over', request, response,
      message: `answered ${response.status} without X-Request-Id, and ${fresh.status} on a fresh connection: the first answer `
        + 'was left over on the connection (the server answered the request before it twice)'
        + (previous ? `; that request: ${curlLine(previous)}` : ''),
    });
  }
  return fresh;
}

async function execute(op, example) {
  const failures = [];
  const request = buildRequest(op, example);
  const response = await sendAndConfirm(request, failures);
  failures.push(...check(op, request, response).map((f) => ({ ...f, request, response })));
  if (example.revalidate && !response.error && response.status === 200 && response.headers.etag) {
    const again = buildRequest(op, example, { 'If-None-Match': response.headers.etag });
    const second = await sendAndConfirm(again, failures);
    for (const f of check(op, again, second)) failures.push({ ...f, request: again, response: second });
    if (!second.error && second.status === 200 && second.headers.etag === response.headers.etag) {
      failures.push({
        check: 'etag_revalidation', sig: 'etag_revalidation:200', request: again, response: second,
        message: `200 (not 304) to If-None-Match naming the ETag ${response.headers.etag} of the same, unchanged answer`,
      });
    }
  }
  return { failures: failures.filter(counted), lastResponse: response };
}

// ---- the run -----------------------------------------------------------------
function hashSeed(text) {
  return crypto.createHash('sha256').update(text).digest().readUInt32BE(0) & 0x7fffffff;
}

const report = [];            // failures found: one per (operation, signature)
const desyncs = new Map();    // operation -> its first answer meant for another request
const checksRun = new Map();  // check name -> failure count
const stats = { operationsRun: 0, operationsFailed: 0, skippedExamples: 0, stoppedAt: null, gatewayDown: false };

async function testOperation(op) {
  const known = new Set();
  let remaining = config.examples;
  let failed = false;
  for (let round = 0; round < config.maxRoundsPerOperation && remaining > 0; round += 1) {
    const state = { target: null, last: null, first: null, shrinkCalls: 0, others: new Map() };
    const property = fc.asyncProperty(exampleArbitrary(op), async (example) => {
      if (Date.now() > deadline || stats.gatewayDown) { stats.skippedExamples += 1; return true; }
      if (op.method !== 'GET' && writeCount >= config.maxWrites) { stats.skippedExamples += 1; return true; }
      if (state.target !== null && state.shrinkCalls++ >= config.shrinkBudget) return true;
      let { failures } = await execute(op, example);
      if (failures.some((f) => f.check === 'request_error') && !(await gatewayAlive())) stats.gatewayDown = true;
      // An answer meant for another request: reported as it is (shrinking this
      // request would not find the cause, the request before it), and the
      // connection is replaced so that the rest of the run is not out of step.
      const desync = failures.find((f) => f.check === 'response_for_another_request');
      if (desync) {
        newConnection();
        if (!desyncs.has(op.id)) desyncs.set(op.id, { op, ...desync, shrinks: 0, shrunk: false });
        failures = failures.filter((f) => f.check !== 'response_for_another_request' && f.response !== desync.response);
      }
      const novel = failures.filter((f) => !known.has(f.sig));
      if (state.target === null) {
        if (novel.length === 0) return true;
        state.target = novel[0].sig;
        state.first = novel;
        state.last = novel[0];
        return false;
      }
      const same = failures.find((f) => f.sig === state.target);
      for (const f of novel) if (f.sig !== state.target && !state.others.has(f.sig)) state.others.set(f.sig, f);
      if (same) { state.last = same; return false; }
      return true;
    });
    const result = await fc.check(property, { numRuns: remaining, seed: (hashSeed(op.id) ^ config.seed ^ round) | 0, verbose: 0 });
    if (result.failed && state.last) {
      failed = true;
      report.push({ op, ...state.last, shrinks: result.numShrinks, shrunk: true });
      known.add(state.target);
      const unshrunk = [...state.first.slice(1), ...state.others.values()];
      for (const f of unshrunk) {
        if (known.has(f.sig)) continue;
        known.add(f.sig);
        report.push({ op, ...f, shrinks: 0, shrunk: false });
      }
      remaining -= result.numRuns;
    } else if (result.failed) {
      // The property threw (generation, a bug here): say so, as a failure of the run.
      failed = true;
      report.push({ op, check: 'harness_error', sig: 'harness_error', message: String(result.errorInstance?.stack || result.error), request: null, response: null, shrinks: 0, shrunk: false });
      break;
    } else {
      break;
    }
  }
  return failed;
}

console.log(`api_properties: ${documentSpec.info?.title || 'API'} ${documentSpec.info?.version || ''} at ${config.gateway}: ${operations.length} operations, ${Object.keys(componentSchemas).length} schemas`);
console.log(`api_properties: seed ${config.seed} (API_PROPERTIES_SEED=${config.seed} reproduces), ${config.examples} examples per operation, time limit ${config.timeLimitMs / 1000} s, at most ${config.maxWrites} writes`);
console.log(`api_properties: tokens: admin (${config.tokenFile})${inspectorToken ? `, inspector (${inspectorTokenFile})` : ''}, none, garbage`);
console.log(`api_properties: ${Object.entries(versions).map(([n, v]) => `${n} ${v}`).join(', ')}, node ${process.versions.node}`);
if (config.checks) console.log(`api_properties: only the checks ${[...config.checks].join(', ')} (API_PROPERTIES_CHECKS)`);
if (config.operations) console.log(`api_properties: only operations matching /${config.operations.source}/: ${selected.length}`);

for (const op of selected) {
  if (Date.now() > deadline) { stats.stoppedAt = stats.stoppedAt || op.id; break; }
  if (stats.gatewayDown) break;
  const before = report.length;
  let failed = await testOperation(op);
  if (desyncs.has(op.id)) {
    report.push(desyncs.get(op.id));
    failed = true;
  }
  stats.operationsRun += 1;
  if (failed) stats.operationsFailed += 1;
  for (const f of report.slice(before)) checksRun.set(f.check, (checksRun.get(f.check) || 0) + 1);
  if (failed) process.stdout.write(`  FAIL ${op.id}: ${report.slice(before).map((f) => f.check).join(', ')}\n`);
}
const seconds = ((Date.now() - started) / 1000).toFixed(1);

// ---- the summary -------------------------------------------------------------
// The same failure (check and signature) in several operations is one finding:
// shown once, with the shortest request, and the operations it was seen in.
console.log('');
const groups = new Map();
for (const f of report) {
  const key = f.check === 'harness_error' ? `${f.check} ${f.op.id}` : f.sig;
  if (!groups.has(key)) groups.set(key, []);
  groups.get(key).push(f);
}
let index = 0;
for (const failures of groups.values()) {
  const withRequest = failures.filter((f) => f.request).map((f) => ({ f, line: curlLine(f.request) }));
  withRequest.sort((a, b) => a.line.length - b.line.length);
  const shown = withRequest[0]?.f || failures[0];
  index += 1;
  console.log(`[${index}] ${shown.check}: ${shown.op.id} (${shown.op.method} ${shown.op.template})`);
  console.log(`    ${shown.message}`);
  if (failures.length > 1) {
    const others = [...new Set(failures.filter((f) => f !== shown).map((f) => f.op.id))];
    console.log(`    also in ${others.length} other operation(s): ${others.join(', ')}`);
  }
  if (shown.request) {
    const label = shown.shrunk ? `minimal request (${shown.shrinks} shrinks)`
      : shown.check === 'response_for_another_request' ? 'the request that got it' : 'request (not shrunk: found while shrinking another failure)';
    console.log(`    ${label}:`);
    console.log(`    ${withRequest[0].line}`);
  }
  if (shown.response && !shown.response.error && shown.check !== 'not_a_server_error') {
    console.log(`    answer: ${shown.response.status} ${shown.response.headers['content-type'] || '(no Content-Type)'} ${excerpt(shown.response.body, 200)}`);
  }
}
if (report.length) console.log(`    (TOKEN=$(cat "$ADMIN_TOKEN_FILE")${inspectorToken ? `, INSPECTOR_TOKEN=$(cat ${inspectorTokenFile})` : ''})\n`);
console.log(`api_properties: ${report.length} failure(s) in ${stats.operationsFailed} operation(s), ${groups.size} distinct`);
console.log(`api_properties: ${stats.operationsRun} of ${selected.length} operations, ${requestCount} requests (${writeCount} writes), ${seconds} s, seed ${config.seed}`);
console.log(`api_properties: answers by status: ${[...statusCounts.entries()].sort().map(([k, v]) => `${k}: ${v}`).join(', ')}`);
if (stats.skippedExamples) console.log(`api_properties: ${stats.skippedExamples} examples skipped (time limit or write cap)`);
if (stats.operationsRun < selected.length) {
  console.log(`api_properties: stopped ${stats.gatewayDown ? 'because the gateway stopped answering' : `at the ${config.timeLimitMs / 1000} s time limit`}; ${selected.length - stats.operationsRun} operations not run`);
}
for (const name of [...new Set([...CHECKS.filter((c) => !config.checks || config.checks.has(c)), ...checksRun.keys()])]) {
  console.log(`  ${name}: ${checksRun.get(name) || 0} failure(s)`);
}
const incomplete = stats.gatewayDown;
console.log(`api_properties: ${stats.operationsRun - stats.operationsFailed} passed, ${stats.operationsFailed} failed`);
newConnection();
agent.destroy();
process.exit(report.length || incomplete ? 1 : 0);
