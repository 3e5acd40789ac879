import { lessonRunner, useLesson } from '../../store/lessonRunner.ts';
import { useView, viewActions } from '../../store/view.ts';
import { useT } from '../useT.ts';

/** The first minute: one line saying what this is and where to start, until closed. */
export function Welcome() {
  const { t } = useT();
  const closed = useView((s) => s.welcomeClosed);
  const lessonsOpen = useLesson((s) => s.open);
  if (closed || lessonsOpen) return null;
  return (
    <div className="welcome" data-testid="welcome" role="note">
      <span>{t('welcome.text')}</span>
      <button
        type="button"
        className="primary"
        data-testid="welcome-lesson"
        onClick={() => {
          viewActions.closeWelcome();
          void lessonRunner.start(lessonRunner.lessons[0].id);
        }}
      >
        {t('welcome.start')}
      </button>
      <button type="button" className="link-button" data-testid="welcome-close" onClick={() => viewActions.closeWelcome()} aria-label={t('welcome.close')}>
        ✕
      </button>
    </div>
  );
}
