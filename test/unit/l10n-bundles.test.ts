/**
 * The extension in more than one language: every string the code gives to `vscode.l10n.t` or
 * `l10n.t` is in l10n/bundle.l10n.json (the bundle is what @vscode/l10n-dev exports from the
 * sources today), every contribution in package.json is a %key% of package.nls.json, and the
 * Spanish bundles translate every one of them, with the same {0} placeholders and links. A
 * string left out, or copied over untranslated, fails here.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getL10nJson } from '@vscode/l10n-dev';

const ROOT = path.resolve(__dirname, '../../..');
/** The second language every shipped bundle must be complete in. */
const LANGUAGE = 'es';
/** Strings that are the same in Spanish (names, pure placeholders). */
const SAME_IN_SPANISH = new Set(['Container Labs', '{0}: {1}', '{0} error']);

function readJson(file: string): Record<string, string> {
  const parsed: unknown = JSON.parse(fs.readFileSync(path.join(ROOT, file), 'utf8'));
  assert.ok(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed), `${file} is a JSON object`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    assert.equal(typeof v, 'string', `${file}: "${k}" is a string`);
    out[k] = String(v);
  }
  return out;
}

function tsFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
}

/** `{0}`-style placeholders, markdown links' targets and `code`: what a translation must keep. */
function fixedParts(text: string): string[] {
  return [...(text.match(/\{\d+\}/g) ?? []), ...(text.match(/\]\([^)]*\)/g) ?? []), ...(text.match(/\$\([a-z-]+\)/g) ?? [])].sort();
}

/** Problems of one translated bundle against its English one. */
function untranslated(english: Record<string, string>, translated: Record<string, string>): string[] {
  const problems: string[] = [];
  for (const [key, text] of Object.entries(english)) {
    const t = translated[key];
    if (t === undefined || t.trim() === '') problems.push(`no translation of "${key}"`);
    else if (t === text && !SAME_IN_SPANISH.has(text)) problems.push(`"${key}" is copied, not translated`);
    else assert.deepEqual(fixedParts(t), fixedParts(text), `"${key}": the translation keeps the placeholders and links`);
  }
  for (const key of Object.keys(translated)) if (!(key in english)) problems.push(`"${key}" is translated but no longer used`);
  return problems;
}

describe('localization bundles', function () {
  this.timeout(60_000);

  it('l10n/bundle.l10n.json holds exactly the strings of the code (regenerate: npm run l10n)', async () => {
    const files = [...tsFiles('src'), ...tsFiles('webview')].map((f) => ({ contents: fs.readFileSync(path.join(ROOT, f), 'utf8'), extension: path.extname(f) }));
    const exported = await getL10nJson(files);
    const committed = readJson('l10n/bundle.l10n.json');
    assert.deepEqual(Object.keys(committed).sort(), Object.keys(exported).sort());
    assert.ok(Object.keys(committed).length > 50, 'the code has its strings in the bundle');
  });

  it(`the ${LANGUAGE} bundle translates every string of the code`, () => {
    assert.deepEqual(untranslated(readJson('l10n/bundle.l10n.json'), readJson(`l10n/bundle.l10n.${LANGUAGE}.json`)), []);
  });

  it('every contribution in package.json is a key of package.nls.json', () => {
    const nls = readJson('package.nls.json');
    const pkg = fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8');
    const used = [...pkg.matchAll(/"%([^%"]+)%"/g)].map((m) => m[1]);
    assert.ok(used.length > 40, `package.json uses ${used.length} keys`);
    assert.deepEqual(used.filter((k) => !(k in nls)), [], 'keys package.json uses that package.nls.json lacks');
    assert.deepEqual(Object.keys(nls).filter((k) => !used.includes(k)), [], 'keys of package.nls.json that package.json does not use');
    // The titles a user reads are all keys, not English left in place.
    const parsed = JSON.parse(pkg) as { contributes: { commands: Array<{ title: string }>; views: Record<string, Array<{ name: string }>> } };
    assert.deepEqual(parsed.contributes.commands.filter((c) => !/^%.+%$/.test(c.title)).map((c) => c.title), []);
    assert.deepEqual(Object.values(parsed.contributes.views).flat().filter((v) => !/^%.+%$/.test(v.name)).map((v) => v.name), []);
  });

  it(`package.nls.${LANGUAGE}.json translates every contribution`, () => {
    assert.deepEqual(untranslated(readJson('package.nls.json'), readJson(`package.nls.${LANGUAGE}.json`)), []);
  });
});
