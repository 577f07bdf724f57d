/**
 * Checks what the walkthrough webview sends before the extension acts on it.
 *
 * The page is untrusted: anything that is not exactly one of the `WebviewMessage` shapes
 * (unknown type, a missing, extra or mistyped field, oversized values) is refused with a
 * reason that the panel logs. Plain TypeScript, no `vscode`, so unit tests run in Node.
 */
import { LIMITS, SUMMARY_ACTIONS, type NavigateDirection, type WebviewMessage } from './protocol';
import { hasControlChars } from '../core/text';

export type ParseResult = { ok: true; message: WebviewMessage } | { ok: false; reason: string };

type Fields = Record<string, unknown>;

/** Field rules per message type: required and optional keys, nothing else allowed. */
interface Shape {
  required: readonly string[];
  optional: readonly string[];
}

const STEP = ['labId', 'stepId'] as const;

const SHAPES: Record<WebviewMessage['type'], Shape> = {
  ready: { required: [], optional: [] },
  run: { required: [...STEP, 'index'], optional: ['solution'] },
  copy: { required: [...STEP, 'index'], optional: ['solution'] },
  check: { required: [...STEP], optional: [] },
  hint: { required: [...STEP], optional: [] },
  solution: { required: [...STEP], optional: [] },
  quiz: { required: [...STEP, 'choices'], optional: [] },
  navigate: { required: ['direction'], optional: [] },
  openLink: { required: ['href'], optional: [] },
  openService: { required: [...STEP], optional: [] },
  removeLeftovers: { required: [...STEP], optional: [] },
  interrupt: { required: [], optional: [] },
  manageTrust: { required: [], optional: [] },
  summary: { required: ['action'], optional: ['stepId'] },
};

function isMessageType(value: unknown): value is WebviewMessage['type'] {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(SHAPES, value);
}

function isPlainObject(value: unknown): value is Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= LIMITS.idLength;
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= LIMITS.maxIndex;
}

function isDirection(value: unknown): value is NavigateDirection {
  return value === 'previous' || value === 'next';
}

/** A short, log-safe rendering of a value (never the whole of a huge payload). */
function describe(value: unknown): string {
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}… (${value.length} chars)` : value;
    return JSON.stringify(shown);
  }
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  return typeof value;
}

/**
 * Turns what arrived from the webview into a `WebviewMessage`, or says why it was refused.
 * Builds a fresh object from the checked fields, so nothing unchecked travels further.
 */
export function parseWebviewMessage(raw: unknown): ParseResult {
  if (!isPlainObject(raw)) return { ok: false, reason: `not a plain object (${describe(raw)})` };
  const keys = Object.keys(raw);
  if (keys.length > 8) return { ok: false, reason: `too many fields (${keys.length})` };
  const type = raw.type;
  if (!isMessageType(type)) return { ok: false, reason: `unknown message type ${describe(type)}` };

  const shape = SHAPES[type];
  for (const key of keys) {
    if (key !== 'type' && !shape.required.includes(key) && !shape.optional.includes(key)) {
      return { ok: false, reason: `${type}: unexpected field ${describe(key)}` };
    }
  }
  for (const key of shape.required) {
    if (!Object.prototype.hasOwnProperty.call(raw, key)) {
      return { ok: false, reason: `${type}: missing field ${key}` };
    }
  }
  for (const key of ['labId', 'stepId']) {
    if (key in raw && !isId(raw[key])) {
      return { ok: false, reason: `${type}: ${key} is not a valid id (${describe(raw[key])})` };
    }
  }
  const labId = typeof raw.labId === 'string' ? raw.labId : '';
  const stepId = typeof raw.stepId === 'string' ? raw.stepId : '';

  switch (type) {
    case 'ready':
    case 'interrupt':
    case 'manageTrust':
      return { ok: true, message: { type } };
    case 'check':
    case 'hint':
    case 'solution':
    case 'openService':
    case 'removeLeftovers':
      return { ok: true, message: { type, labId, stepId } };
    case 'run':
    case 'copy': {
      if (!isIndex(raw.index)) return { ok: false, reason: `${type}: index is not a command index (${describe(raw.index)})` };
      if ('solution' in raw && typeof raw.solution !== 'boolean') {
        return { ok: false, reason: `${type}: solution is not a boolean (${describe(raw.solution)})` };
      }
      const message: WebviewMessage =
        raw.solution === true ? { type, labId, stepId, index: raw.index, solution: true } : { type, labId, stepId, index: raw.index };
      return { ok: true, message };
    }
    case 'quiz': {
      const choices = raw.choices;
      if (!Array.isArray(choices) || choices.length > LIMITS.maxChoices) {
        return { ok: false, reason: `quiz: choices is not a short array (${describe(choices)})` };
      }
      const picked: number[] = [];
      for (const choice of choices) {
        if (!isIndex(choice)) return { ok: false, reason: `quiz: choice is not an index (${describe(choice)})` };
        if (picked.includes(choice)) return { ok: false, reason: `quiz: choice ${choice} given twice` };
        picked.push(choice);
      }
      return { ok: true, message: { type, labId, stepId, choices: picked } };
    }
    case 'summary': {
      const action = SUMMARY_ACTIONS.find((a) => a === raw.action);
      if (action === undefined) return { ok: false, reason: `summary: unknown action (${describe(raw.action)})` };
      if ((action === 'step') !== (raw.stepId !== undefined)) return { ok: false, reason: `summary: ${action === 'step' ? 'step needs a stepId' : `${action} takes no stepId`}` };
      return { ok: true, message: action === 'step' ? { type, action, stepId } : { type, action } };
    }
    case 'navigate':
      if (!isDirection(raw.direction)) return { ok: false, reason: `navigate: bad direction (${describe(raw.direction)})` };
      return { ok: true, message: { type, direction: raw.direction } };
    case 'openLink': {
      const href = raw.href;
      if (typeof href !== 'string' || href.length > LIMITS.hrefLength) {
        return { ok: false, reason: `openLink: href is not a short string (${describe(href)})` };
      }
      if (!isSafeExternalUrl(href)) return { ok: false, reason: `openLink: not an http(s) link (${describe(href)})` };
      return { ok: true, message: { type, href } };
    }
  }
}

/**
 * Whether a link may be opened outside VS Code: an absolute http(s) URL without user
 * credentials. Used both when rendering Markdown and when the page asks to open a link.
 */
export function isSafeExternalUrl(href: string): boolean {
  if (href.length === 0 || href.length > LIMITS.hrefLength) return false;
  if (href !== href.trim() || hasControlChars(href)) return false;
  if (!/^https?:\/\//i.test(href)) return false;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (url.username !== '' || url.password !== '') return false;
  return url.hostname.length > 0;
}
