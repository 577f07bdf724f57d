/**
 * draftLab on recorded facts (what LabRecording gives; its engine side is draft-record.test.ts):
 * the cases one session does not show - a `--rm` container gone by the end, an `-it` command,
 * a container stopped and started, a network (no check kind), a failed command that changed
 * nothing, and a recording with no command at all. Each draft must load without errors.
 */
import * as assert from 'node:assert/strict';
import { draftLab } from '../../src/core/draft/draft';
import type { RecordedCommand } from '../../src/core/draft/recording';
import { validateText } from '../../src/core/labs/loader';

function recorded(text: string, extra: Partial<RecordedCommand> = {}): RecordedCommand {
  return {
    text,
    exitCode: 0,
    startedAt: 0,
    endedAt: 1,
    events: 0,
    containers: [],
    changed: [],
    images: [],
    volumes: [],
    networks: [],
    removed: { containers: [], images: [], volumes: [], networks: [] },
    usedImages: [],
    ...extra,
  };
}

const OPTS = { id: 'drafted', title: 'Drafted', folder: '/work/course', home: '/root' };

function valid(yaml: string): void {
  assert.deepEqual(validateText(yaml, '/work/course/drafted.lab.yaml').filter((i) => i.severity === 'error'), [], yaml);
}

describe('draftLab (recorded facts to a lab)', () => {
  it('checks the image of a --rm container that is gone, marks -it interactive, and states after stop/start', () => {
    const draft = draftLab(
      [
        recorded('docker run --rm alpine echo hi', { usedImages: ['alpine:latest'] }),
        recorded('docker run -it --name shell alpine sh', {
          usedImages: ['alpine:latest'],
          containers: [{ id: 'c1', name: 'shell', image: 'alpine', command: ['sh'], state: 'exited', exitCode: 0, ports: [], mounts: [], envNames: [], networks: [] }],
        }),
        recorded('docker stop web', { changed: [{ name: 'web', state: 'exited', exitCode: 137 }] }),
        recorded('docker start web', { changed: [{ name: 'web', state: 'running' }] }),
      ],
      OPTS,
    );
    const [gone, shell, stop, start] = draft.lab.steps;
    assert.deepEqual(gone?.check, { image: { ref: 'alpine' } });
    assert.deepEqual(shell?.commands, [{ run: 'docker run -it --name shell alpine sh', interactive: true }]);
    assert.deepEqual(shell?.check, { container: { name: 'shell', exitCode: 0 } });
    assert.deepEqual(stop?.check, { container: { name: 'web', since: 'any', exitCode: 137 } });
    assert.deepEqual(start?.check, { container: { name: 'web', since: 'any', state: 'running' } });
    assert.deepEqual(draft.lab.images, ['alpine:latest']);
    valid(draft.yaml);
  });

  it('leaves out a failed command that changed nothing, and says so at the top', () => {
    const draft = draftLab(
      [
        recorded('docker rm nothing-here', { exitCode: 1 }),
        recorded('echo done'),
      ],
      OPTS,
    );
    assert.deepEqual(draft.lab.steps.map((s) => [s.id, s.commands, s.check]), [['echo-1', ['echo done'], undefined]]);
    assert.deepEqual(draft.leftOut, ['docker rm nothing-here (exit code 1, changed nothing)']);
    assert.match(draft.yaml, /^# Drafted by "Container Labs: Record a Lab"/);
    assert.match(draft.yaml, /# Left out of the draft:\n# {3}- docker rm nothing-here/);
    valid(draft.yaml);
  });

  it('drafts networks: the one created, a container connected to it, and the one removed', () => {
    const draft = draftLab(
      [
        recorded('docker network create backend', { networks: ['backend'] }),
        recorded('docker run -d --name api --network backend alpine sleep 1d', {
          usedImages: ['alpine:latest'],
          containers: [{ id: 'a', name: 'api', image: 'alpine', command: ['sleep', '1d'], state: 'running', ports: [], mounts: [], envNames: [], networks: ['backend'] }],
        }),
        recorded('docker network rm old-net', { removed: { containers: [], images: [], volumes: [], networks: ['old-net'] } }),
      ],
      OPTS,
    );
    const [create, run, remove] = draft.lab.steps;
    assert.deepEqual(create?.check, { network: { name: 'backend' } });
    assert.deepEqual(run?.check, { all: [{ container: { name: 'api', state: 'running' } }, { network: { name: 'backend', container: { name: 'api' } } }] });
    assert.deepEqual(remove?.check, { networkAbsent: { name: 'old-net' } });
    assert.deepEqual(draft.leftOut, []);
    valid(draft.yaml);
  });

  it('puts placeholders into bind sources and commands, and drafts a placeholder step from an empty recording', () => {
    const draft = draftLab(
      [
        recorded('docker run -d --name web -v /work/course/site:/www:ro -v /root/.cache:/c nginx', {
          containers: [{
            id: 'w', name: 'web', image: 'nginx', command: [], state: 'running', ports: [], envNames: [], networks: [],
            mounts: [{ type: 'bind', source: '/root/.cache', destination: '/c', readOnly: false }, { type: 'bind', source: '/work/course/site', destination: '/www', readOnly: true }],
          }],
        }),
      ],
      OPTS,
    );
    assert.deepEqual(draft.lab.steps[0]?.commands, ['docker run -d --name web -v ${workspaceFolder}/site:/www:ro -v ${userHome}/.cache:/c nginx']);
    assert.deepEqual(draft.lab.steps[0]?.check, {
      all: [
        { container: { name: 'web', state: 'running' } },
        { mount: { container: { name: 'web' }, type: 'bind', source: '${userHome}/.cache', destination: '/c', readOnly: false } },
        { mount: { container: { name: 'web' }, type: 'bind', source: '${workspaceFolder}/site', destination: '/www', readOnly: true } },
      ],
    });
    valid(draft.yaml);
    const empty = draftLab([], OPTS);
    assert.deepEqual(empty.lab.steps.map((s) => s.id), ['first-step']);
    valid(empty.yaml);
  });
});
