import { useEffect, useMemo, useRef, useState } from 'react';
import { useApp } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { useT } from '../useT.ts';
import { sequenceDisplay } from '../format.ts';
import { TokenChip } from './TokenChip.tsx';
import { TokenRaw } from './TokenRaw.tsx';
import { ModelNotice } from '../models/ModelNotice.tsx';
import { byteNote } from './byteNote.ts';
import { ChatEditor } from './ChatEditor.tsx';
import { EXAMPLE_PROMPTS } from '../../config.ts';

/** Prompt editor, the prompt as token chips, examples and prompt history. */
export function PromptPanel() {
  const { t } = useT();
  const prompt = useApp((s) => s.prompt);
  const promptIds = useApp((s) => s.tree.promptIds);
  const info = useApp((s) => s.info);
  const history = useApp((s) => s.history);
  const chatMode = useApp((s) => s.chat !== null);
  const [draft, setDraft] = useState(prompt);
  const [details, setDetails] = useState('');
  const [focusId, setFocusId] = useState<number | null>(null);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => setDraft(prompt), [prompt]);

  const onChange = (text: string) => {
    setDraft(text);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void controller.setPrompt(text), 300);
  };

  const chips = useMemo(() => (info ? sequenceDisplay(info, promptIds) : []), [info, promptIds]);
  const injectedAt = useApp((s) => s.promptInjected);
  // special tokens typed in the user's own text (chat mode with special tokens allowed)
  const injected = useMemo(() => new Set(injectedAt && injectedAt.key === promptIds.join() ? injectedAt.at : []), [injectedAt, promptIds]);

  return (
    <section className="panel prompt-panel" aria-labelledby="prompt-title">
      <h2 id="prompt-title">{t('prompt.title')}</h2>
      <ModelNotice />
      {chatMode ? (
        <ChatEditor />
      ) : (
        <>
          <textarea
            data-testid="prompt-input"
            value={draft}
            placeholder={t('prompt.placeholder')}
            rows={3}
            aria-label={t('prompt.title')}
            onChange={(e) => onChange(e.target.value)}
          />
          <div className="examples" aria-label={t('prompt.examples')}>
            <span>{t('prompt.examples')}:</span>
            {EXAMPLE_PROMPTS.map((ex) => (
              <button
                key={ex.text}
                type="button"
                className="example"
                title={t(`examples.${ex.kind}`)}
                onClick={() => onChange(ex.text)}
              >
                <span lang={ex.lang === 'zh' ? 'zh' : 'en'}>{ex.text}</span> <small className="muted">{t(`examples.${ex.kind}`)}</small>
              </button>
            ))}
          </div>
          {draft.endsWith(' ') && <p className="warn">{t('prompt.trailingSpace')}</p>}
        </>
      )}
      <div className="chip-row" role="list" aria-label={t('prompt.tokens', { count: promptIds.length })}>
        {info &&
          chips.map((d, i) => {
            const id = promptIds[i];
            const special = info.special[id] === 1;
            const note = byteNote(d, t);
            const label = t('tok.details', { text: d.text, id, bytes: d.hex }) +
              (special ? ` · ${t('prompt.special')}` : '') + (d.partial ? ` · ${t('prompt.partial')}` : '') + (note ? ` · ${note}` : '') + (injected.has(i) ? ` · ${t('prompt.injected')}` : '');
            return (
              <TokenChip
                key={i}
                testId="prompt-token"
                tokenId={id}
                text={d.text}
                raw={info.vocabPieces[id]}
                hex={d.hex}
                special={special}
                partial={d.partial}
                invalid={d.invalid}
                injected={injected.has(i)}
                brackets={d.brackets}
                label={label}
                onFocusDetails={() => {
                  setDetails(label);
                  setFocusId(id);
                }}
              />
            );
          })}
      </div>
      <p className="muted token-count">
        {t('prompt.tokens', { count: promptIds.length })}
        {details && <span className="details"> · {details}</span>}
      </p>
      {details && <TokenRaw tokenId={focusId} />}
      {history.length > 0 && (
        <details className="history">
          <summary>{t('prompt.history')}</summary>
          <ul>
            {history.map((h, i) => (
              <li key={i}>
                <button type="button" onClick={() => void controller.restoreHistory(i)}>
                  {(h.chat ? `💬 ${h.chat[h.chat.length - 1].content}` : h.prompt) || '∅'} ({h.tree.nodes.length - 1})
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}
