import { useApp } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import { useT } from '../useT.ts';

/**
 * Chat mode's "allow special tokens in my text" switch. Off (the default): `<|im_end|>` typed in a
 * message is tokenized as text. On: it becomes the special token, and its chip is marked injected.
 */
export function SpecialTokensToggle() {
  const { t } = useT();
  const on = useApp((s) => s.chatAllowSpecial);
  const readOnly = useApp((s) => s.readOnly !== null);
  return (
    <button
      type="button"
      className="toggle"
      data-testid="special-tokens-toggle"
      aria-pressed={on}
      disabled={readOnly}
      title={t('chat.specialHint')}
      onClick={() => void controller.setChatAllowSpecial(!on)}
    >
      {t('chat.specialToggle')}
    </button>
  );
}
