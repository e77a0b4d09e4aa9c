// Validates rendered Kubernetes objects against the API schemas of several Kubernetes
// releases, one installed kubernetes-models package per release (scripts/install-deps.sh).
//
// stdin:  {"releases": [{"kubernetes": "1.25.2", "dir": "<npm prefix>",
//                        "documents": [{"source": "<render name>", "object": {...}}, ...]}, ...]}
// stdout: {"releases": [{"kubernetes", "models", "strict", "errors": [{"source", "object", "message"}]}]}
//
// Strict: the older packages register plain JSON schemas with @kubernetes-models/validate;
// Kubernetes' OpenAPI never closes its objects, so every object schema with properties is
// closed here (additionalProperties: false) before it is registered, and a misspelt or
// unknown field is an error, as the API server's strict field validation makes it. The
// newer packages ship precompiled validators that cannot be closed: they check types,
// formats, enums and required fields only. Whether closing took effect is not assumed:
// a probe object with an unknown field must be refused for a release to count as strict.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// Schema keywords whose value maps names to schemas (not a schema itself).
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "definitions"]);

function closeObjectSchemas(schema) {
  if (Array.isArray(schema)) {
    schema.forEach(closeObjectSchemas);
    return;
  }
  if (schema === null || typeof schema !== "object") return;
  if (schema.properties && schema.additionalProperties === undefined &&
      !schema["x-kubernetes-preserve-unknown-fields"]) {
    schema.additionalProperties = false;
  }
  for (const [keyword, value] of Object.entries(schema)) {
    if (SCHEMA_MAPS.has(keyword) && value && typeof value === "object") {
      Object.values(value).forEach(closeObjectSchemas);
    } else if (value && typeof value === "object") {
      closeObjectSchemas(value);
    }
  }
}

// Ajv's own text leaves out which property was unknown or missing: name it.
function describe(error) {
  if (!Array.isArray(error.errors)) return error.message;
  return error.errors.map((item) => {
    const where = (item.instancePath || "/").replace(/^\/?/, "/");
    const name = item.params?.additionalProperty ?? item.params?.missingProperty;
    return `${where}: ${item.message}${name !== undefined ? ` (${name})` : ""}`;
  }).join("; ");
}

async function loadRelease(release) {
  const packageDir = join(release.dir, "node_modules", "kubernetes-models");
  const packageJson = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
  const isModule = packageJson.type === "module";
  const requireFromPackage = createRequire(join(packageDir, "package.json"));
  if (!isModule) {
    // The registry every schema of this package goes through (one per prefix).
    const registry = requireFromPackage("@kubernetes-models/validate");
    const register = registry.register;
    registry.register = (id, schema) => {
      closeObjectSchemas(schema);
      return register(id, schema);
    };
  }
  const modelCache = new Map();
  async function model(apiVersion, kind) {
    const key = `${apiVersion}/${kind}`;
    if (!modelCache.has(key)) {
      // apps/v1 -> apps/v1/<Kind>.js; the core group's v1 -> v1/<Kind>.js
      const file = join(packageDir, ...apiVersion.split("/"), `${kind}.js`);
      let loaded = null;
      try {
        loaded = isModule ? await import(pathToFileURL(file).href) : requireFromPackage(file);
      } catch (error) {
        if (error.code !== "MODULE_NOT_FOUND" && error.code !== "ERR_MODULE_NOT_FOUND") throw error;
      }
      modelCache.set(key, loaded ? loaded[kind] : null);
    }
    return modelCache.get(key);
  }
  async function validate(object) {
    const Model = await model(object.apiVersion, object.kind);
    if (!Model) return `${object.apiVersion} ${object.kind} is not an API of Kubernetes ${release.kubernetes}`;
    try {
      new Model(object).validate();
      return null;
    } catch (error) {
      return describe(error);
    }
  }
  const probe = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "probe", unknownField: "x" }, data: {} };
  const strict = (await validate(probe)) !== null;
  return { models: packageJson.version, strict, validate };
}

const input = JSON.parse(readFileSync(0, "utf8"));
const output = { releases: [] };
for (const release of input.releases) {
  const loaded = await loadRelease(release);
  const errors = [];
  for (const { source, object } of release.documents) {
    const message = await loaded.validate(object);
    if (message !== null) {
      errors.push({ source, object: `${object.kind}/${object.metadata?.name}`, message });
    }
  }
  output.releases.push({ kubernetes: release.kubernetes, models: loaded.models, strict: loaded.strict, errors });
}
process.stdout.write(JSON.stringify(output));
