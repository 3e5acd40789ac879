/**
 * Chat-template tokenization where the user's own text cannot become special tokens (issue #19).
 *
 * transformers.js's `apply_chat_template(…, { tokenize: true })` renders the template to one string and
 * encodes it; its encoder (@huggingface/tokenizers `encode_text`) first splits the whole string at every
 * added token, so `<|im_end|>` typed inside a message becomes the real end-of-turn token — a prompt
 * injection the chat template's author cannot see. The library has no switch for this (no
 * `split_special_tokens`), so this module does the split itself: the template is rendered with a
 * sentinel in place of each message's content, the added-token split is done on the template's own
 * text only, and each stretch of text between added tokens (template text and user text together, as
 * the library would see it) goes through the same normalizer → pre-tokenizer → model pipeline the
 * library uses for text, without the added-token match.
 *
 * Compared with Hugging Face `split_special_tokens=True` (Python, fast tokenizers): there, every special
 * token anywhere in the input — the template's own `<|im_start|>` too — is split into ordinary pieces, so
 * it is only usable on the user's text before templating; here the template's special tokens stay
 * special and only the user's text is split. HF still matches non-special added tokens (e.g. Qwen's
 * `<tool_call>`, special=false) inside text; here no added token is matched inside the user's text. For
 * user text without added-token strings both give exactly `apply_chat_template`'s ids (tested on the
 * tiny-chat fixture against its Jinja2 reference).
 *
 * With `allowSpecial` the user's text is matched like the template's (the library's behaviour), and
 * the positions of special tokens that came from the user's text are reported as injected.
 */
import type { ChatMessage } from './protocol.ts';

/** What this module needs of @huggingface/tokenizers' Tokenizer (an internal object of transformers.js). */
interface InnerTokenizer {
  added_tokens: { content: string; id: number; special: boolean; lstrip: boolean; rstrip: boolean }[];
  normalizer: ((text: string) => string) | null;
  pre_tokenizer: ((text: string, o: { section_index: number }) => string[]) | null;
  model: ((tokens: string[]) => string[]) & { tokens_to_ids: Map<string, number>; unk_token_id?: number };
  remove_space?: boolean;
  do_lowercase_and_remove_accent?: boolean;
}

export interface TemplateTokenizer {
  _tokenizer: InnerTokenizer;
  apply_chat_template(m: ChatMessage[], o: { add_generation_prompt: boolean; tokenize: false }): string;
}

/** Prompt ids of a conversation and the positions of special tokens typed in the user's own text. */
export interface GuardedChatIds {
  ids: number[];
  /** Indices into `ids` of special/added tokens that came from message text (only with `allowSpecial`). */
  injected: number[];
}

const SENTINELS: [string, string][] = [
  ['\ue000', '\ue001'],
  ['\uf8f0', '\uf8f1'],
  ['\u{10fff0}', '\u{10fff1}'],
];

/** Sentinels that occur in none of the messages (each content is replaced by `${open}${index}${close}`). */
export function sentinelsFor(messages: readonly ChatMessage[]): [string, string] {
  return SENTINELS.find(([a, b]) => messages.every((m) => !m.content.includes(a) && !m.content.includes(b))) ?? SENTINELS[0];
}

/** The messages with each content replaced by its sentinel-marked index (rendered to find where contents land). */
export function markedMessages(messages: readonly ChatMessage[], [open, close]: [string, string]): ChatMessage[] {
  return messages.map((m, i) => ({ ...m, content: `${open}${i}${close}` }));
}

/**
 * The rendered template with the messages' contents in place and where each content lies in it.
 * @param marked the template rendered over `markedMessages(messages, sentinels)`
 * @param plain the template rendered over the messages themselves (used when the template rewrote the markers)
 * @throws Error when a marker names no message
 */
export function locateContents(marked: string, plain: () => string, messages: readonly ChatMessage[], [open, close]: [string, string]): { text: string; ranges: [number, number][] } {
  let text = '';
  const ranges: [number, number][] = [];
  const re = new RegExp(`${open}(\\d+)${close}`, 'gu');
  let last = 0;
  const seen = new Set<number>();
  for (let m = re.exec(marked); m; m = re.exec(marked)) {
    const i = Number(m[1]);
    if (!messages[i]) throw new Error('the chat template changed a message marker');
    text += marked.slice(last, m.index);
    ranges.push([text.length, text.length + messages[i].content.length]);
    text += messages[i].content;
    last = m.index + m[0].length;
    seen.add(i);
  }
  text += marked.slice(last);
  // a template that trims or rewrites contents would not copy the marker: then match the contents themselves
  if (seen.size === 0 && messages.some((m) => m.content !== '')) {
    const rendered = plain();
    const found: [number, number][] = [];
    let from = 0;
    for (const m of messages) {
      if (!m.content) continue;
      const at = rendered.indexOf(m.content, from);
      if (at < 0) continue;
      found.push([at, at + m.content.length]);
      from = at + m.content.length;
    }
    return { text: rendered, ranges: found };
  }
  return { text, ranges };
}

/** A stretch of text between added tokens, or an added token (`user`: it came from message text). */
export type ChatSection = { kind: 'text'; text: string } | { kind: 'added'; id: number; lstrip: boolean; rstrip: boolean; user: boolean };

/**
 * Splits the rendered conversation at added tokens: everywhere in the template's own text, inside
 * message text (`ranges`) only with `allowSpecial`; lstrip / rstrip of an added token trim the
 * neighbouring text, as the tokenizers library does. Text sections alternate with added tokens
 * (possibly empty ones between two adjacent tokens).
 */
export function splitAtAddedTokens(text: string, ranges: readonly [number, number][], addedTokens: readonly AddedToken[], allowSpecial: boolean): ChatSection[] {
  const inUser = (at: number) => ranges.some(([a, b]) => at >= a && at < b);
  const added = addedTokens.filter((t) => t.content !== '').sort((a, b) => b.content.length - a.content.length);
  const sections: ChatSection[] = [];
  let buf = '';
  for (let at = 0; at < text.length; ) {
    const user = inUser(at);
    const hit = !user || allowSpecial ? added.find((t) => text.startsWith(t.content, at) && (allowSpecial || !ranges.some(([a, b]) => at < b && at + t.content.length > a))) : undefined;
    if (hit) {
      sections.push({ kind: 'text', text: buf });
      buf = '';
      sections.push({ kind: 'added', id: hit.id, lstrip: hit.lstrip, rstrip: hit.rstrip, user });
      at += hit.content.length;
    } else {
      const cp = text.codePointAt(at)!;
      const ch = String.fromCodePoint(cp);
      buf += ch;
      at += ch.length;
    }
  }
  sections.push({ kind: 'text', text: buf });
  sections.forEach((s, i) => {
    if (s.kind !== 'added') return;
    const prev = sections[i - 1];
    const next = sections[i + 1];
    if (s.lstrip && prev?.kind === 'text') prev.text = prev.text.trimEnd();
    if (s.rstrip && next?.kind === 'text') next.text = next.text.trimStart();
  });
  return sections;
}

/** An added token of the vocabulary as the split needs it. */
export interface AddedToken {
  content: string;
  id: number;
  lstrip: boolean;
  rstrip: boolean;
}

/**
 * Prompt ids of a conversation through the tokenizer's chat template, with the generation prompt.
 * @param allowSpecial false (default): special-token strings in message text are ordinary text; true:
 *   they become special tokens (as transformers.js does) and are reported in `injected`
 */
export function guardedChatTokenize(tk: TemplateTokenizer, messages: ChatMessage[], allowSpecial = false): GuardedChatIds {
  const inner = tk._tokenizer;
  const sentinels = sentinelsFor(messages);
  const render = (m: ChatMessage[]) => tk.apply_chat_template(m, { add_generation_prompt: true, tokenize: false });
  const { text, ranges } = locateContents(render(markedMessages(messages, sentinels)), () => render(messages), messages, sentinels);
  const sections = splitAtAddedTokens(text, ranges, inner.added_tokens, allowSpecial);
  const ids: number[] = [];
  const injected: number[] = [];
  sections.forEach((s, index) => {
    if (s.kind === 'added') {
      if (s.user) injected.push(ids.length);
      ids.push(s.id);
      return;
    }
    ids.push(...encodeText(inner, s.text, index));
  });
  return { ids, injected };
}

/** The library's text pipeline for one section between added tokens, without the added-token match. */
function encodeText(inner: InnerTokenizer, section: string, sectionIndex: number): number[] {
  let t = section;
  if (t.length === 0) return [];
  if (inner.remove_space === true) t = t.trim().split(/\s+/).join(' ');
  if (inner.do_lowercase_and_remove_accent) t = t.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
  if (inner.normalizer) t = inner.normalizer(t);
  if (t.length === 0) return [];
  const pre = inner.pre_tokenizer ? inner.pre_tokenizer(t, { section_index: sectionIndex }) : [t];
  const pieces = inner.model(pre);
  return pieces.map((p) => inner.model.tokens_to_ids.get(p) ?? inner.model.unk_token_id ?? 0);
}
