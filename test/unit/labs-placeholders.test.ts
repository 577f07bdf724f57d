/**
 * Placeholders: values reach a real /bin/sh as literal text in every quoting context,
 * unknown names and bad values are refused, and the default values are where the lab
 * expects them.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  defaultPlaceholders,
  ensureLabData,
  fillCheck,
  fillCommand,
  fillText,
  PlaceholderError,
  shellQuote,
} from '../../src/core/labs/placeholders';
import type { Check, PlaceholderValues } from '../../src/core/model';

const BASH = existsSync('/bin/bash');

/** Runs the text with /bin/sh (and bash, the usual terminal shell, which must agree). */
function sh(script: string): string {
  const out = execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
  if (BASH) assert.equal(execFileSync('/bin/bash', ['-c', script], { encoding: 'utf8' }), out, `bash disagrees on ${script}`);
  return out;
}

const NASTY = [
  '/tmp/with space/and  two',
  "/tmp/it's/quoted",
  '/tmp/"double"/q',
  '/tmp/$(touch /tmp/cl-test-pwned)/x',
  '/tmp/`touch /tmp/cl-test-pwned`/y',
  '/tmp/a;touch /tmp/cl-test-pwned;b',
  '/tmp/$HOME/${HOME}/\\back\\slash',
  '/tmp/glob*?[ab]/!bang/&amp|pipe>redir<',
  "/tmp/''/'\"'\"'",
];

function values(labData: string): PlaceholderValues {
  return { workspaceFolder: '/w', userHome: '/home/u', labData, registry: 'localhost:5000' };
}

describe('placeholders: shell quoting through a real /bin/sh', function () {
  this.timeout(30_000);
  afterEach(async () => {
    await rm('/tmp/cl-test-pwned', { force: true });
  });

  it('shellQuote gives exactly one literal word', () => {
    for (const value of [...NASTY, '', ' ', "'", '-n']) {
      assert.equal(sh(`printf '%s|' ${shellQuote(value)}`), `${value}|`);
    }
  });

  for (const value of NASTY) {
    it(`comes out literally in every context: ${JSON.stringify(value)}`, async () => {
      const v = values(value);
      const cases: Array<[string, string]> = [
        ['printf "%s|" ${labData}', `${value}|`],
        ['printf "%s|" -v ${labData}:/work', `-v|${value}:/work|`],
        ['printf "%s|" "${labData}/notes.txt"', `${value}/notes.txt|`],
        ['printf "%s|" "pre ${labData} post"', `pre ${value} post|`],
        ["printf '%s|' 'in single ${labData} quotes'", `in single ${value} quotes|`],
        ['printf "%s|" "$(printf "%s" "${labData}")"', `${value}|`],
        ['printf "%s|" $(printf "%s" x)${labData}', `x${value}|`],
      ];
      for (const [template, expected] of cases) {
        const filled = fillCommand(template, v);
        assert.equal(sh(filled), expected, `${template} -> ${filled}`);
      }
      await assert.rejects(stat('/tmp/cl-test-pwned'), 'a value ran as a command');
    });
  }

  it('leaves shell variables and other dollar signs alone', () => {
    assert.equal(fillCommand('echo $HOME "$PWD" $(pwd) ${registry}', values('/x')), "echo $HOME \"$PWD\" $(pwd) 'localhost:5000'");
  });

  it('refuses unknown names, bad values and unsafe contexts', () => {
    assert.throws(() => fillCommand('echo ${HOME}', values('/x')), (e: unknown) => e instanceof PlaceholderError && /unknown placeholder '\$\{HOME\}'/.test(e.message));
    assert.throws(() => fillCommand('echo ${labData}', values('relative/path')), /must be an absolute path/);
    assert.throws(() => fillCommand('echo ${labData}', values('/x\ny')), /must not contain control characters/);
    assert.throws(() => fillCommand('echo ${labData}', values('/x\0y')), /must not contain control characters/);
    assert.throws(() => fillCommand('echo ${registry}', { ...values('/x'), registry: 'evil;rm -rf /' }), /must be host or host:port/);
    assert.throws(() => fillCommand('echo ${registry}', { ...values('/x'), registry: 'localhost:99999' }), /must be host or host:port/);
    assert.throws(() => fillCommand('echo `ls ${labData}`', values('/x')), /inside backticks/);
    assert.throws(() => fillCommand('cat <<EOF\n${labData}\nEOF', values('/x')), /here-document/);
    assert.equal(fillCommand('echo ${registry}', { ...values('/x'), registry: '[::1]:5000' }), "echo '[::1]:5000'");
  });

  it('fillText and fillCheck substitute plainly, everywhere in a check', () => {
    const v = values('/data/lab one');
    assert.equal(fillText('${labData}/x.txt', v), '/data/lab one/x.txt');
    assert.throws(() => fillText('${nope}', v), PlaceholderError);
    const check: Check = {
      all: [
        { mount: { container: { name: 'cl-x' }, source: '${labData}', destination: '/work' } },
        { image: { ref: '${registry}/hello:v1' } },
        { not: { file: { path: '${userHome}/.docker/config.json', contains: 'auth' } } },
      ],
    };
    assert.deepEqual(fillCheck(check, v), {
      all: [
        { mount: { container: { name: 'cl-x' }, source: '/data/lab one', destination: '/work' } },
        { image: { ref: 'localhost:5000/hello:v1' } },
        { not: { file: { path: '/home/u/.docker/config.json', contains: 'auth' } } },
      ],
    });
    // The input is not changed.
    assert.deepEqual((check).all[1], { image: { ref: '${registry}/hello:v1' } });
  });
});

describe('placeholders: default values', function () {
  this.timeout(30_000);
  it('puts labData under the workspace, per lab', () => {
    assert.deepEqual(defaultPlaceholders({ workspaceFolder: '/ws', labId: 'data-lab', home: '/home/me' }), {
      workspaceFolder: '/ws',
      userHome: '/home/me',
      labData: path.join('/ws', '.container-labs', 'data', 'data-lab'),
      registry: 'localhost:5000',
    });
    assert.equal(defaultPlaceholders({ workspaceFolder: '/ws', labId: 'x', registry: 'reg.local:5001' }).registry, 'reg.local:5001');
    assert.equal(defaultPlaceholders({ workspaceFolder: '/ws', labId: 'x' }).userHome, os.homedir());
    assert.throws(() => defaultPlaceholders({ workspaceFolder: '/ws', labId: '../escape' }), /not a lab id/);
    assert.throws(() => defaultPlaceholders({ workspaceFolder: 'ws', labId: 'x' }), /absolute path/);
  });

  it('ensureLabData creates the folder and is idempotent', async () => {
    const ws = await mkdtemp(path.join(os.tmpdir(), 'cl-test-ws-'));
    try {
      const v = defaultPlaceholders({ workspaceFolder: ws, labId: 'data-lab' });
      await ensureLabData(v);
      await ensureLabData(v);
      assert.ok((await stat(v.labData)).isDirectory());
    } finally {
      await rm(ws, { recursive: true, force: true });
    }
  });
});
