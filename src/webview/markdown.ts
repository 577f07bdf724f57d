/**
 * Renders lab Markdown (instructions, hints, solutions, quiz questions) to HTML that is safe
 * to put into the walkthrough webview.
 *
 * Rendering happens in the extension host, never in the page: raw HTML in the Markdown is
 * escaped (markdown-it `html: false`), links survive only when they are absolute http(s) URLs
 * (javascript:, data:, vscode:, file: and relative links stay plain text), and images only
 * when they come from https. The links that survived are returned too, so the panel opens
 * only links that the step really shows. Plain TypeScript, no `vscode`.
 */
import MarkdownIt from 'markdown-it';
import { isSafeExternalUrl } from './validate';

export interface RenderedMarkdown {
  html: string;
  /** Every link target in `html`, exactly as written into its href attribute. */
  links: string[];
}

/** Longest Markdown rendered; longer text is cut (lab files are validated long before this). */
const MAX_MARKDOWN = 200_000;

interface RenderEnv {
  links: string[];
  fill?: (text: string, code: boolean) => string;
  /** Whether https images may load (not for a workspace lab in Restricted Mode: tracking). */
  remoteImages: boolean;
}

export interface RenderOptions {
  /**
   * Fills the lab's placeholders (\${labData}...) where the student reads them: code (fenced,
   * indented, inline) as the commands fill it, prose plainly.
   */
  fill?: (text: string, code: boolean) => string;
  /** Load https images (default true); when false each image shows as its alt text and where it is from. */
  remoteImages?: boolean;
}

function isRenderEnv(env: unknown): env is RenderEnv {
  return typeof env === 'object' && env !== null && Array.isArray((env as { links?: unknown }).links);
}

export class MarkdownRenderer {
  private readonly md: MarkdownIt;

  constructor() {
    const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });
    // Links and images both pass through validateLink; only absolute http(s) URLs are kept.
    md.validateLink = (url: string): boolean => isSafeExternalUrl(url);

    // The page owns h1 (step title) and h2 (sections): lab headings start at h3.
    md.core.ruler.push('container_labs_heading_levels', (state) => {
      for (const token of state.tokens) {
        if (token.type === 'heading_open' || token.type === 'heading_close') {
          const level = Number(token.tag.slice(1));
          token.tag = `h${Math.min(6, level + 2)}`;
        }
      }
      return true;
    });

    md.core.ruler.push('container_labs_placeholders', (state) => {
      const env: unknown = state.env;
      const fill = isRenderEnv(env) ? env.fill : undefined;
      if (fill === undefined) return true;
      for (const token of state.tokens) {
        if (token.type === 'fence' || token.type === 'code_block') token.content = fill(token.content, true);
        for (const child of token.children ?? []) {
          if (child.type === 'code_inline') child.content = fill(child.content, true);
          else if (child.type === 'text') child.content = fill(child.content, false);
        }
      }
      return true;
    });

    md.renderer.rules.link_open = (tokens, idx, options, env: unknown, self) => {
      const token = tokens[idx];
      const href = token.attrGet('href');
      if (href !== null && isRenderEnv(env)) env.links.push(href);
      token.attrSet('rel', 'noopener noreferrer');
      if (href !== null) token.attrSet('title', href);
      return self.renderToken(tokens, idx, options);
    };

    const image = md.renderer.rules.image;
    md.renderer.rules.image = (tokens, idx, options, env: unknown, self) => {
      const token = tokens[idx];
      const src = token.attrGet('src') ?? '';
      const alt = self.renderInlineAsText(token.children ?? [], options, env);
      if (!/^https:\/\//i.test(src) || image === undefined) {
        // Not from https: show the alt text instead of loading anything.
        return md.utils.escapeHtml(alt);
      }
      if (isRenderEnv(env) && !env.remoteImages) {
        // Restricted Mode: a stranger's lab must not learn who opened it.
        let host = src;
        try {
          host = new URL(src).host;
        } catch {
          // keep the whole src
        }
        return md.utils.escapeHtml(`[image: ${alt || 'untitled'}, from ${host}, not loaded in Restricted Mode]`);
      }
      return image(tokens, idx, options, env, self);
    };

    this.md = md;
  }

  /**
   * One line of inline Markdown as the plain text it shows (quiz choices are labels of radio
   * buttons and checkboxes): `code`, *emphasis* and links keep their words, lose their marks.
   */
  inlineText(markdown: string): string {
    const tokens = this.md.parseInline(markdown.slice(0, MAX_MARKDOWN), { links: [], remoteImages: false });
    const words = (list: typeof tokens): string =>
      list.map((t) => (t.children ? words(t.children) : t.type === 'text' || t.type === 'code_inline' ? t.content : t.type === 'softbreak' || t.type === 'hardbreak' ? ' ' : '')).join('');
    return words(tokens);
  }

  /** Renders block Markdown. */
  render(markdown: string, opts: RenderOptions = {}): RenderedMarkdown {
    const env: RenderEnv = { links: [], remoteImages: opts.remoteImages ?? true };
    if (opts.fill !== undefined) env.fill = opts.fill;
    const html = this.md.render(markdown.slice(0, MAX_MARKDOWN), env);
    return { html, links: env.links };
  }
}
