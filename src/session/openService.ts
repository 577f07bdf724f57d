/**
 * Opens a step's service (Jupyter, RStudio) in the student's browser: the one home of what the
 * walkthrough's Open button and the Open the Service command do. When the only address the
 * editor can give goes through a path proxy the service cannot work behind, the student is told
 * plainly what works instead, with the address to copy.
 */
import * as vscode from 'vscode';
import { inert } from '../core/text';
import type { ServiceLink } from './types';

export async function openServiceLink(link: ServiceLink): Promise<void> {
  if (!link.pathProxied) {
    await vscode.env.openExternal(link.uri);
    return;
  }
  const { direct, proxied } = link.pathProxied;
  const copy = vscode.l10n.t('Copy the address');
  const anyway = vscode.l10n.t('Open through the proxy');
  // The address carries a token read from the container's logs: engine output, shown as text only.
  const answer = await vscode.window.showWarningMessage(
    inert(vscode.l10n.t(
      '{0} does not work behind this editor\'s path proxy ({1}): it was not started under that path. From a browser on the machine that runs the engine, open {2}; from elsewhere, forward the port first (the Ports view, or ssh -L).',
      link.label,
      proxied,
      direct,
    ), 'notification'),
    copy,
    anyway,
  );
  if (answer === copy) await vscode.env.clipboard.writeText(direct);
  else if (answer === anyway) await vscode.env.openExternal(link.uri);
}
