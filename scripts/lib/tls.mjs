// A TLS test host: Debian's stunnel4 on a loopback port in front of the Docker engine's unix
// socket, the way a lab VM exposes its engine on 2376 with `--tlsverify`: the server wants a
// client certificate signed by its CA, and clients verify the server's certificate.
//
// Everything is made per run with openssl in a HostDir (scripts/lib/daemon.mjs):
//   ca.pem, ca-key.pem                      the run's CA
//   server-cert.pem, server-key.pem         for IP:127.0.0.1, signed by that CA
//   certs/{ca,cert,key}.pem                 what a client needs: DOCKER_CERT_PATH
// and, for the tests of what health says when the client side is wrong:
//   certs-other-ca/{ca,cert,key}.pem        another CA, and a client certificate it signed
//   certs-no-client/ca.pem                  the right CA, but no client certificate
//   certs-mismatch/{ca,cert,key}.pem        a client certificate with someone else's key
// (`socat OPENSSL-LISTEN` is no substitute: it breaks when Node resumes a TLS session.)
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { aptInstall } from './apt.mjs';
import { freePort, run, UserError } from './common.mjs';
import { HostDir, reapStaleHosts } from './daemon.mjs';

const DAYS = '2';

async function openssl(args, cwd) {
  const r = await run('openssl', args, { cwd, capture: true, echo: false });
  if (r.code !== 0) throw new UserError(`openssl ${args.slice(0, 2).join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
}

/** A P-256 key and a certificate request for `subject`. */
async function keyAndRequest(dir, name, subject) {
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', subject], dir);
}

/** A self-signed CA (`name`.pem, `name`-key.pem). */
async function makeCa(dir, name, cn) {
  await openssl(['req', '-x509', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', DAYS, '-keyout', `${name}-key.pem`, '-out', `${name}.pem`, '-subj', `/CN=${cn}`], dir);
}

/** Signs `name`.csr with the CA `ca`, with the given X.509 v3 extensions. */
async function sign(dir, name, ca, extensions) {
  writeFileSync(`${dir}/${name}.ext`, `${extensions.join('\n')}\n`);
  await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`, '-CAcreateserial', '-days', DAYS, '-out', `${name}-cert.pem`, '-extfile', `${name}.ext`], dir);
}

function clientFolder(host, folder, files) {
  const dir = host.path(folder);
  mkdirSync(dir);
  for (const [to, from] of Object.entries(files)) cpSync(host.path(from), `${dir}/${to}`);
  return dir;
}

async function makeCertificates(host) {
  const dir = host.dir;
  await makeCa(dir, 'ca', 'Container Labs test CA');
  await keyAndRequest(dir, 'server', '/CN=127.0.0.1');
  await sign(dir, 'server', 'ca', ['subjectAltName=IP:127.0.0.1', 'extendedKeyUsage=serverAuth']);
  await keyAndRequest(dir, 'client', '/CN=container-labs-student');
  await sign(dir, 'client', 'ca', ['extendedKeyUsage=clientAuth']);
  await makeCa(dir, 'other-ca', 'Another CA');
  await keyAndRequest(dir, 'other-client', '/CN=container-labs-student');
  await sign(dir, 'other-client', 'other-ca', ['extendedKeyUsage=clientAuth']);
  return {
    certs: clientFolder(host, 'certs', { 'ca.pem': 'ca.pem', 'cert.pem': 'client-cert.pem', 'key.pem': 'client-key.pem' }),
    otherCa: clientFolder(host, 'certs-other-ca', { 'ca.pem': 'other-ca.pem', 'cert.pem': 'other-client-cert.pem', 'key.pem': 'other-client-key.pem' }),
    noClient: clientFolder(host, 'certs-no-client', { 'ca.pem': 'ca.pem' }),
    mismatch: clientFolder(host, 'certs-mismatch', { 'ca.pem': 'ca.pem', 'cert.pem': 'client-cert.pem', 'key.pem': 'other-client-key.pem' }),
  };
}

function listening(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts stunnel4 on 127.0.0.1:<free port> in front of `engine` (a unix socket engine as
 * ensureEngine found it). Resolves `{ kind: 'tls', host, env, certs, dir, stop() }`: `env` holds
 * DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH as a student sets them.
 */
export async function startTlsHost({ engine, log = () => undefined }) {
  if (!String(engine.host).startsWith('unix://')) throw new UserError(`the TLS test host needs an engine on a unix socket, not ${engine.host}`);
  await aptInstall(['stunnel4', 'openssl'], { log, forWhat: 'the TLS test host' });
  for (const dir of await reapStaleHosts('tls')) log(`stopped the servers of a run that ended without stopping them (${dir})`);
  const host = new HostDir('tls');
  try {
    const certs = await makeCertificates(host);
    const port = await freePort();
    const conf = host.path('stunnel.conf');
    writeFileSync(conf, [
      'foreground = yes',
      `pid = ${host.path('stunnel.pid')}`,
      'debug = notice',
      '[docker-tls]',
      `accept = 127.0.0.1:${port}`,
      `connect = ${engine.host.slice('unix://'.length)}`,
      `cert = ${host.path('server-cert.pem')}`,
      `key = ${host.path('server-key.pem')}`,
      `CAfile = ${host.path('ca.pem')}`,
      'verifyChain = yes',
      'requireCert = yes',
      '',
    ].join('\n'));
    await host.start('stunnel', 'stunnel4', [conf], { ready: () => listening(port), deadlineMs: 20_000 });
    const url = `tcp://127.0.0.1:${port}`;
    return {
      kind: 'tls',
      host: url,
      port,
      env: { DOCKER_HOST: url, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs.certs },
      certs,
      dir: host.dir,
      stop: async (opts) => ({ leftovers: [], killed: await host.stop(opts) }),
      describe: `stunnel4 with TLS at ${url} in front of ${engine.host} (client certificates in ${certs.certs})`,
    };
  } catch (error) {
    await host.stop({ keep: true });
    throw error;
  }
}
