/**
 * The language of the CLI's messages (and of the core's: health report, fixes, check reasons),
 * from the POSIX locale variables as the labs' own translations are (`LANG=es_ES.UTF-8` ->
 * Spanish). The translations that ship are the extension's bundles (l10n/bundle.l10n.<language>.json), built
 * into the CLI so the installed package needs no file beside it. English is the strings in the
 * code: any other language, or none, gets it.
 */
import * as l10n from '@vscode/l10n';
import es from '../../l10n/bundle.l10n.es.json';
import { languageFromEnv, pickLanguage } from '../core/labs/translation';

const BUNDLES: Readonly<Record<string, l10n.l10nJsonFormat>> = { es };

/** Makes `l10n.t` speak the language the environment asks for; returns it (undefined: English). */
export function useCliLanguage(env: NodeJS.ProcessEnv): string | undefined {
  const language = pickLanguage(Object.keys(BUNDLES), languageFromEnv(env));
  // An empty bundle is English: a second call in the same process (tests) must undo the first.
  l10n.config({ contents: language === undefined ? {} : (BUNDLES[language] ?? {}) });
  return language;
}
