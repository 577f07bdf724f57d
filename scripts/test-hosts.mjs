#!/usr/bin/env node
// The other engines the tests run against, set up on this machine from Debian's packages, on
// loopback only, with keys and certificates made for this run, and stopped when done:
//
//   node scripts/test-hosts.mjs podman [-- CMD ARGS...]   Podman's Docker-compatible API (unix socket)
//   node scripts/test-hosts.mjs tls    [-- CMD ARGS...]   the Docker engine behind TLS (stunnel4)
//   node scripts/test-hosts.mjs ssh    [-- CMD ARGS...]   the Docker engine behind sshd, key in ssh-agent
//
// With a command, runs it with the host's environment (DOCKER_HOST, DOCKER_TLS_VERIFY,
// DOCKER_CERT_PATH, SSH_AUTH_SOCK, ...) and exits with its code; without one, prints that
// environment as `export` lines and keeps the host up until Ctrl+C. Either way the host is
// stopped at the end (its servers by pid, its run folder removed). `--keep-logs` keeps the
// run folder (logs, configuration) for a look afterwards.
//
// Other scripts: `import { startTestHost } from './lib/hosts.mjs'`.
import { spawn } from 'node:child_process';
import { runMain, say, UserError } from './lib/common.mjs';
import { HOST_KINDS, startTestHost } from './lib/hosts.mjs';

function shellQuote(value) {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

runMain(async () => {
  const argv = process.argv.slice(2);
  const dashes = argv.indexOf('--');
  const own = dashes < 0 ? argv : argv.slice(0, dashes);
  const command = dashes < 0 ? [] : argv.slice(dashes + 1);
  if (own.includes('--help') || own.includes('-h') || own.length === 0) {
    process.stdout.write(`Usage: node scripts/test-hosts.mjs ${HOST_KINDS.join('|')} [--keep-logs] [-- CMD ARGS...]\n`);
    return own.length === 0 ? 2 : 0;
  }
  const kind = own.find((a) => !a.startsWith('-'));
  const unknown = own.filter((a) => a.startsWith('-') && a !== '--keep-logs');
  if (unknown.length > 0) throw new UserError(`unknown option ${unknown.join(', ')}`, 2);
  if (!HOST_KINDS.includes(kind)) throw new UserError(`unknown test host ${kind}; choose from ${HOST_KINDS.join(', ')}`, 2);
  const keep = own.includes('--keep-logs');
  const host = await startTestHost(kind);
  say(kind, host.describe);
  let code = 0;
  try {
    if (command.length > 0) {
      code = await new Promise((resolve, reject) => {
        const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env: { ...process.env, ...host.env } });
        const forward = (signal) => child.kill(signal);
        process.on('SIGINT', forward);
        process.on('SIGTERM', forward);
        child.on('error', (error) => reject(new UserError(`cannot run ${command[0]}: ${error.message}`)));
        child.on('close', (c, signal) => {
          process.off('SIGINT', forward);
          process.off('SIGTERM', forward);
          resolve(c ?? (signal ? 1 : 0));
        });
      });
    } else {
      for (const [name, value] of Object.entries(host.env)) process.stdout.write(`export ${name}=${shellQuote(value)}\n`);
      say(kind, 'up until Ctrl+C');
      await new Promise((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
  } finally {
    const { leftovers } = await host.stop({ keep });
    if (leftovers.length > 0) say(kind, `removed what the tests left behind: ${leftovers.join(', ')}`);
    say(kind, keep ? `stopped; logs kept in ${host.dir}` : 'stopped');
  }
  return code;
}, 'test-hosts');
