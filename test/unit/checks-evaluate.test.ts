/**
 * evaluateCheck against the REAL engine: every check kind passing and failing, with the
 * exact reasons, computed from real containers, images, volumes and HTTP servers.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import type { Check, CheckResult, PlaceholderValues } from '../../src/core/model';
import { checkNeedsPolling, evaluateCheck, type CheckContext } from '../../src/core/checks/evaluate';
import { describeCheck } from '../../src/core/checks/describe';
import { demuxBuffer } from '../../src/core/checks/streams';
import { explainStartError } from '../../src/core/checks/words';
import { normalizeImageRef } from '../../src/core/images';
import { BUSYBOX, ensureBusybox, importOwnImage, isPodman, mainDocker, socketDocker } from '../support/engine';
import { freePort, holdPort } from '../support/ports';
import { RUN_ID, uniqueName } from '../support/run';
import { sleep, waitFor } from '../support/wait';
import { HTTPD_SCRIPT, Resources, WAIT_FOR_GATE, execIn, openGate, waitListening } from './checks-fixture';

describe('checks: evaluateCheck against the real engine', function () {
  this.timeout(60_000);
  const docker = mainDocker();
  const res = new Resources(docker);
  /**
   * The label key of this run's cases (`<CASE>=running`): another run's containers, or anyone
   * else's, never carry it, so a check selecting by it sees only this run's containers.
   */
  const CASE = `cl-test-case-${RUN_ID}`;
  /** Names nothing on the engine has (this run never creates them). */
  const NEVER = uniqueName('never-existed');
  const NEVER_CONTAINER = uniqueName('never-was');
  const NEVER_VOLUME = uniqueName('never-volume');
  let stepOpened = 0;

  function ctx(extra: Partial<CheckContext> = {}): CheckContext {
    return { docker, publishedHost: '127.0.0.1', since: stepOpened, timeoutMs: 5000, ...extra };
  }

  async function expectStatus(check: Check, status: CheckResult['status'], extra: Partial<CheckContext> = {}): Promise<CheckResult> {
    const result = await evaluateCheck(check, ctx(extra));
    assert.equal(result.status, status, `expected ${status}, got ${result.status}: ${result.reason}`);
    assert.ok(result.reason.length > 0);
    return result;
  }

  /** Why pulling `ref` failed (the refused request's message, or the error in the progress stream); '' when it worked. */
  async function pullFailure(ref: string): Promise<string> {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await docker.pull(ref);
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
    const output = await new Promise<Array<{ error?: string }>>((resolve, reject) => {
      docker.modem.followProgress(stream, (err: Error | null, out: Array<{ error?: string }>) => (err ? reject(err) : resolve(out)));
    });
    return output.find((line) => typeof line.error === 'string')?.error ?? '';
  }

  async function waitRunning(container: Dockerode.Container): Promise<void> {
    await waitFor('the container to run', async () => (await container.inspect()).State.Running, 10_000, 50);
  }

  async function waitExited(container: Dockerode.Container): Promise<void> {
    await waitFor('the container to exit', async () => (await container.inspect()).State.Status === 'exited', 10_000, 50);
  }

  before(async function () {
    await ensureBusybox(docker);
    stepOpened = Date.now();
  });

  after(async function () {
    await res.cleanup();
  });

  describe('image / imageAbsent', function () {
    it('passes for a present image; a name without a tag means :latest', async function () {
      const r = await expectStatus({ image: { ref: 'cl-test-busybox' } }, 'passed');
      assert.match(r.reason, /^image cl-test-busybox:latest is present \([0-9a-f]{12}, [\d.]+ MB\)$/);
    });

    it('fails for an image that never existed and cannot be pulled offline', async function () {
      const r = await expectStatus({ image: { ref: `${NEVER}:1.0` } }, 'failed');
      assert.equal(r.reason, `image ${NEVER}:1.0 is not present: pull it with docker pull ${NEVER}:1.0`);
      // And pulling it really fails here (no registry for it): the reason tells the student what to do, not that it worked.
      // Docker refuses the request; Podman answers 200 and says so in the progress stream.
      assert.match(await pullFailure(`${NEVER}:1.0`), /\S/);
    });

    it('names the other tags of the same repository when the wanted tag is missing', async function () {
      // A repository of this run's own, so its tags are exactly the ones made here.
      const repo = uniqueName('repo');
      for (const tag of ['a', 'b']) {
        await docker.getImage(BUSYBOX).tag({ repo, tag });
        res.tags.add(`${repo}:${tag}`);
      }
      const r = await expectStatus({ image: { ref: `${repo}:nope` } }, 'failed');
      const listed = new RegExp(`^image ${repo}:nope is not present \\((.+) are\\): pull ${repo}:nope or tag one of them$`).exec(r.reason);
      assert.ok(listed, r.reason);
      assert.deepEqual(listed[1]?.split(', ').sort(), [`${repo}:a`, `${repo}:b`]);
      await docker.getImage(`${repo}:b`).remove({ noprune: true });
      res.tags.delete(`${repo}:b`);
      const one = await expectStatus({ image: { ref: `${repo}:nope` } }, 'failed');
      assert.equal(one.reason, `image ${repo}:nope is not present (${repo}:a is): pull ${repo}:nope or tag one of them`);
    });

    it('imageAbsent passes when absent and fails with the fix when present', async function () {
      await expectStatus({ imageAbsent: { ref: NEVER } }, 'passed');
      // A second name of the shared busybox image: `docker rmi` only removes the name, whoever's
      // containers use the image.
      const tag = `${uniqueName('absent')}:x`;
      await docker.getImage(BUSYBOX).tag({ repo: tag.split(':')[0], tag: 'x' });
      res.tags.add(tag);
      const r = await expectStatus({ imageAbsent: { ref: tag } }, 'failed');
      assert.equal(r.reason, `image ${tag} is still present: remove it with docker rmi ${tag}`);
      await docker.getImage(tag).remove();
      res.tags.delete(tag);
      await expectStatus({ imageAbsent: { ref: tag } }, 'passed');
    });

    it('image configuration: labels, env, CMD, ENTRYPOINT, EXPOSE, WORKDIR and USER, each said with the instruction that sets it', async function () {
      const ref = `${uniqueName('config')}:1`;
      await importOwnImage(docker, ref, ['LABEL org.example.course=containers', 'ENV APP_PORT=8080', 'CMD ["serve", "--port", "8080"]', 'ENTRYPOINT ["/bin/app"]', 'EXPOSE 8080', 'EXPOSE 53/udp', 'WORKDIR /srv/app', 'USER 1000:1000']);
      res.tags.add(ref);
      const all = { ref, labels: ['org.example.course', 'org.example.course=containers'], env: ['APP_PORT', 'APP_PORT=8080'], cmd: ['serve', '--port', '8080'], entrypoint: ['/bin/app'], exposedPorts: [8080, '53/udp'], workingDir: '/srv/app', user: '1000:1000' };
      const ok = await expectStatus({ image: all }, 'passed');
      assert.match(ok.reason, new RegExp(`^image ${ref} is present \\([0-9a-f]{12}, .+\\), with label org\\.example\\.course, `));
      const cases: Array<[Partial<typeof all>, string]> = [
        [{ labels: ['org.example.level'] }, `image ${ref} has no label org.example.level: add LABEL org.example.level=... to the Dockerfile, then build it again`],
        [{ labels: ['org.example.course=python'] }, `image ${ref} has label org.example.course="containers", not "python": set LABEL org.example.course="python" in the Dockerfile, then build it again`],
        [{ env: ['APP_PORT=9090'] }, `image ${ref} sets APP_PORT="8080", not "9090": set ENV APP_PORT=9090 in the Dockerfile, then build it again`],
        [{ env: ['DEBUG'] }, `image ${ref} does not set DEBUG: add ENV DEBUG=... to the Dockerfile, then build it again`],
        [{ cmd: ['serve'] }, `image ${ref} has CMD ["serve","--port","8080"], not ["serve"]: write CMD ["serve"] (exec form) in the Dockerfile, then build it again`],
        [{ entrypoint: ['/bin/sh', '-c'] }, `image ${ref} has ENTRYPOINT ["/bin/app"], not ["/bin/sh","-c"]: write ENTRYPOINT ["/bin/sh","-c"] (exec form) in the Dockerfile, then build it again`],
        [{ exposedPorts: [80] }, `image ${ref} does not expose 80/tcp (it exposes 53/udp, 8080/tcp): add EXPOSE 80 to the Dockerfile, then build it again`],
        [{ workingDir: '/app' }, `image ${ref} has working directory /srv/app, not /app: add WORKDIR /app to the Dockerfile, then build it again`],
        [{ user: 'jovyan' }, `image ${ref} runs as user 1000:1000, not jovyan: add USER jovyan to the Dockerfile, then build it again`],
      ];
      for (const [wrong, reason] of cases) {
        const r = await expectStatus({ image: { ref, ...wrong } }, 'failed');
        assert.equal(r.reason.replace(/\(it exposes (.+)\)/, (_m, list: string) => `(it exposes ${list.split(', ').sort().join(', ')})`), reason);
      }
      const bare = await expectStatus({ image: { ref: BUSYBOX, user: 'nobody' } }, 'failed');
      assert.equal(bare.reason, `image ${BUSYBOX} runs as root (no USER set), not nobody: add USER nobody to the Dockerfile, then build it again`);
    });

    it('imageAbsent names the containers that stand in the way of removing an image\'s only name', async function () {
      const own = `${uniqueName('absent-own')}:1`;
      await importOwnImage(docker, own);
      res.tags.add(own);
      const { container, name } = await res.run({ Image: own, Cmd: ['/hello.txt'], start: false, HostConfig: { NetworkMode: 'none' } });
      const r = await expectStatus({ imageAbsent: { ref: own } }, 'failed');
      assert.equal(r.reason, `image ${own} is still present and 1 container uses it (${name}): remove it with docker rm, then docker rmi ${own}`);
      await container.remove();
      res.containers.delete(container.id);
      const alone = await expectStatus({ imageAbsent: { ref: own } }, 'failed');
      assert.equal(alone.reason, `image ${own} is still present: remove it with docker rmi ${own}`);
    });
  });

  describe('container / containerAbsent', function () {
    it('passes for a running container and says which one', async function () {
      const { container, name } = await res.run({ Cmd: ['sleep', '60'], Labels: { [CASE]: 'running' }, HostConfig: { NetworkMode: 'none' } });
      await waitRunning(container);
      const r = await expectStatus({ container: { image: 'cl-test-busybox', label: `${CASE}=running`, state: 'running' } }, 'passed');
      assert.equal(r.reason, `cl-test-busybox (container "${name}") is running`);
    });

    it('explains an exit code: 127 is "command not found"', async function () {
      const { container, name } = await res.run({ Cmd: ['sh', '-c', 'exit 127'], Labels: { [CASE]: 'exit127' }, HostConfig: { NetworkMode: 'none' } });
      await waitExited(container);
      const r = await expectStatus({ container: { label: `${CASE}=exit127`, exitCode: 0 } }, 'failed');
      assert.equal(r.reason, `container "${name}" exited with code 127 (command not found), not 0`);
      const running = await expectStatus({ container: { label: `${CASE}=exit127`, state: 'running' } }, 'failed');
      assert.equal(running.reason, `container "${name}" is not running: it exited with code 127 (command not found)`);
      await expectStatus({ container: { label: `${CASE}=exit127`, exitCode: 127 } }, 'passed');
    });

    it('explains a command missing from the image (the container could not start)', async function () {
      const { name, startError } = await res.run({ Cmd: ['cl-test-no-such-command'], Labels: { [CASE]: 'nocmd' }, HostConfig: { NetworkMode: 'none' } });
      assert.ok(startError, 'the engine refuses to start it');
      const r = await expectStatus({ container: { label: `${CASE}=nocmd`, state: 'running' } }, 'failed');
      // Podman does not keep a failed start's error: the reason says how to see it.
      assert.equal(r.reason, (await isPodman(docker))
        ? `container "${name}" was created but never ran: start it with docker start ${name} (if starting it fails, that shows why)`
        : `container "${name}" could not start: the command "cl-test-no-such-command" was not found in the image`);
    });

    it('checks -t, -i and --rm through inspect', async function () {
      const { container, name } = await res.run({ Cmd: ['sleep', '60'], Tty: true, OpenStdin: true, Labels: { [CASE]: 'tty' }, HostConfig: { NetworkMode: 'none' } });
      await waitRunning(container);
      await expectStatus({ container: { label: `${CASE}=tty`, state: 'running', tty: true, interactive: true, autoRemove: false } }, 'passed');
      const r = await expectStatus({ container: { label: `${CASE}=tty`, autoRemove: true } }, 'failed');
      assert.equal(r.reason, `container "${name}" was started without --rm`);
      const t = await expectStatus({ container: { label: `${CASE}=tty`, tty: false } }, 'failed');
      assert.equal(t.reason, `container "${name}" was started with a TTY (-t); run it without -t`);
    });

    it('since the step: an older container does not count, and the reason says so', async function () {
      const { container, name } = await res.run({ Cmd: ['true'], Labels: { [CASE]: 'old' }, HostConfig: { NetworkMode: 'none' } });
      await waitExited(container);
      const created = Date.parse((await container.inspect()).Created);
      const later = created + 3000; // the step "opened" 3 s after that container was made
      const r = await expectStatus({ container: { image: 'cl-test-busybox', label: `${CASE}=old` } }, 'failed', { since: later });
      assert.equal(r.reason, `no container from cl-test-busybox labelled ${CASE}=old was created since this step opened (1 older one exists, e.g. "${name}": run a new one)`);
      await expectStatus({ container: { image: 'cl-test-busybox', label: `${CASE}=old`, since: 'any' } }, 'passed', { since: later });
      // A container created after the step opened counts, with 1 s slack for the engine's whole seconds.
      await expectStatus({ container: { image: 'cl-test-busybox', label: `${CASE}=old` } }, 'passed', { since: created - 200 });
      await expectStatus({ container: { image: 'cl-test-busybox', label: `${CASE}=old` } }, 'passed', { since: created + 800 });
    });

    it('two containers match one check: the newest passing one is named; a failure names the newest', async function () {
      const a = await res.run({ Cmd: ['sh', '-c', 'exit 3'], Labels: { [CASE]: 'two' }, HostConfig: { NetworkMode: 'none' } });
      await waitExited(a.container);
      await sleep(1100); // different Created seconds
      const b = await res.run({ Cmd: ['sleep', '60'], Labels: { [CASE]: 'two' }, HostConfig: { NetworkMode: 'none' } });
      await waitRunning(b.container);
      const r = await expectStatus({ container: { label: `${CASE}=two`, state: 'running' } }, 'passed');
      assert.equal(r.reason, `container "${b.name}" is running (2 containers match; "${b.name}" is the newest)`);
      const e = await expectStatus({ container: { label: `${CASE}=two`, exitCode: 0 } }, 'failed');
      // b (newest) is still running; a exited with 3: the closer one (a, exited) is reported.
      assert.equal(e.reason, `2 containers match; the closest (${a.name}): container "${a.name}" exited with code 3, not 0`);
      const x = await expectStatus({ container: { label: `${CASE}=two`, exitCode: 3 } }, 'passed');
      assert.equal(x.reason, `container "${a.name}" exited with code 3 (2 containers match; "${a.name}" is the newest that passes)`);
    });

    it('a container that never existed: by name, and from an image that is not there either', async function () {
      const r = await expectStatus({ container: { name: `${NEVER_CONTAINER}`, state: 'running' } }, 'failed');
      assert.equal(r.reason, `no container named "${NEVER_CONTAINER}" exists: start one`);
      const i = await expectStatus({ container: { image: `${NEVER}:2` } }, 'failed');
      assert.equal(i.reason, `no container from ${NEVER}:2 exists (the image ${NEVER}:2 is not present either: pull it first): run one`);
    });

    it('containerAbsent passes when gone and fails with the fix while it exists', async function () {
      const { container, name } = await res.run({ Cmd: ['sleep', '60'], Labels: { [CASE]: 'absent' }, HostConfig: { NetworkMode: 'none' } });
      await waitRunning(container);
      const r = await expectStatus({ containerAbsent: { name } }, 'failed');
      assert.equal(r.reason, `1 container named "${name}" still exists: ${name} (running); stop and remove with docker rm -f ${name}`);
      await container.remove({ force: true });
      await expectStatus({ containerAbsent: { name } }, 'passed');
    });

    it('a container still counts after its image tag moved to a newer image (docker pull / build again)', async function () {
      const tag = uniqueName('moving');
      await docker.getImage(BUSYBOX).tag({ repo: tag, tag: '1' });
      res.tags.add(`${tag}:1`);
      const { container, name } = await res.run({ Image: `${tag}:1`, Cmd: ['sleep', '60'], Labels: { [CASE]: 'moved' }, HostConfig: { NetworkMode: 'none' } });
      await waitRunning(container);
      // A new image takes over the tag, as a pull of a newer version would do.
      await container.commit({ repo: tag, tag: '1', changes: ['LABEL cl-test-newer=1'] });
      await expectStatus({ container: { name, image: `${tag}:1`, state: 'running' } }, 'passed');
    });

    it('matches the command with commandContains', async function () {
      const { container } = await res.run({ Cmd: ['sh', '-c', 'echo cl-test-marker; sleep 60'], Labels: { [CASE]: 'cmd' }, HostConfig: { NetworkMode: 'none' } });
      await waitRunning(container);
      await expectStatus({ container: { label: `${CASE}=cmd`, commandContains: 'echo cl-test-marker', state: 'running' } }, 'passed');
      await expectStatus({ container: { label: `${CASE}=cmd`, commandContains: 'something else' } }, 'failed');
    });

    it('health: none, unhealthy (with the health check\'s own words), then healthy; restart policy', async function () {
      const podman = await isPodman(docker);
      /** Docker runs the health check on its interval; Podman from systemd timers, which a test host has not: run it as the timer would. */
      const runHealthCheck = async (c: Dockerode.Container): Promise<void> => {
        if (!podman) return;
        await new Promise<void>((resolve, reject) => {
          docker.modem.dial({ path: `/v4.0.0/libpod/containers/${c.id}/healthcheck?`, method: 'GET', statusCodes: { 200: true, 409: true } }, (err) => (err ? reject(err) : resolve()));
        });
      };
      const plain = await res.run({ Cmd: ['sleep', '60'], Labels: { [CASE]: 'no-health' }, HostConfig: { NetworkMode: 'none' } });
      await waitRunning(plain.container);
      const none = await expectStatus({ container: { label: `${CASE}=no-health`, health: 'healthy' } }, 'failed');
      assert.equal(none.reason, `container "${plain.name}" has no health check: add one with --health-cmd (or HEALTHCHECK in the Dockerfile)`);
      await expectStatus({ container: { label: `${CASE}=no-health`, health: 'none', restartPolicy: 'no' } }, 'passed');

      const checked = await res.run({
        Cmd: ['sleep', '60'],
        Labels: { [CASE]: 'health' },
        Healthcheck: { Test: ['CMD-SHELL', 'test -e /ok || { echo not ready yet; exit 1; }'], Interval: 200_000_000, Timeout: 2_000_000_000, Retries: 1 },
        HostConfig: { NetworkMode: 'none', RestartPolicy: { Name: 'unless-stopped' } },
      });
      await waitRunning(checked.container);
      const health = async (): Promise<string | undefined> => (await checked.container.inspect()).State.Health?.Status;
      await waitFor('the health check to fail', async () => {
        await runHealthCheck(checked.container);
        return (await health()) === 'unhealthy';
      }, 15_000, 200);
      const sick = await expectStatus({ container: { label: `${CASE}=health`, health: 'healthy' } }, 'failed');
      assert.equal(sick.reason, `container "${checked.name}" is unhealthy, not healthy; its last health check exited with 1: "not ready yet"`);
      const wantNone = await expectStatus({ container: { label: `${CASE}=health`, health: 'none' } }, 'failed');
      assert.equal(wantNone.reason, `container "${checked.name}" has a health check (it is unhealthy); run it without --health-cmd (or with --no-healthcheck)`);

      await execIn(checked.container, ['touch', '/ok']);
      await waitFor('the health check to pass', async () => {
        await runHealthCheck(checked.container);
        return (await health()) === 'healthy';
      }, 15_000, 200);
      const ok = await expectStatus({ container: { label: `${CASE}=health`, health: 'healthy', restartPolicy: 'unless-stopped' } }, 'passed');
      assert.equal(ok.reason, `container "${checked.name}" is running`);
      const policy = await expectStatus({ container: { label: `${CASE}=health`, restartPolicy: 'always' } }, 'failed');
      assert.equal(policy.reason, `container "${checked.name}" has restart policy unless-stopped, not always: run it with --restart always`);
      assert.equal(describeCheck({ container: { name: 'web', health: 'healthy', restartPolicy: 'always' } }), 'a container named "web" exists, health healthy, restart policy always, created since this step opened');
    });
  });

  describe('port / http', function () {
    let hostPort = 0;
    let web: { container: Dockerode.Container; name: string };

    before(async function () {
      hostPort = await freePort();
      web = await res.run({
        Cmd: ['sh', '-c', HTTPD_SCRIPT],
        Labels: { [CASE]: 'web' },
        ExposedPorts: { '80/tcp': {} },
        HostConfig: { NetworkMode: await res.network(), PortBindings: { '80/tcp': [{ HostPort: String(hostPort) }] } },
      });
      await waitRunning(web.container);
      await waitFor('httpd to answer', async () => (await evaluateCheck({ http: { container: { label: `${CASE}=web` }, containerPort: 80 } }, ctx())).status === 'passed', 10_000, 100);
    });

    it('port: passes on the right host port, and says which host port it really is otherwise', async function () {
      const ok = await expectStatus({ port: { container: { label: `${CASE}=web` }, containerPort: 80, hostPort } }, 'passed');
      assert.equal(ok.reason, `container "${web.name}" publishes 80 on host port ${hostPort}`);
      const wrongHost = hostPort === 65000 ? 65001 : 65000;
      const r = await expectStatus({ port: { container: { image: 'cl-test-busybox', label: `${CASE}=web` }, containerPort: 80, hostPort: wrongHost } }, 'failed');
      assert.equal(r.reason, `cl-test-busybox (container "${web.name}") is running but publishes 80 on host port ${hostPort}, not ${wrongHost}; run it with -p ${wrongHost}:80`);
      const other = await expectStatus({ port: { container: { label: `${CASE}=web` }, containerPort: 8888 } }, 'failed');
      assert.equal(other.reason, `container "${web.name}" is running but does not publish port 8888 (it publishes 80 on ${hostPort}); run it with -p 8888:8888`);
    });

    it('http: 200 with the body, a redirect (not followed) and a 500', async function () {
      const ok = await expectStatus({ http: { container: { label: `${CASE}=web` }, containerPort: 80, path: '/', bodyContains: 'hello from cl-test' } }, 'passed');
      assert.equal(ok.reason, `GET http://127.0.0.1:${hostPort}/ answered 200 (OK) with a body that contains "hello from cl-test"`);
      const body = await expectStatus({ http: { container: { label: `${CASE}=web` }, containerPort: 80, bodyContains: 'jupyter' } }, 'failed');
      assert.equal(body.reason, `GET http://127.0.0.1:${hostPort}/ answered 200 (OK) but the body does not contain "jupyter"`);
      const matched = await expectStatus({ http: { container: { label: `${CASE}=web` }, containerPort: 80, bodyMatches: 'hello from [a-z-]+' } }, 'passed');
      assert.equal(matched.reason, `GET http://127.0.0.1:${hostPort}/ answered 200 (OK) with a body that matches /hello from [a-z-]+/`);
      const unmatched = await expectStatus({ http: { container: { label: `${CASE}=web` }, containerPort: 80, bodyMatches: '^<html' } }, 'failed');
      assert.equal(unmatched.reason, `GET http://127.0.0.1:${hostPort}/ answered 200 (OK) but the body does not match /^<html/`);
      const fail = await expectStatus({ http: { container: { label: `${CASE}=web` }, containerPort: 80, path: '/cgi-bin/fail' } }, 'failed');
      assert.equal(fail.reason, `GET http://127.0.0.1:${hostPort}/cgi-bin/fail answered 500 (Internal Server Error), expected a 2xx or 3xx status`);
      // A redirect passes by default (3xx), and is not followed...
      const redirect = await expectStatus({ http: { container: { label: `${CASE}=web` }, containerPort: 80, path: '/cgi-bin/redir' } }, 'passed');
      assert.equal(redirect.reason, `GET http://127.0.0.1:${hostPort}/cgi-bin/redir answered 302 (Found) redirecting to /index.html`);
      // ...so a step that wants 200 there fails and says where it redirects.
      const strict = await expectStatus({ http: { container: { label: `${CASE}=web` }, containerPort: 80, path: '/cgi-bin/redir', status: 200 } }, 'failed');
      assert.equal(strict.reason, `GET http://127.0.0.1:${hostPort}/cgi-bin/redir answered 302 (Found) redirecting to /index.html, expected 200`);
    });

    it('http: a published port where nothing answers HTTP within the deadline', async function () {
      const port = await freePort();
      const silent = await res.run({
        // nc accepts the connection and never answers (its stdin never ends).
        Cmd: ['sh', '-c', 'sleep 1000 | nc -l -p 80'],
        Labels: { [CASE]: 'silent' },
        ExposedPorts: { '80/tcp': {} },
        HostConfig: { NetworkMode: await res.network(), PortBindings: { '80/tcp': [{ HostPort: String(port) }] } },
      });
      await waitRunning(silent.container);
      await waitListening(silent.container, 80);
      const r = await expectStatus({ http: { container: { label: `${CASE}=silent` }, containerPort: 80, timeoutMs: 1000 } }, 'failed');
      assert.equal(r.reason, `port 80 is published on host port ${port} but nothing answered HTTP within 1 s`);
    });

    it('http: a container still starting fails with a reason, then passes once the server is up', async function () {
      const port = await freePort();
      const slow = await res.run({
        // The server starts when the test says so (not after a fixed sleep a loaded machine may outlast).
        Cmd: ['sh', '-c', `${WAIT_FOR_GATE}; ${HTTPD_SCRIPT}`],
        Labels: { [CASE]: 'slow' },
        ExposedPorts: { '80/tcp': {} },
        HostConfig: { NetworkMode: await res.network(), PortBindings: { '80/tcp': [{ HostPort: String(port) }] } },
      });
      await waitRunning(slow.container);
      const early = await expectStatus({ http: { container: { label: `${CASE}=slow` }, containerPort: 80, timeoutMs: 1000 } }, 'failed');
      assert.match(early.reason, new RegExp(`^port 80 is published on host port ${port} but (the connection closed without an HTTP answer|nothing answers HTTP there yet \\(connection refused at 127\\.0\\.0\\.1:${port}\\)); the server may still be starting$`));
      await openGate(slow.container);
      await waitFor('the slow server', async () => (await evaluateCheck({ http: { container: { label: `${CASE}=slow` }, containerPort: 80 } }, ctx())).status === 'passed', 10_000, 200);
    });

    it('a published port already taken on the host: the container cannot start, and the reason says why', async function () {
      const held = await holdPort();
      const taken = held.port;
      try {
        const { name, startError } = await res.run({
          Cmd: ['sleep', '60'],
          Labels: { [CASE]: 'taken' },
          ExposedPorts: { '80/tcp': {} },
          HostConfig: { NetworkMode: await res.network(), PortBindings: { '80/tcp': [{ HostPort: String(taken) }] } },
        });
        assert.ok(startError, 'the engine refuses to start it');
        const r = await expectStatus({ port: { container: { label: `${CASE}=taken` }, containerPort: 80, hostPort: taken } }, 'failed');
        assert.equal(r.reason, (await isPodman(docker))
          ? `container "${name}" was created but never ran: start it with docker start ${name} (if starting it fails, that shows why)`
          : `container "${name}" could not start: host port ${taken} is already in use by another program on the host`);
      } finally {
        await held.release();
      }
    });

    it('uses the endpoint\'s published host, not a hard-coded localhost', async function () {
      // Bound on 0.0.0.0, so the probe goes where the endpoint says ports answer.
      // 192.0.2.1 is TEST-NET-1: nothing answers there, and the reason names it.
      const r = await expectStatus({ http: { container: { label: `${CASE}=web` }, containerPort: 80, timeoutMs: 1500 } }, 'failed', { publishedHost: '192.0.2.1' });
      assert.ok(r.reason.startsWith(`port 80 is published on host port ${hostPort} of 192.0.2.1 but `), r.reason);
      const other = await expectStatus({ http: { container: { label: `${CASE}=web` }, containerPort: 80 } }, 'passed', { publishedHost: '127.0.0.2' });
      assert.ok(other.reason.includes(`http://127.0.0.2:${hostPort}/`), other.reason);
      const ok = await expectStatus({ http: { container: { label: `${CASE}=web` }, containerPort: 80 } }, 'passed', { publishedHost: 'localhost' });
      assert.ok(ok.reason.includes(`http://localhost:${hostPort}/`), ok.reason);
    });
  });

  describe('mount / file / logs / env', function () {
    let dir = '';
    let vol = '';
    let box: { container: Dockerode.Container; name: string };

    before(async function () {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-data-'));
      fs.writeFileSync(path.join(dir, 'notes.txt'), 'reproducible science\n');
      vol = await res.volume();
      box = await res.run({
        Cmd: ['sh', '-c', 'echo "server ready on port 1234"; echo "warming up" >&2; sleep 120'],
        Env: ['PASSWORD=hunter2', 'DISABLE_AUTH=false'],
        Labels: { [CASE]: 'data' },
        HostConfig: { NetworkMode: 'none', Binds: [`${dir}:/work:ro`, `${vol}:/data`] },
      });
      await waitRunning(box.container);
    });

    after(function () {
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it('mount: a bind mount from the right folder, read-only; wrong folder, wrong mode, nothing mounted', async function () {
      const ok = await expectStatus({ mount: { container: { label: `${CASE}=data` }, type: 'bind', source: dir, destination: '/work', readOnly: true } }, 'passed');
      assert.equal(ok.reason, `/work in container "${box.name}" is mounted from ${dir} (read-only)`);
      const wrong = await expectStatus({ mount: { container: { label: `${CASE}=data` }, source: '/tmp/elsewhere', destination: '/work' } }, 'failed');
      assert.equal(wrong.reason, `/work in container "${box.name}" is mounted from path ${dir}, not from /tmp/elsewhere`);
      const rw = await expectStatus({ mount: { container: { label: `${CASE}=data` }, destination: '/work', readOnly: false } }, 'failed');
      assert.equal(rw.reason, `/work in container "${box.name}" is mounted read-only; remove :ro`);
      const none = await expectStatus({ mount: { container: { label: `${CASE}=data` }, destination: '/home/jovyan/work', source: dir } }, 'failed');
      assert.equal(none.reason, `nothing is mounted at /home/jovyan/work in container "${box.name}" (it has /data, /work); run it with -v ${dir}:/home/jovyan/work`);
    });

    it('mount: a named volume, and the source given by a placeholder', async function () {
      await expectStatus({ mount: { container: { label: `${CASE}=data` }, type: 'volume', source: vol, destination: '/data', readOnly: false } }, 'passed');
      const typ = await expectStatus({ mount: { container: { label: `${CASE}=data` }, type: 'bind', destination: '/data' } }, 'failed');
      assert.equal(typ.reason, `/data in container "${box.name}" is a volume mount, not a bind mount`);
      const placeholders: PlaceholderValues = { workspaceFolder: os.tmpdir(), userHome: os.homedir(), labData: dir, registry: 'localhost:5000' };
      await expectStatus({ mount: { container: { label: `${CASE}=data` }, source: '${labData}', destination: '/work' } }, 'passed', { placeholders });
      const other: PlaceholderValues = { ...placeholders, labData: '/tmp/cl-test-not-the-data' };
      const r = await expectStatus({ mount: { container: { label: `${CASE}=data` }, source: '${labData}', destination: '/work' } }, 'failed', { placeholders: other });
      assert.equal(r.reason, `/work in container "${box.name}" is mounted from path ${dir}, not from /tmp/cl-test-not-the-data`);
    });

    it('mount: tmpfs from --tmpfs (HostConfig.Tmpfs) and from --mount type=tmpfs', async function () {
      const flag = await res.run({
        Cmd: ['sleep', '120'],
        Labels: { [CASE]: 'tmpfs-flag' },
        HostConfig: { NetworkMode: 'none', Tmpfs: { '/scratch': 'rw,size=1m' } },
      });
      const typed = await res.run({
        Cmd: ['sleep', '120'],
        Labels: { [CASE]: 'tmpfs-mount' },
        HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'tmpfs', Source: '', Target: '/scratch' }] },
      });
      await waitRunning(flag.container);
      await waitRunning(typed.container);
      const a = await expectStatus({ mount: { container: { label: `${CASE}=tmpfs-flag` }, type: 'tmpfs', destination: '/scratch' } }, 'passed');
      assert.equal(a.reason, `/scratch in container "${flag.name}" is mounted from tmpfs`);
      await expectStatus({ mount: { container: { label: `${CASE}=tmpfs-mount` }, type: 'tmpfs', destination: '/scratch' } }, 'passed');
      const bind = await expectStatus({ mount: { container: { label: `${CASE}=tmpfs-flag` }, type: 'bind', destination: '/scratch' } }, 'failed');
      assert.match(bind.reason, /nothing is mounted at \/scratch/);
    });

    it('file: inside the container (exec cat, demuxed) and on the host', async function () {
      const ok = await expectStatus({ file: { container: { label: `${CASE}=data` }, path: '/work/notes.txt', contains: 'reproducible' } }, 'passed');
      assert.equal(ok.reason, `/work/notes.txt exists in container "${box.name}" and contains "reproducible"`);
      const missing = await expectStatus({ file: { container: { label: `${CASE}=data` }, path: '/work/missing.txt' } }, 'failed');
      assert.equal(missing.reason, `/work/missing.txt does not exist in container "${box.name}"`);
      const text = await expectStatus({ file: { container: { label: `${CASE}=data` }, path: '/work/notes.txt', contains: 'irreproducible' } }, 'failed');
      assert.equal(text.reason, `/work/notes.txt in container "${box.name}" does not contain "irreproducible"`);
      await expectStatus({ file: { path: path.join(dir, 'notes.txt'), contains: 'science' } }, 'passed');
      const host = await expectStatus({ file: { path: path.join(dir, 'nope.txt') } }, 'failed');
      assert.equal(host.reason, `${path.join(dir, 'nope.txt')} does not exist on this computer`);
    });

    it('logs: stdout and stderr, demuxed', async function () {
      await waitFor('the log line', async () => (await evaluateCheck({ logs: { container: { label: `${CASE}=data` }, contains: 'warming up' } }, ctx())).status === 'passed', 5000, 100);
      const ok = await expectStatus({ logs: { container: { label: `${CASE}=data` }, contains: 'server ready on port 1234' } }, 'passed');
      assert.equal(ok.reason, `the logs of container "${box.name}" contain "server ready on port 1234"`);
      const no = await expectStatus({ logs: { container: { label: `${CASE}=data` }, contains: 'token=' } }, 'failed');
      assert.match(no.reason, new RegExp(`^the logs of container "${box.name}" do not contain "token="; its last line is "(warming up|server ready on port 1234)"$`));
    });

    it('patterns (RE2): logs matches, file matches in a container and on the host, http bodyMatches; what matched is named', async function () {
      await waitFor('the log line', async () => (await evaluateCheck({ logs: { container: { label: `${CASE}=data` }, contains: 'server ready' } }, ctx())).status === 'passed', 5000, 100);
      const logs = await expectStatus({ logs: { container: { label: `${CASE}=data` }, matches: 'ready on port \\d+' } }, 'passed');
      assert.equal(logs.reason, `the logs of container "${box.name}" match /ready on port \\d+/ ("ready on port 1234")`);
      const both = await expectStatus({ logs: { container: { label: `${CASE}=data` }, contains: 'server', matches: '(?i)PORT 9\\d{3}' } }, 'failed');
      assert.match(both.reason, new RegExp(`^the logs of container "${box.name}" do not match /\\(\\?i\\)PORT 9\\\\d\\{3\\}/; its last line is `));
      const inBox = await expectStatus({ file: { container: { label: `${CASE}=data` }, path: '/work/notes.txt', matches: '(?m)^.*reproduc\\w+' } }, 'passed');
      assert.equal(inBox.reason, `/work/notes.txt exists in container "${box.name}" and matches /(?m)^.*reproduc\\w+/`);
      const onHost = await expectStatus({ file: { path: path.join(dir, 'notes.txt'), matches: '^sci[a-z]+$' } }, 'failed');
      assert.equal(onHost.reason, `${path.join(dir, 'notes.txt')} exists but does not match /^sci[a-z]+$/`);
      await expectStatus({ file: { path: path.join(dir, 'notes.txt'), matches: '(?i)SCIENCE' } }, 'passed');
    });

    it('env: set, wrong value (secrets masked), missing', async function () {
      await expectStatus({ env: { container: { label: `${CASE}=data` }, name: 'PASSWORD' } }, 'passed');
      const wrong = await expectStatus({ env: { container: { label: `${CASE}=data` }, name: 'DISABLE_AUTH', value: 'true' } }, 'failed');
      assert.equal(wrong.reason, `DISABLE_AUTH is "false" in container "${box.name}", not "true"`);
      const secret = await expectStatus({ env: { container: { label: `${CASE}=data` }, name: 'PASSWORD', value: 'letmein' } }, 'failed');
      assert.ok(!secret.reason.includes('hunter2') && !secret.reason.includes('letmein'), secret.reason);
      const missing = await expectStatus({ env: { container: { label: `${CASE}=data` }, name: 'USERID', value: '1000' } }, 'failed');
      assert.equal(missing.reason, `USERID is not set in container "${box.name}"; run it with -e USERID=1000`);
    });

    it('volume / volumeAbsent', async function () {
      const ok = await expectStatus({ volume: { name: vol } }, 'passed');
      assert.equal(ok.reason, `volume ${vol} exists (local driver)`);
      const gone = await expectStatus({ volume: { name: `${NEVER_VOLUME}` } }, 'failed');
      assert.equal(gone.reason, `volume ${NEVER_VOLUME} does not exist: create it with docker volume create ${NEVER_VOLUME} (or -v ${NEVER_VOLUME}:/path)`);
      const used = await expectStatus({ volumeAbsent: { name: vol } }, 'failed');
      assert.equal(used.reason, `volume ${vol} still exists and is used by ${box.name}: remove the container first, then docker volume rm ${vol}`);
      await expectStatus({ volumeAbsent: { name: `${NEVER_VOLUME}` } }, 'passed');
    });

    it('network / networkAbsent: exists, its driver, a container connected or not, and what stands in the way of removing it', async function () {
      const net = uniqueName('net');
      await docker.createNetwork({ Name: net, Driver: 'bridge', Labels: { [CASE]: 'network' } });
      res.networks.add(net);
      const ok = await expectStatus({ network: { name: net, driver: 'bridge' } }, 'passed');
      assert.equal(ok.reason, `network ${net} exists (bridge driver)`);
      const driver = await expectStatus({ network: { name: net, driver: 'macvlan' } }, 'failed');
      assert.equal(driver.reason, `network ${net} uses the bridge driver, not macvlan: remove it (docker network rm ${net}) and create it with docker network create --driver macvlan ${net}`);
      const missing = `${net}-never`;
      const none = await expectStatus({ network: { name: missing } }, 'failed');
      assert.equal(none.reason, `network ${missing} does not exist: create it with docker network create ${missing}`);

      const outside = await res.run({ Cmd: ['sleep', '60'], Labels: { [CASE]: 'net-outside' }, HostConfig: { NetworkMode: 'none' } });
      const inside = await res.run({ Cmd: ['sleep', '60'], Labels: { [CASE]: 'net-inside' }, HostConfig: { NetworkMode: net } });
      await waitRunning(inside.container);
      const connected = await expectStatus({ network: { name: net, container: { label: `${CASE}=net-inside` } } }, 'passed');
      assert.equal(connected.reason, `container "${inside.name}" is connected to network ${net}`);
      const apart = await expectStatus({ network: { name: net, container: { label: `${CASE}=net-outside` } } }, 'failed');
      // Docker lists --network none as a network of its own; Podman lists no network at all.
      const on = (await isPodman(docker)) ? '' : ' (it is on none)';
      assert.equal(apart.reason, `container "${outside.name}" is not connected to network ${net}${on}: run it with --network ${net}, or connect it with docker network connect ${net} ${outside.name}`);

      const inUse = await expectStatus({ networkAbsent: { name: net } }, 'failed');
      assert.equal(inUse.reason, `network ${net} still exists and 1 container is connected to it (${inside.name}): stop or disconnect it (docker network disconnect ${net} ${inside.name}), then docker network rm ${net}`);
      await inside.container.remove({ force: true });
      res.containers.delete(inside.container.id);
      const idle = await expectStatus({ networkAbsent: { name: net } }, 'failed');
      assert.equal(idle.reason, `network ${net} still exists: remove it with docker network rm ${net}`);
      await docker.getNetwork(net).remove();
      res.networks.delete(net);
      const removed = await expectStatus({ networkAbsent: { name: net } }, 'passed');
      assert.equal(removed.reason, `network ${net} does not exist`);
    });

    it('all / any / not combine the parts', async function () {
      const all = await expectStatus({ all: [{ volume: { name: vol } }, { env: { container: { label: `${CASE}=data` }, name: 'PASSWORD' } }] }, 'passed');
      assert.equal(all.children?.length, 2);
      const allFail = await expectStatus({ all: [{ volume: { name: vol } }, { volume: { name: `${NEVER_VOLUME}` } }] }, 'failed');
      assert.ok(allFail.reason.startsWith(`volume ${NEVER_VOLUME} does not exist`));
      await expectStatus({ any: [{ volume: { name: `${NEVER_VOLUME}` } }, { volume: { name: vol } }] }, 'passed');
      const anyFail = await expectStatus({ any: [{ volume: { name: `${NEVER_VOLUME}` } }, { image: { ref: `${NEVER}` } }] }, 'failed');
      assert.ok(anyFail.reason.startsWith(`none of the alternatives holds: volume ${NEVER_VOLUME} does not exist`));
      await expectStatus({ not: { volume: { name: `${NEVER_VOLUME}` } } }, 'passed');
      const notFail = await expectStatus({ not: { volume: { name: vol } } }, 'failed');
      assert.equal(notFail.reason, `it should not be so, but volume ${vol} exists (local driver)`);
    });
  });

  describe('when the engine cannot be asked', function () {
    it('an engine that is not there gives status error with the reason, not a failure', async function () {
      const gone = socketDocker('/tmp/cl-test-no-such-engine.sock');
      const r = await evaluateCheck({ container: { name: 'x' } }, { docker: gone, publishedHost: '127.0.0.1', since: 0 });
      assert.equal(r.status, 'error');
      assert.equal(r.reason, 'cannot check: nothing listens at /tmp/cl-test-no-such-engine.sock (the socket does not exist)');
    });

    it('an engine that never answers hits the deadline', async function () {
      const sock = path.join(os.tmpdir(), `cl-test-hang-${process.pid}.sock`);
      fs.rmSync(sock, { force: true });
      const sockets: net.Socket[] = [];
      const server = net.createServer((s) => sockets.push(s)); // accepts, never answers
      await new Promise<void>((resolve) => server.listen(sock, resolve));
      try {
        const hung = socketDocker(sock);
        const r = await evaluateCheck({ all: [{ image: { ref: 'alpine' } }, { container: { name: 'x' } }] }, { docker: hung, publishedHost: '127.0.0.1', since: 0, timeoutMs: 300 });
        // The reason says the deadline was what ended it; how long that took is the benchmark's figure.
        assert.equal(r.status, 'error');
        assert.equal(r.reason, 'cannot check: the Docker Engine did not answer within 0.3 s');
      } finally {
        for (const s of sockets) s.destroy();
        server.close();
        fs.rmSync(sock, { force: true });
      }
    });

    it('an aborted signal stops the check', async function () {
      const controller = new AbortController();
      controller.abort();
      const r = await evaluateCheck({ image: { ref: 'cl-test-busybox' } }, ctx({ signal: controller.signal }));
      assert.equal(r.status, 'error');
    });
  });

  describe('speed', function () {
    it('a port + http + running check passes 30 times in a row (its median time is printed for the benchmark)', async function () {
      const port = await freePort();
      const { container } = await res.run({
        Cmd: ['sh', '-c', HTTPD_SCRIPT],
        Labels: { [CASE]: 'speed' },
        ExposedPorts: { '80/tcp': {} },
        HostConfig: { NetworkMode: await res.network(), PortBindings: { '80/tcp': [{ HostPort: String(port) }] } },
      });
      await waitRunning(container);
      const check: Check = {
        all: [
          { container: { image: 'cl-test-busybox', label: `${CASE}=speed`, state: 'running' } },
          { port: { container: { image: 'cl-test-busybox', label: `${CASE}=speed` }, containerPort: 80, hostPort: port } },
          { http: { container: { image: 'cl-test-busybox', label: `${CASE}=speed` }, containerPort: 80, path: '/' } },
        ],
      };
      await waitFor('httpd', async () => (await evaluateCheck(check, ctx())).status === 'passed', 10_000, 100);
      const times: number[] = [];
      for (let i = 0; i < 30; i++) {
        const r = await evaluateCheck(check, ctx());
        assert.equal(r.status, 'passed', r.reason);
        times.push(r.elapsedMs ?? Infinity);
      }
      times.sort((a, b) => a - b);
      const median = times[15] ?? Infinity;
       
      console.log(`      port+http+running check: median ${median.toFixed(2)} ms, min ${(times[0] ?? 0).toFixed(2)} ms`);
      // The figure is the benchmark's (scripts/bench.mjs): a shared, loaded machine says nothing about speed.
    });
  });
});

describe('checks: pure helpers', function () {
  it('normalizeImageRef adds :latest like Docker and keeps registries with ports', function () {
    assert.equal(normalizeImageRef('alpine'), 'alpine:latest');
    assert.equal(normalizeImageRef('docker.io/library/alpine:3.19'), 'alpine:3.19');
    assert.equal(normalizeImageRef('jupyter/base-notebook'), 'jupyter/base-notebook:latest');
    assert.equal(normalizeImageRef('localhost:5000/me/app'), 'localhost:5000/me/app:latest');
    assert.equal(normalizeImageRef('localhost:5000/me/app:v1'), 'localhost:5000/me/app:v1');
  });

  it('explainStartError names the port or the missing command', function () {
    assert.equal(explainStartError('driver failed programming external connectivity on endpoint x (abc): Bind for 0.0.0.0:8888 failed: port is already allocated'), 'host port 8888 is already used by another container');
    assert.equal(explainStartError('Error starting userland proxy: listen tcp4 0.0.0.0:8787: bind: address already in use'), 'host port 8787 is already in use by another program on the host');
  });

  it('demuxBuffer strips stream frames and leaves raw TTY output alone', function () {
    const frame = (type: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = type;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    assert.equal(demuxBuffer(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')])), 'out\nerr\n');
    assert.equal(demuxBuffer(Buffer.from('plain tty text\n')), 'plain tty text\n');
  });

  it('describeCheck and checkNeedsPolling', function () {
    assert.equal(describeCheck({ image: { ref: 'alpine' } }), 'image alpine:latest is present');
    assert.equal(
      describeCheck({ port: { container: { image: 'jupyter/base-notebook' }, containerPort: 8888, hostPort: 8888 } }),
      'a running container from jupyter/base-notebook publishes 8888/tcp on host port 8888, created since this step opened',
    );
    assert.equal(describeCheck({ container: { name: 'web', state: 'running', since: 'any' } }), 'a container named "web" is running');
    assert.equal(
      describeCheck({ container: { image: 'alpine', state: 'running', tty: true, autoRemove: true } }),
      'a container from alpine is running, with a TTY (-t), removed on exit (--rm), created since this step opened',
    );
    assert.equal(checkNeedsPolling({ http: { container: {}, containerPort: 80 } }), true);
    assert.equal(checkNeedsPolling({ all: [{ image: { ref: 'a' } }, { logs: { container: {}, contains: 'x' } }] }), true);
    assert.equal(checkNeedsPolling({ all: [{ image: { ref: 'a' } }, { container: { state: 'running' } }] }), false);
  });
});
