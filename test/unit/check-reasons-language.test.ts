/**
 * What a check says, in the language `l10n.t` speaks: with the Spanish bundle configured (as the
 * CLI does from `LANG=es_ES.UTF-8`, src/cli/language.ts) the descriptions and reasons of the
 * checks are whole Spanish sentences, with Docker's own words (states, options, names) left as
 * Docker prints them; with no bundle they are the English of today, word for word.
 *
 * No engine: descriptions are pure, host-file checks read this computer, and the container
 * reasons come from hand-made engine answers (a snapshot whose inspect answers from a table)
 * and, for the http kind, a real HTTP server on 127.0.0.1.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type Dockerode from 'dockerode';
import { useCliLanguage } from '../../src/cli/language';
import { describeCheck } from '../../src/core/checks/describe';
import { evaluateCheck, type CheckContext } from '../../src/core/checks/evaluate';
import { CHECK_KIND_TABLE } from '../../src/core/checks/kinds';
import { portVerdict } from '../../src/core/checks/kinds/port';
import { EngineSnapshot } from '../../src/core/checks/snapshot';
import { exitText, explainStartError } from '../../src/core/checks/words';
import type { Check, CheckResult, HttpCheck } from '../../src/core/model';
import { socketDocker } from '../support/engine';

const SPANISH = { LANG: 'es_ES.UTF-8' };

/** No engine listens here: nothing below may need one. */
const NOWHERE = socketDocker(path.join(os.tmpdir(), 'cl-test-no-engine.sock'));

/** A running container `web` as the engine lists it, publishing 80/tcp on host port 8080. */
function listed(over: Partial<Dockerode.ContainerInfo> = {}): Dockerode.ContainerInfo {
  return {
    Id: 'c0ffee'.repeat(10),
    Names: ['/web'],
    Image: 'nginx',
    ImageID: 'sha256:1234',
    Command: 'nginx -g daemon off;',
    Created: 1_700_000_000,
    Ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }],
    Labels: {},
    State: 'running',
    Status: 'Up 5 minutes',
    HostConfig: { NetworkMode: 'default' },
    NetworkSettings: { Networks: {} },
    Mounts: [],
    ...over,
  };
}

/** The engine's inspect of a running container `web` (the fields the checks read), port 80 on 127.0.0.1:`hostPort`. */
function inspected(hostPort: number): Dockerode.ContainerInspectInfo {
  const info = {
    Id: 'c0ffee'.repeat(10),
    Name: '/web',
    Image: 'sha256:1234',
    Path: 'httpd',
    Args: ['-f'],
    Created: '2024-05-01T10:00:00Z',
    Config: { Image: 'nginx', Labels: {} },
    State: { Status: 'running', ExitCode: 0, Error: '', OOMKilled: false },
    HostConfig: { NetworkMode: 'default' },
    NetworkSettings: { Ports: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(hostPort) }] }, Networks: {} },
    Mounts: [],
  };
  // Only the fields the checks read: the rest of an inspect is of no use here.
  return info as unknown as Dockerode.ContainerInspectInfo;
}

/** An evaluation's snapshot whose inspect answers from `containers` (by id or name) instead of an engine. */
class HandMadeSnapshot extends EngineSnapshot {
  constructor(private readonly containers: ReadonlyMap<string, Dockerode.ContainerInspectInfo>) {
    super({ docker: NOWHERE, timeoutMs: 2000 });
  }

  override inspect(id: string): Promise<Dockerode.ContainerInspectInfo | undefined> {
    return Promise.resolve(this.containers.get(id));
  }
}

/** The same calls, once in Spanish and once in English: each gives exactly what is expected. */
async function inBoth<T>(call: () => T | Promise<T>, expected: { es: T; en: T }): Promise<void> {
  assert.equal(useCliLanguage(SPANISH), 'es', 'the Spanish bundle is configured');
  assert.deepEqual(await call(), expected.es);
  assert.equal(useCliLanguage({}), undefined, 'English again');
  assert.deepEqual(await call(), expected.en);
}

describe('check descriptions and reasons in the language of l10n', function () {
  this.timeout(20_000);
  let dir: string;
  let server: http.Server;
  let port: number;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cl-test-reasons-language-'));
    fs.writeFileSync(path.join(dir, 'app.conf'), 'port=80\n');
    server = http.createServer((req, res) => {
      if (req.url === '/health') res.end('starting');
      else {
        res.statusCode = 404;
        res.end('no such page');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    // Leave the library in English for whatever runs next in this process.
    useCliLanguage({});
    fs.rmSync(dir, { recursive: true, force: true });
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('describes a container, a port, an http, a logs and a combined check', async () => {
    const checks: Check[] = [
      { container: { name: 'web', state: 'running', tty: true } },
      { port: { container: { name: 'web' }, containerPort: 80, hostPort: 8080 } },
      { http: { container: { image: 'nginx', since: 'any' }, containerPort: 80, path: '/health', status: 200, bodyContains: 'ok' } },
      { all: [{ logs: { container: { name: 'web', commandContains: 'nginx' }, contains: 'ready' } }, { not: { volume: { name: 'data' } } }] },
      { any: [{ containerAbsent: { name: 'web' } }, { imageAbsent: { ref: 'nginx' } }] },
    ];
    await inBoth(() => checks.map(describeCheck), {
      es: [
        'un contenedor con el nombre "web" está en estado running, con una TTY (-t), creado desde que se abrió este paso',
        'un contenedor en marcha con el nombre "web" publica el 80/tcp en el puerto 8080 del host, creado desde que se abrió este paso',
        'HTTP GET /health en el puerto que publica el 80 de un contenedor de la imagen nginx responde con el estado 200 y un cuerpo que contiene "ok"',
        'los registros de un contenedor con el nombre "web" con "nginx" en su orden contienen "ready"; y no: existe el volumen data',
        'una de estas: no existe ningún contenedor con el nombre "web"; o la imagen nginx:latest se ha eliminado',
      ],
      en: [
        'a container named "web" is running, with a TTY (-t), created since this step opened',
        'a running container named "web" publishes 80/tcp on host port 8080, created since this step opened',
        'HTTP GET /health on the port publishing 80 of a container from nginx answers status 200 with a body that contains "ok"',
        'the logs of a container named "web" running a command with "nginx" contain "ready"; and not: volume data exists',
        'one of: no container named "web" exists; or image nginx:latest is removed',
      ],
    });
  });

  it('says what an exit code and a start error mean', async () => {
    await inBoth(() => [exitText(1), exitText(137, true), exitText(42), explainStartError('Bind for 0.0.0.0:8888 failed: port is already allocated')], {
      es: ['código 1 (el programa informó de un error)', 'código 137 (terminado a la fuerza: sin memoria)', 'código 42', 'el puerto 8888 del host ya lo usa otro contenedor'],
      en: ['code 1 (the program reported an error)', 'code 137 (killed: out of memory)', 'code 42', 'host port 8888 is already used by another container'],
    });
  });

  it('gives the reasons of a container that is not running, with its exit code, and of one paused', async () => {
    // The engine no longer has the container's details: its exit code is read from its status.
    const engine = new HandMadeSnapshot(new Map());
    const exited = listed({ State: 'exited', Status: 'Exited (137) 2 seconds ago' });
    const paused = listed({ State: 'paused', Status: 'Up 5 minutes (Paused)' });
    await inBoth(() => Promise.all([engine.notRunning(exited, { name: 'web' }), engine.notRunning(paused, { image: 'nginx' })]), {
      es: [
        'el contenedor "web" no está en marcha: salió con código 137 (terminado a la fuerza: docker kill, docker stop pasado el tiempo de gracia, o falta de memoria)',
        'el contenedor "web" (de nginx) está en pausa: docker unpause web',
      ],
      en: [
        'container "web" is not running: it exited with code 137 (killed: docker kill, docker stop after the grace period, or out of memory)',
        'nginx (container "web") is paused: docker unpause web',
      ],
    });
  });

  it('gives the reasons of a port check', async () => {
    const engine = new HandMadeSnapshot(new Map());
    const reasons = async (): Promise<string[]> => [
      (await portVerdict(listed(), { container: { name: 'web' }, containerPort: 80, hostPort: 9090 }, engine)).reason,
      (await portVerdict(listed({ Ports: [] }), { container: { name: 'web' }, containerPort: 80 }, engine)).reason,
      (await portVerdict(listed(), { container: { name: 'web' }, containerPort: 80 }, engine)).reason,
    ];
    await inBoth(reasons, {
      es: [
        'el contenedor "web" está en marcha, pero publica el 80 en el puerto 8080 del host, no en el 9090; ejecútalo con -p 9090:80',
        'el contenedor "web" está en marcha, pero no publica ningún puerto; ejecútalo con -p 80:80',
        'el contenedor "web" publica el 80 en el puerto 8080 del host',
      ],
      en: [
        'container "web" is running but publishes 80 on host port 8080, not 9090; run it with -p 9090:80',
        'container "web" is running but publishes no ports; run it with -p 80:80',
        'container "web" publishes 80 on host port 8080',
      ],
    });
  });

  it('gives the reasons of an http check, from a real answer', async () => {
    const web = inspected(port);
    const engine = new HandMadeSnapshot(new Map([['web', web], [web.Id, web]]));
    const evaluate = (check: HttpCheck): Promise<CheckResult> =>
      CHECK_KIND_TABLE.http.evaluate(check, engine, () => Promise.reject(new Error('an http check has no parts')));
    const reasons = async (): Promise<string[]> => [
      (await evaluate({ container: { name: 'web' }, containerPort: 80 })).reason,
      (await evaluate({ container: { name: 'web' }, containerPort: 80, path: '/health', bodyContains: 'ok' })).reason,
      (await evaluate({ container: { name: 'web' }, containerPort: 80, path: '/health', status: 200 })).reason,
    ];
    const url = `http://127.0.0.1:${port}`;
    await inBoth(reasons, {
      es: [
        `GET ${url}/ respondió 404 (Not Found); se esperaba un estado 2xx o 3xx`,
        `GET ${url}/health respondió 200 (OK), pero el cuerpo no contiene "ok"`,
        `GET ${url}/health respondió 200 (OK)`,
      ],
      en: [
        `GET ${url}/ answered 404 (Not Found), expected a 2xx or 3xx status`,
        `GET ${url}/health answered 200 (OK) but the body does not contain "ok"`,
        `GET ${url}/health answered 200 (OK)`,
      ],
    });
  });

  it('gives the reasons of a file check on this computer, alone and in any', async () => {
    const conf = path.join(dir, 'app.conf');
    const missing = path.join(dir, 'missing.conf');
    const ctx: CheckContext = { docker: NOWHERE, timeoutMs: 2000 };
    const checks: Check[] = [
      { file: { path: conf, contains: 'port=80' } },
      { file: { path: conf, matches: '^port=443$' } },
      { any: [{ file: { path: missing } }, { not: { file: { path: conf } } }] },
    ];
    const reasons = (): Promise<string[]> => Promise.all(checks.map(async (check) => (await evaluateCheck(check, ctx)).reason));
    await inBoth(reasons, {
      es: [
        `${conf} existe y contiene "port=80"`,
        `${conf} existe, pero no coincide con /^port=443$/`,
        `no se cumple ninguna de las alternativas: ${missing} no existe en este equipo; o no debería ser así, pero ${conf} existe`,
      ],
      en: [
        `${conf} exists and contains "port=80"`,
        `${conf} exists but does not match /^port=443$/`,
        `none of the alternatives holds: ${missing} does not exist on this computer; or it should not be so, but ${conf} exists`,
      ],
    });
  });
});
