import { useEffect, useRef, useState } from 'react';
import { useApp } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import type { ChatMessage } from '../../domain/types.ts';
import type { MessageKey } from '../../i18n/en.ts';
import { useT } from '../useT.ts';
import { MAX_CHAT_CONTENT, MAX_CHAT_MESSAGES } from '../../store/sessionSchema.ts';

/**
 * Chat mode's prompt editor: an optional system message, earlier exchanges (user + assistant) and
 * the user message the assistant answers. Edits reach the controller debounced; the worker builds
 * the prompt ids with the tokenizer's chat template.
 */
export function ChatEditor() {
  const { t } = useT();
  const chat = useApp((s) => s.chat);
  // a session shown read-only (its model is not loaded) cannot be edited until its model is loaded
  const readOnly = useApp((s) => s.readOnly !== null);
  const [draft, setDraft] = useState<ChatMessage[]>(chat ?? []);
  const timer = useRef<number | undefined>(undefined);

  useEffect(() => setDraft(chat ?? []), [chat]);
  useEffect(() => () => window.clearTimeout(timer.current), []);

  const commit = (next: ChatMessage[], delay: number) => {
    setDraft(next);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => void controller.setChat(next), delay);
  };
  const edit = (i: number, content: string) => commit(draft.map((m, j) => (j === i ? { ...m, content } : m)), 300);
  // an earlier exchange goes before the last user message
  const addTurn = () => {
    const last = draft.length - 1;
    commit([...draft.slice(0, last), { role: 'user', content: '' }, { role: 'assistant', content: '' }, draft[last]], 0);
  };
  const firstTurn = draft[0]?.role === 'system' ? 1 : 0;
  const canRemove = draft.length - firstTurn >= 3;
  const removeTurn = () => commit([...draft.slice(0, draft.length - 3), draft[draft.length - 1]], 0);

  return (
    <div className="chat-editor">
      <p className="muted">{t('chat.explain')}</p>
      <ol className="chat-messages" aria-label={t('chat.title')}>
        {draft.map((m, i) => (
          <li key={i} className={`chat-message role-${m.role}`}>
            <label>
              <span className="chat-role">{t(`chat.role.${m.role}` as MessageKey)}</span>
              <textarea
                data-testid="chat-message"
                data-role={m.role}
                value={m.content}
                rows={m.role === 'system' ? 1 : 2}
                readOnly={readOnly}
                maxLength={MAX_CHAT_CONTENT}
                placeholder={t(`chat.placeholder.${m.role}` as MessageKey)}
                onChange={(e) => edit(i, e.target.value)}
              />
            </label>
          </li>
        ))}
      </ol>
      <div className="chat-actions">
        <button type="button" onClick={addTurn} disabled={draft.length === 0 || readOnly || draft.length + 2 > MAX_CHAT_MESSAGES}>
          {t('chat.addTurn')}
        </button>
        {canRemove && (
          <button type="button" onClick={removeTurn} disabled={readOnly}>
            {t('chat.removeTurn')}
          </button>
        )}
      </div>
    </div>
  );
}
