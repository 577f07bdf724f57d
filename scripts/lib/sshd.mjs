// An ssh test host: Debian's OpenSSH server on a loopback port, as a class's remote engine is
// reached with DOCKER_HOST=ssh://user@host. The engine behind it is this machine's: a remote
// `docker system dial-stdio` talks to the Docker engine's socket, like on a real remote host.
//
// Made per run in a HostDir (scripts/lib/daemon.mjs), nothing in ~/.ssh or /etc/ssh touched:
//   host_key                   the server's host key; known_hosts lists it for 127.0.0.1:PORT
//   client_key                 authorized, held by an ssh-agent of the run (SSH_AUTH_SOCK)
//   nodocker_key               authorized, but its sessions find no docker (PATH=/nonexistent)
//   refused_key                never authorized
//   ssh_config                 the client's configuration: known_hosts, the agent, BatchMode,
//                              and a host alias `cl-test-engine` (HostName 127.0.0.2, Port, User
//                              root): another loopback address, where sshd listens too, so that
//                              a test sees published ports probed on the engine's host, not on
//                              127.0.0.1 by chance
//   ssh_config-unknown-host    the same with an empty known_hosts file
//   ssh_config-refused         the refused key instead of the agent
//   ssh_config-no-docker       the nodocker key instead of the agent
//   bin/ssh                    `ssh -F $CL_TEST_SSH_CONFIG (default ssh_config)`: put first on
//                              PATH, the docker CLI and the product (which both run `ssh`) use it
// sshd must be started with its absolute path; it needs /run/sshd (privilege separation).
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { delimiter } from 'node:path';
import { aptInstall } from './apt.mjs';
import { freePort, run, UserError, which } from './common.mjs';
import { HostDir, reapStaleHosts } from './daemon.mjs';

export const SSH_ALIAS = 'cl-test-engine';
/** The address the alias stands for: loopback, but not 127.0.0.1. */
const ALIAS_ADDRESS = '127.0.0.2';

async function keygen(file, comment) {
  const r = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file], { capture: true, echo: false });
  if (r.code !== 0) throw new UserError(`ssh-keygen failed (exit ${r.code}): ${r.stderr.trim()}`);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

/** Whether sshd answers with its banner on the port. */
function banner(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('data', (d) => {
      socket.destroy();
      resolve(String(d).startsWith('SSH-'));
    });
    socket.once('error', () => resolve(false));
  });
}

function clientConfig(port, { knownHosts, identity }) {
  const auth = identity ? ['IdentityAgent none', `IdentityFile ${identity}`, 'IdentitiesOnly yes'] : [];
  return [
    `Host ${SSH_ALIAS}`,
    `  HostName ${ALIAS_ADDRESS}`,
    `  Port ${port}`,
    '  User root',
    'Host *',
    `  UserKnownHostsFile ${knownHosts}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    '  PasswordAuthentication no',
    '  KbdInteractiveAuthentication no',
    ...auth.map((line) => `  ${line}`),
    '',
  ].join('\n');
}

/**
 * Starts sshd on 127.0.0.1:<free port> (its sessions' docker talking to `engine`, a unix socket
 * engine as ensureEngine found it) and an ssh-agent holding the client key. Resolves
 * `{ kind: 'ssh', host, env, dir, stop() }`: `env` holds DOCKER_HOST=ssh://root@127.0.0.1:PORT,
 * SSH_AUTH_SOCK, and PATH with bin/ first; `env.CONTAINER_LABS_TEST_SSH_DIR` is the run folder.
 */
export async function startSshHost({ engine, log = () => undefined }) {
  if (!String(engine.host).startsWith('unix://')) throw new UserError(`the ssh test host needs an engine on a unix socket, not ${engine.host}`);
  await aptInstall(['openssh-server', 'openssh-client'], { log, forWhat: 'the ssh test host' });
  for (const dir of await reapStaleHosts('ssh')) log(`stopped the servers of a run that ended without stopping them (${dir})`);
  const docker = await which('docker');
  if (!docker) throw new UserError('the ssh test host needs the docker CLI on this machine (the remote end runs `docker system dial-stdio`)');
  const host = new HostDir('ssh');
  try {
    const port = await freePort();
    const hostKey = await keygen(host.path('host_key'), 'container-labs test host');
    const clientKey = await keygen(host.path('client_key'), 'container-labs student');
    const noDockerKey = await keygen(host.path('nodocker_key'), 'container-labs student without docker');
    await keygen(host.path('refused_key'), 'container-labs stranger');
    writeFileSync(host.path('authorized_keys'), `${clientKey}\ncommand="PATH=/nonexistent; export PATH; eval \\"$SSH_ORIGINAL_COMMAND\\"" ${noDockerKey}\n`, { mode: 0o600 });
    const key = hostKey.split(' ').slice(0, 2).join(' ');
    writeFileSync(host.path('known_hosts'), `[127.0.0.1]:${port} ${key}\n[${ALIAS_ADDRESS}]:${port} ${key}\n`);
    writeFileSync(host.path('known_hosts-empty'), '');
    const conf = host.path('sshd_config');
    writeFileSync(conf, [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `ListenAddress ${ALIAS_ADDRESS}`,
      `HostKey ${host.path('host_key')}`,
      `PidFile ${host.path('sshd.pid')}`,
      `AuthorizedKeysFile ${host.path('authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      // The run folder is in /tmp (world-writable, sticky): sshd would refuse its keys otherwise.
      'StrictModes no',
      // The remote sessions are root's on this machine, whose own dotfiles (a slow ~/.bashrc,
      // a docker context) are not part of the remote host being played: a home of its own.
      // The remote docker reaches the engine the other lanes use.
      `SetEnv PATH=${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'} HOME=${host.path('home')} DOCKER_HOST=${engine.host}`,
      'LogLevel VERBOSE',
      '',
    ].join('\n'));
    writeFileSync(host.path('ssh_config'), clientConfig(port, { knownHosts: host.path('known_hosts') }));
    writeFileSync(host.path('ssh_config-unknown-host'), clientConfig(port, { knownHosts: host.path('known_hosts-empty') }));
    writeFileSync(host.path('ssh_config-refused'), clientConfig(port, { knownHosts: host.path('known_hosts'), identity: host.path('refused_key') }));
    writeFileSync(host.path('ssh_config-no-docker'), clientConfig(port, { knownHosts: host.path('known_hosts'), identity: host.path('nodocker_key') }));
    const ssh = await which('ssh');
    mkdirSync(host.path('bin'));
    writeFileSync(host.path('bin', 'ssh'), `#!/bin/sh\nexec ${ssh} -F "\${CL_TEST_SSH_CONFIG:-${host.path('ssh_config')}}" "$@"\n`);
    chmodSync(host.path('bin', 'ssh'), 0o755);
    mkdirSync(host.path('home'));
    mkdirSync('/run/sshd', { recursive: true });
    await host.start('sshd', '/usr/sbin/sshd', ['-D', '-e', '-f', conf], { ready: () => banner(port), deadlineMs: 20_000 });
    const agentSocket = host.path('agent.sock');
    await host.start('ssh-agent', 'ssh-agent', ['-D', '-a', agentSocket], { ready: async () => (await run('ssh-add', ['-l'], { capture: true, echo: false, env: { ...process.env, SSH_AUTH_SOCK: agentSocket } })).code !== 2 });
    const add = await run('ssh-add', ['-q', host.path('client_key')], { capture: true, echo: false, env: { ...process.env, SSH_AUTH_SOCK: agentSocket } });
    if (add.code !== 0) throw new UserError(`ssh-add failed (exit ${add.code}): ${add.stderr.trim()}`);
    const url = `ssh://root@127.0.0.1:${port}`;
    const env = {
      DOCKER_HOST: url,
      SSH_AUTH_SOCK: agentSocket,
      PATH: `${host.path('bin')}${delimiter}${process.env.PATH ?? ''}`,
      CONTAINER_LABS_TEST_SSH_DIR: host.dir,
    };
    // The same way the docker CLI will go: proves the key, the host key and the remote docker.
    const probe = await run('docker', ['version', '--format', '{{.Server.Version}}'], { capture: true, echo: false, env: { ...process.env, ...env }, timeoutMs: 30_000 });
    if (probe.code !== 0) throw new UserError(`docker over ssh (${url}) does not answer: ${(probe.stderr || probe.stdout).trim()}`);
    return {
      kind: 'ssh',
      host: url,
      port,
      env,
      dir: host.dir,
      stop: async (opts) => ({ leftovers: [], killed: await host.stop(opts) }),
      describe: `sshd at ${url} (alias ${SSH_ALIAS} in ${host.path('ssh_config')}), key in an ssh-agent, docker ${probe.stdout.trim()} behind it`,
    };
  } catch (error) {
    await host.stop({ keep: true });
    throw error;
  }
}
