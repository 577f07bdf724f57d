/**
 * The JSON Schemas (the single truth for lab files) are complete for editors, strict, and
 * agree with the model; and the lint's reading of docker commands is right.
 */
import * as assert from 'node:assert/strict';
import { changesState, dockerCalls, isDestructive, needsTerminal, simpleCommands } from '../../src/core/labs/dockerCommands';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseLabText } from '../../src/core/labs/loader';
import { readSchema, suggest } from '../../src/core/labs/schema';
import type { CheckKind } from '../../src/core/model';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Every schema object in the tree, with a readable location. */
function schemas(node: unknown, where: string, out: Array<{ where: string; schema: Json }>): void {
  if (!isObject(node)) return;
  out.push({ where, schema: node });
  for (const key of ['properties', 'definitions']) {
    const group = node[key];
    if (isObject(group)) for (const [name, child] of Object.entries(group)) schemas(child, `${where}/${key}/${name}`, out);
  }
  if (isObject(node.items)) schemas(node.items, `${where}/items`, out);
}

describe('lab schemas', function () {
  this.timeout(30_000);
  for (const name of ['lab', 'course'] as const) {
    it(`${name}.schema.json: draft-07, every object closed, every property described for editors`, () => {
      const schema = readSchema(name);
      assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
      const all: Array<{ where: string; schema: Json }> = [];
      schemas(schema, '#', all);
      assert.ok(all.length > 5);
      for (const { where, schema: s } of all) {
        const types = Array.isArray(s.type) ? s.type : [s.type];
        if (types.includes('object')) assert.equal(s.additionalProperties, false, `${where} must set additionalProperties: false`);
        if (/\/properties\/[^/]+$/.test(where)) {
          assert.equal(typeof s.description, 'string', `${where} needs a description`);
          assert.equal(typeof s.markdownDescription, 'string', `${where} needs a markdownDescription`);
        }
      }
    });
  }

  it('the check definition names exactly the kinds of the model', () => {
    const definitions = readSchema('lab').definitions as Json;
    const check = definitions.check as Json;
    const kinds: Record<CheckKind, true> = {
      all: true, any: true, not: true, image: true, imageAbsent: true, container: true, containerAbsent: true, port: true,
      http: true, mount: true, file: true, logs: true, env: true, volume: true, volumeAbsent: true, network: true, networkAbsent: true,
    };
    assert.deepEqual(Object.keys(check.properties as Json).sort(), Object.keys(kinds).sort());
    assert.equal(check.minProperties, 1);
    assert.equal(check.maxProperties, 1);
  });

  it('each schema has a stable $id where the CLI package serves it, and the guide\'s yaml-language-server line names it', () => {
    for (const name of ['lab', 'course', 'progress'] as const) {
      assert.equal(readSchema(name).$id, `https://unpkg.com/@container-labs/cli@0/schemas/${name}.schema.json`, name);
    }
    // Its $ref to lab.schema.json resolves next to it, at the same address.
    const translation = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'schemas', 'lab-translation.schema.json'), 'utf8')) as Json;
    assert.equal(translation.$id, 'https://unpkg.com/@container-labs/cli@0/schemas/lab-translation.schema.json');
    const guide = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'authoring.md'), 'utf8');
    assert.ok(guide.includes(`# yaml-language-server: $schema=${String(readSchema('lab').$id)}`), 'docs/authoring.md shows the line for editors without the extension');
  });

  it('every defaultSnippet (a step, a quiz, checks) is valid where it is offered, once its placeholders are filled', () => {
    const definitions = readSchema('lab').definitions as Json;
    const fill = (v: unknown): unknown => (typeof v === 'string' ? v.replace(/\$\{\d+:([^}]*)\}/g, '$1') : Array.isArray(v) ? v.map(fill) : isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)])) : v);
    const offered: Record<string, number> = {};
    for (const [def, body] of Object.entries(definitions)) {
      const snippets = (body as Json).defaultSnippets as Array<{ label: string; body: unknown }> | undefined;
      for (const snippet of snippets ?? []) {
        offered[def] = (offered[def] ?? 0) + 1;
        const value = fill(snippet.body);
        // Placed into a whole lab at the spot the definition describes, then loaded as a file is.
        const step = def === 'step' ? value : def === 'check' ? { id: 's', title: 'S', instructions: 'I', check: value } : { id: 's', title: 'S', instructions: 'I', quiz: value };
        const lab = { id: 'snippets', title: 'Snippets', summary: 's', minutes: 1, steps: [step] };
        const issues = parseLabText(JSON.stringify(lab), 'snippet.lab.yaml', 'workspace').issues.filter((i) => i.severity === 'error');
        assert.deepEqual(issues.map((i) => i.message), [], `${def}: ${snippet.label}`);
      }
    }
    assert.deepEqual(offered, { step: 2, check: 5, quiz: 2 });
  });

  it('image references: what Docker accepts passes, the rest does not', () => {
    const imageRef = (readSchema('lab').definitions as Json).imageRef as Json;
    const re = new RegExp(String(imageRef.pattern), 'u');
    for (const ok of ['alpine', 'alpine:3.19', 'jupyter/base-notebook:latest', 'localhost:5000/hello:v1', '${registry}/hello', 'registry.example.com/a/b_c:1.0-rc', `alpine@sha256:${'0'.repeat(64)}`, '[::1]:5000/x']) {
      assert.ok(re.test(ok), ok);
    }
    for (const bad of ['Alpine', 'alpine:', ':latest', 'alpine latest', 'a//b', '-alpine', 'alpine:-x', '${registryx}/a', 'http://hub/alpine']) {
      assert.ok(!re.test(bad), bad);
    }
  });

  it('suggests a close key only when it is close', () => {
    assert.equal(suggest('comands', ['commands', 'check']), 'commands');
    assert.equal(suggest('zzz', ['commands', 'check']), undefined);
  });
});

describe('docker command reading (lint)', function () {
  this.timeout(30_000);
  const verbs = (text: string): string[] => dockerCalls(text).map((c) => c.verb);

  it('splits shell text into simple commands, honouring quotes', () => {
    assert.deepEqual(simpleCommands(`docker ps -a && echo "a && b"; docker images | grep 'x;y'\ndocker run --rm alpine # docker rmi x`), [
      ['docker', 'ps', '-a'],
      ['echo', 'a && b'],
      ['docker', 'images'],
      ['grep', 'x;y'],
      ['docker', 'run', '--rm', 'alpine'],
    ]);
  });

  it('finds docker verbs behind wrappers, global options and management commands', () => {
    assert.deepEqual(verbs('sudo -E docker --context x container run alpine'), ['run']);
    assert.deepEqual(verbs('DOCKER_HOST=unix:///x docker -H tcp://h:2375 image rm a'), ['rmi']);
    assert.deepEqual(verbs('docker volume create v && docker system df && docker system prune -f'), ['volume create', 'system df', 'system prune']);
    assert.deepEqual(verbs('echo $(docker ps -q)'), ['ps']);
    assert.deepEqual(verbs('echo docker run'), []);
  });

  it('tells state changes from reads', () => {
    const changes = (t: string): boolean[] => dockerCalls(t).map(changesState);
    assert.deepEqual(changes('docker run a; docker pull a; docker tag a b; docker push b; docker build .; docker stop x; docker start x'), [true, true, true, true, true, true, true]);
    assert.deepEqual(changes('docker ps; docker images; docker inspect x; docker logs x; docker system df; docker login localhost:5000; docker exec x ls; docker search a'), [
      false, false, false, false, false, false, false, false,
    ]);
    // Asking a verb for its usage changes nothing; a --help after the image is the container's.
    assert.deepEqual(changes('docker run --help; docker rmi --help; docker run --rm --help; docker run alpine --help'), [false, false, false, true]);
    assert.deepEqual(dockerCalls('docker system prune --help').map(isDestructive), [false]);
  });

  it('knows what is destructive', () => {
    const destructive = (t: string): boolean[] => dockerCalls(t).map(isDestructive);
    assert.deepEqual(destructive('docker rm -f x; docker rm --force x; docker rm -vf x; docker rm x; docker rmi a; docker image rm a; docker volume rm v; docker container prune; docker system prune -af'), [
      true, true, true, false, true, true, true, true, true,
    ]);
  });

  it('knows what needs a terminal', () => {
    const tty = (t: string): boolean[] => dockerCalls(t).map(needsTerminal);
    assert.deepEqual(tty('docker run -it alpine sh; docker run -i -t alpine; docker run --interactive --tty a; docker run -ti a'), [true, true, true, true]);
    assert.deepEqual(tty('docker exec -it x sh; docker attach x; docker start -ai x'), [true, true, true]);
    assert.deepEqual(tty('docker run -dit alpine; docker run -d alpine; docker run -e X=1 alpine ls -t; docker run -i alpine; docker run --name it alpine'), [false, false, false, false, false]);
  });
});
