#!/usr/bin/env node
// Engine noise for the forced-overlap mode of `npm test` (CONTAINER_LABS_OVERLAP=1): another
// program on the same engine, busy the whole time, as a CI job or a student's own work would be.
//
// Until SIGTERM/SIGINT (or --seconds N), it keeps doing, a step every --every ms (default 150):
//   - containers from the lab images with engine-made names, short-lived (`alpine sleep 0.2`,
//     `alpine echo noise`, `hello-world`), started, left to exit, and removed;
//   - a named container whose name is close to the labs' (`cl-lab-…-noise-<run>`);
//   - named volumes (created, mounted by a container, removed), networks, and image tags
//     (`alpine:latest` tagged as `cl-noise-<run>:<n>`, then untagged).
// Everything it makes carries the label org.container-labs.noise=<run>, and on its way out it
// removes exactly what carries that label (and its own tags), nothing else. At the end it
// prints one line of counts. Exits non-zero when the engine cannot be reached or no container
// could be made (then the overlap run had no noise and proves nothing).
import Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { ensureEngine } from './lib/engine.mjs';
import { runMain, say, sleep, UserError } from './lib/common.mjs';

const TAG = 'noise';
export const NOISE_LABEL = 'org.container-labs.noise';

function parseArgs(argv) {
  const o = { every: 150, seconds: undefined, run: randomBytes(4).toString('hex') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UserError(`${a} needs a value`, 2);
      return v;
    };
    if (a === '--every') o.every = Number(value());
    else if (a === '--seconds') o.seconds = Number(value());
    else if (a === '--run') o.run = value();
    else if (a === '--help' || a === '-h') o.help = true;
    else throw new UserError(`unknown option ${a}`, 2);
  }
  if (!Number.isFinite(o.every) || o.every < 10) throw new UserError('--every takes a number of milliseconds, at least 10', 2);
  if (o.seconds !== undefined && !(o.seconds > 0)) throw new UserError('--seconds takes a positive number', 2);
  if (!/^[a-z0-9]{1,16}$/.test(o.run)) throw new UserError('--run takes 1 to 16 lower-case letters and digits', 2);
  return o;
}

runMain(async () => {
  const o = parseArgs(process.argv.slice(2));
  if (o.help) {
    process.stdout.write('Usage: node scripts/noise.mjs [--every MS] [--seconds N] [--run ID]\n');
    return 0;
  }
  const engine = await ensureEngine({ log: (m) => say(TAG, m), allowStart: false });
  const docker = new Docker({ ...(engine.options ?? {}), timeout: 30_000 });
  const labels = { [NOISE_LABEL]: o.run };
  const counts = { containers: 0, volumes: 0, networks: 0, tags: 0, failed: 0 };
  const failures = new Map();
  let stopping = false;
  let n = 0;
  const stop = () => {
    stopping = true;
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  const until = o.seconds === undefined ? Infinity : Date.now() + o.seconds * 1000;

  const note = (what, error) => {
    counts.failed += 1;
    const key = `${what}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
    failures.set(key, (failures.get(key) ?? 0) + 1);
  };

  // A short-lived container: created, started, waited for, removed.
  const shortLived = async (image, cmd, name, binds) => {
    const c = await docker.createContainer({ Image: image, Cmd: cmd, name, Labels: labels, HostConfig: { NetworkMode: 'none', Binds: binds } });
    counts.containers += 1;
    try {
      await c.start();
      await c.wait();
    } finally {
      await c.remove({ force: true });
    }
  };

  const actions = [
    () => shortLived('alpine:latest', ['sleep', '0.2']),
    () => shortLived('alpine:latest', ['echo', 'noise']),
    () => shortLived('hello-world:latest', undefined),
    (i) => shortLived('alpine:latest', ['true'], `cl-lab-bind-noise-${o.run}-${i}`),
    async (i) => {
      const name = `cl-noise-${o.run}-v${i}`;
      await docker.createVolume({ Name: name, Labels: labels });
      counts.volumes += 1;
      try {
        await shortLived('alpine:latest', ['true'], undefined, [`${name}:/data`]);
      } finally {
        await docker.getVolume(name).remove();
      }
    },
    async (i) => {
      const net = await docker.createNetwork({ Name: `cl-noise-${o.run}-n${i}`, Labels: labels });
      counts.networks += 1;
      await net.remove();
    },
    async (i) => {
      const repo = `cl-noise-${o.run}`;
      await docker.getImage('alpine:latest').tag({ repo, tag: String(i) });
      counts.tags += 1;
      await docker.getImage(`${repo}:${i}`).remove({ noprune: true });
    },
  ];

  say(TAG, `run ${o.run}: a step every ${o.every} ms on ${engine.host}${o.seconds ? ` for ${o.seconds} s` : ' until stopped'}`);
  const inFlight = new Set();
  while (!stopping && Date.now() < until) {
    // A few at once, as a busy engine sees them; never an unbounded pile-up.
    if (inFlight.size < 4) {
      const which = n % actions.length;
      const p = actions[which](n).catch((error) => note(`action ${which}`, error)).finally(() => inFlight.delete(p));
      inFlight.add(p);
      n += 1;
    }
    await sleep(o.every);
  }
  await Promise.all([...inFlight]);

  // Remove what is left of ours, by label (and our tags, by name): nothing else.
  const filters = { label: [`${NOISE_LABEL}=${o.run}`] };
  const left = { containers: 0, volumes: 0, networks: 0, tags: 0 };
  for (const c of await docker.listContainers({ all: true, filters })) {
    await docker.getContainer(c.Id).remove({ force: true }).then(() => (left.containers += 1), (e) => note('cleanup container', e));
  }
  for (const v of (await docker.listVolumes({ filters })).Volumes ?? []) {
    await docker.getVolume(v.Name).remove().then(() => (left.volumes += 1), (e) => note('cleanup volume', e));
  }
  for (const net of await docker.listNetworks({ filters })) {
    await docker.getNetwork(net.Id).remove().then(() => (left.networks += 1), (e) => note('cleanup network', e));
  }
  for (const image of await docker.listImages({ filters: { reference: [`cl-noise-${o.run}`] } })) {
    for (const ref of image.RepoTags ?? []) {
      await docker.getImage(ref).remove({ noprune: true }).then(() => (left.tags += 1), (e) => note('cleanup tag', e));
    }
  }
  say(TAG, `run ${o.run}: ${n} steps; made ${counts.containers} containers, ${counts.volumes} volumes, ${counts.networks} networks, ${counts.tags} tags; ${counts.failed} failed; removed at the end ${left.containers} containers, ${left.volumes} volumes, ${left.networks} networks, ${left.tags} tags left over`);
  for (const [what, times] of failures) say(TAG, `  ${times}x ${what}`);
  // Noise that made nothing proves nothing: the overlap run must say so.
  if (counts.containers === 0) throw new UserError('no container could be made: the overlap run had no noise');
  return 0;
}, TAG);
