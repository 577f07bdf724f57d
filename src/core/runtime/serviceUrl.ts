/**
 * Which address "Open Jupyter" (or RStudio) opens, from the service's own address on this
 * machine (`http://127.0.0.1:8888/?token=...`) and what the editor makes of it for the
 * student's browser (`vscode.env.asExternalUri`):
 *
 * - desktop VS Code: the same address;
 * - Codespaces and other host-forwarding IDEs: another host, the same path (the token is kept,
 *   even when the forwarding dropped the query);
 * - code-server's host proxy (`http://8888.localhost:8080/`, what `npm start` sets up): the same
 *   path, so the service works; the token is put back (code-server's address has none);
 * - code-server's default path proxy and others like it (`http://host:8080/proxy/8888/`):
 *   Jupyter does not work under a path it was not started with (its pages load `/static/...`
 *   from the root), and the editor rewrites any localhost address it is asked to open into that
 *   proxy, so nothing that works can be opened from here: the student is told plainly what to
 *   open instead.
 *
 * Plain strings, no `vscode` import.
 */

export interface ServiceAddress {
  /** What to open. */
  url: string;
  /** Set when `url` goes through a path proxy the service cannot work behind: what to tell the student. */
  pathProxied?: { direct: string; proxied: string };
}

/** `direct`: the service's address on this machine; `external`: what the editor gave for the browser. */
export function serviceAddress(direct: string, external: string): ServiceAddress {
  let own: URL;
  let ext: URL;
  try {
    own = new URL(direct);
    ext = new URL(external);
  } catch {
    return { url: direct };
  }
  // A forwarding that lost the query would open a login page instead of a signed-in one.
  if (ext.search === '' && own.search !== '') ext.search = own.search;
  const ownPath = own.pathname === '' ? '/' : own.pathname;
  const prefixed = ext.pathname !== ownPath && ext.pathname.endsWith(ownPath === '/' ? '/' : ownPath) && ext.pathname.length > ownPath.length;
  if (!prefixed) return { url: ext.href };
  return { url: ext.href, pathProxied: { direct: own.href, proxied: ext.href } };
}
