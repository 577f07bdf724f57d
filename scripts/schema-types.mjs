#!/usr/bin/env node
// Generates the TypeScript types of lab and course files from their JSON Schemas, so the model
// has one source: schemas/lab.schema.json and schemas/course.schema.json (also what the editor
// validates with) -> src/core/labs/schema.generated.ts (committed). src/core/model.ts derives the
// model's types from it, so a field in the schema that the model lacks (or the reverse) fails tsc.
//
//   npm run schema-types                 (node scripts/schema-types.mjs) writes the file
//   node scripts/schema-types.mjs --check   exits 1 when the committed file is not what the schemas give
//   options: --lab FILE --course FILE --out FILE (defaults: the files above)
//
// The generator is json-schema-to-typescript (json2ts), a devDependency pinned to one version,
// run as its own command line from node_modules. Before it runs, the schemas are put in the form it reads
// best, without changing what they accept (draft-07 semantics):
//   - siblings of "$ref" are dropped (draft-07 ignores them; they are the editor's descriptions,
//     and json2ts recurses forever on a recursive $ref that has them);
//   - a node with several types ("type": ["string", "object"]) becomes an anyOf of one node per
//     type, each with the keywords that apply to that type;
//   - the course schema joins the lab schema's definitions, so the types they share (the id)
//     are declared once.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GENERATOR = 'json-schema-to-typescript@15.0.4';
const BANNER = [
  '/**',
  ' * The shapes of lab and course files, generated from schemas/lab.schema.json and',
  ' * schemas/course.schema.json by `npm run schema-types` (scripts/schema-types.mjs, with',
  ` * ${GENERATOR}). Do not edit by hand: change the schema and regenerate.`,
  ' * src/core/model.ts derives the model from these types.',
  ' */',
].join('\n');

/** Keywords that constrain only values of one JSON type. */
const KEYWORDS_BY_TYPE = {
  string: ['minLength', 'maxLength', 'pattern', 'format'],
  number: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  integer: ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'],
  object: ['properties', 'required', 'additionalProperties', 'minProperties', 'maxProperties', 'patternProperties', 'propertyNames', 'dependencies'],
  array: ['items', 'additionalItems', 'minItems', 'maxItems', 'uniqueItems', 'contains'],
};
const TYPED_KEYWORDS = new Set(Object.values(KEYWORDS_BY_TYPE).flat());

/** The schema in the form json2ts reads best (see the header); accepts exactly the same documents. */
function forGenerator(node) {
  if (Array.isArray(node)) return node.map(forGenerator);
  if (node === null || typeof node !== 'object') return node;
  if (typeof node.$ref === 'string') return { $ref: node.$ref };
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    // properties/definitions map names to schemas: their keys are not keywords.
    out[key] = key === 'properties' || key === 'definitions' ? mapValues(value, forGenerator) : forGenerator(value);
  }
  if (Array.isArray(out.type) && out.type.length > 1) {
    const shared = {};
    for (const [key, value] of Object.entries(out)) if (key !== 'type' && !TYPED_KEYWORDS.has(key)) shared[key] = value;
    shared.anyOf = out.type.map((type) => {
      const branch = { type };
      for (const key of KEYWORDS_BY_TYPE[type] ?? []) if (key in out) branch[key] = out[key];
      return branch;
    });
    return shared;
  }
  return out;
}

function mapValues(object, fn) {
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, fn(value)]));
}

/** The lab schema with the course among its definitions, so the two share what they both define (the id). */
function combined(lab, course) {
  const definitions = { ...lab.definitions };
  for (const [name, schema] of Object.entries(course.definitions ?? {})) {
    if (name in definitions && !isDeepStrictEqual(definitions[name], schema)) {
      throw new Error(`the lab and course schemas both define "${name}", differently: give one of them another name`);
    }
    definitions[name] = schema;
  }
  if ('course' in definitions) throw new Error('the lab schema defines "course", the name the course schema is generated under');
  definitions.course = Object.fromEntries(Object.entries(course).filter(([key]) => key !== 'definitions' && key !== '$schema'));
  return { ...lab, definitions };
}

/** The command that runs json2ts: the pinned devDependency (npm ci installs it). */
function generatorCommand() {
  const cli = path.join(root, 'node_modules', 'json-schema-to-typescript', 'dist', 'src', 'cli.js');
  if (!existsSync(cli)) throw new Error(`${GENERATOR} is not installed (run npm ci): ${cli} is missing`);
  return { cmd: process.execPath, args: [cli] };
}

/** The generated TypeScript for a lab and a course schema (parsed JSON). */
function generate(lab, course) {
  const { cmd, args } = generatorCommand();
  const result = spawnSync(cmd, [...args, '--no-format', '--ignoreMinAndMaxItems', '--unreachableDefinitions', `--bannerComment=${BANNER}`], {
    input: JSON.stringify(forGenerator(combined(lab, course))),
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (result.error) throw new Error(`cannot run ${GENERATOR}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`${GENERATOR} failed (exit ${result.status ?? result.signal}): ${(result.stderr || result.stdout).trim().slice(0, 2000)}`);
  }
  return result.stdout.endsWith('\n') ? result.stdout : `${result.stdout}\n`;
}

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read ${path.relative(root, file)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

function main() {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      lab: { type: 'string', default: path.join(root, 'schemas', 'lab.schema.json') },
      course: { type: 'string', default: path.join(root, 'schemas', 'course.schema.json') },
      out: { type: 'string', default: path.join(root, 'src', 'core', 'labs', 'schema.generated.ts') },
    },
  });
  const text = generate(readJson(values.lab), readJson(values.course));
  const out = path.relative(root, values.out);
  if (values.check) {
    const committed = existsSync(values.out) ? readFileSync(values.out, 'utf8') : undefined;
    if (committed === text) {
      console.log(`${out} is what the schemas generate`);
      return 0;
    }
    console.error(`${out} is ${committed === undefined ? 'missing' : 'out of date'}: run npm run schema-types and commit the result`);
    return 1;
  }
  writeFileSync(values.out, text);
  console.log(`wrote ${out}`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main();
  } catch (error) {
    console.error(`schema-types: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  }
}
