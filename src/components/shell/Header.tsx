import { useApp } from '../../store/store.ts';
import { controller } from '../../store/controller.ts';
import type { Language } from '../../domain/types.ts';
import { LANGUAGES } from '../../i18n/index.ts';
import { lessonRunner, useLesson } from '../../store/lessonRunner.ts';
import { useT } from '../useT.ts';
import { ModelPicker } from '../models/ModelPicker.tsx';
import i18next from 'i18next';
import { CompareToggle } from '../compare/CompareToggle.tsx';
import { useView, viewActions } from '../../store/view.ts';
import { ShareBox } from './ShareBox.tsx';
import { NewSessionButton } from './NewSessionButton.tsx';

export function setLanguage(lang: Language) {
  controller.setLanguage(lang);
  try {
    localStorage.setItem('token-by-token:language', lang);
  } catch {
    // storage may be unavailable (private mode); the choice then lasts for this page only
  }
  void i18next.changeLanguage(lang);
  document.documentElement.lang = lang;
}

/**
 * App name and tools. In presenter mode and on phones the header is a slim bar (lessons, presenter,
 * student view, language) and the rest (model, compare, chat, session, share) folds into a menu.
 */
export function Header() {
  const { t } = useT();
  const language = useApp((s) => s.language);
  const presenter = useApp((s) => s.presenter);
  const status = useApp((s) => s.status);
  const info = useApp((s) => s.info);
  const chatOn = useApp((s) => s.chat !== null);
  const studentView = useView((s) => s.studentView);
  const menuOpen = useView((s) => s.menuOpen);
  const canChat = status === 'ready' && !!info?.hasChatTemplate;

  return (
    <header className={menuOpen ? 'app-header menu-open' : 'app-header'}>
      <div className="brand">
        <h1>{t('app.title')}</h1>
        <p className="tagline">{t('app.tagline')}</p>
      </div>
      <div className="header-main">
        <LessonsToggle />
        <button type="button" data-testid="presenter-toggle" aria-pressed={presenter} onClick={() => controller.setPresenter(!presenter)}>
          {t('presenter.label')}
        </button>
        <button type="button" data-testid="student-view-toggle" aria-pressed={studentView} title={t('student.hint')} onClick={() => viewActions.toggleStudentView()}>
          {t('student.toggle')}
        </button>
        <label>
          <span className="sr-only">{t('lang.label')}</span>
          <select data-testid="language-select" aria-label={t('lang.label')} value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
            {LANGUAGES.map((l) => (
              <option key={l.code} value={l.code}>
                {l.name}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="menu-toggle" aria-expanded={menuOpen} aria-controls="header-more" title={t('menu.hint')} onClick={() => viewActions.toggleMenu()}>
          ☰ {t('menu.toggle')}
        </button>
      </div>
      <div className="header-more" id="header-more">
        <ModelPicker />
        <div className="header-tools">
          <CompareToggle />
          <button
            type="button"
            data-testid="chat-toggle"
            aria-pressed={chatOn}
            disabled={!canChat}
            title={info && !info.hasChatTemplate ? t('chat.noTemplate') : t('chat.toggleHint')}
            onClick={() => void controller.toggleChat()}
          >
            {t('chat.toggle')}
          </button>
          <NewSessionButton />
          <ShareBox />
          <button
            type="button"
            data-testid="export-json"
            disabled={status !== 'ready'}
            onClick={() => {
              const json = controller.exportSession();
              if (!json) return;
              const a = document.createElement('a');
              a.href = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
              a.download = 'token-by-token-session.json';
              a.click();
              setTimeout(() => URL.revokeObjectURL(a.href), 1000);
            }}
          >
            {t('session.export')}
          </button>
          <label className="folder">
            {t('session.import')}
            <input
              data-testid="import-json"
              type="file"
              accept="application/json,.json"
              onChange={(e) => {
                const f = e.target.files?.[0];
                if (f) void f.text().then((text) => controller.importSession(text));
                e.target.value = '';
              }}
            />
          </label>
          <button type="button" onClick={() => controller.setShowCard(true)} disabled={!info}>
            {t('card.open')}
          </button>
        </div>
      </div>
    </header>
  );
}

/** Opens and closes the lesson panel. */
function LessonsToggle() {
  const { t } = useT();
  const open = useLesson((s) => s.open);
  return (
    <button type="button" data-testid="lessons-toggle" aria-pressed={open} onClick={() => void lessonRunner.toggle()}>
      {t('lesson.toggle')}
    </button>
  );
}
