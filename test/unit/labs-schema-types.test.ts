/**
 * The model has one source: src/core/labs/schema.generated.ts must be exactly what
 * scripts/schema-types.mjs (json-schema-to-typescript) makes of schemas/*.schema.json.
 * Plain Node; the generator is the pinned devDependency in node_modules.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const script = path.join(repoRoot, 'scripts', 'schema-types.mjs');
const generated = path.join(repoRoot, 'src', 'core', 'labs', 'schema.generated.ts');

function schemaTypes(...args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [script, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 240_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.trim() };
}

describe('lab model: the generated types match the schemas', function () {
  this.timeout(300_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-schema-types-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the committed schema.generated.ts is what the schemas generate (else: npm run schema-types)', () => {
    const r = schemaTypes('--check');
    assert.equal(r.status, 0, r.out);
    assert.equal(r.out, 'src/core/labs/schema.generated.ts is what the schemas generate');
  });

  it('a schema change the committed file lacks is caught, and regenerating carries it into the types', () => {
    const lab = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schemas', 'lab.schema.json'), 'utf8')) as {
      definitions: { step: { properties: Record<string, unknown> } };
    };
    lab.definitions.step.properties.estimatedSeconds = { description: 'How long the step takes.', type: 'integer', minimum: 1 };
    const changed = path.join(dir, 'lab.schema.json');
    fs.writeFileSync(changed, JSON.stringify(lab));
    const out = path.join(dir, 'schema.generated.ts');
    fs.copyFileSync(generated, out);

    const stale = schemaTypes('--check', '--lab', changed, '--out', out);
    assert.equal(stale.status, 1, stale.out);
    assert.match(stale.out, /is out of date: run npm run schema-types and commit the result$/);

    assert.equal(schemaTypes('--lab', changed, '--out', out).status, 0);
    const text = fs.readFileSync(out, 'utf8');
    assert.match(text, /export interface Step \{[^}]*\bestimatedSeconds\?: number\b/);
    assert.equal(schemaTypes('--check', '--lab', changed, '--out', out).status, 0, 'fresh once regenerated');
  });

  it('a lab and a course schema that define one name differently is an error, not a silent pick', () => {
    const course = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schemas', 'course.schema.json'), 'utf8')) as {
      definitions: { id: { maxLength: number } };
    };
    course.definitions.id.maxLength = 10;
    const changed = path.join(dir, 'course.schema.json');
    fs.writeFileSync(changed, JSON.stringify(course));
    const r = schemaTypes('--check', '--course', changed);
    assert.equal(r.status, 2);
    assert.equal(r.out, 'schema-types: the lab and course schemas both define "id", differently: give one of them another name');
  });
});
