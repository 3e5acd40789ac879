import { useEffect, useRef } from 'react';
import { useApp } from '../store/store.ts';
import { Header } from './shell/Header.tsx';
import { StatusBar } from './shell/StatusBar.tsx';
import { ErrorBanner } from './shell/ErrorBanner.tsx';
import { SessionNotices } from './shell/SessionNotices.tsx';
import { UpdateNotice } from './shell/UpdateNotice.tsx';
import { ModelCard } from './shell/ModelCard.tsx';
import { PromptPanel } from './tokens/PromptPanel.tsx';
import { GeneratedText } from './tokens/GeneratedText.tsx';
import { StepControls } from './controls/StepControls.tsx';
import { DistributionChart } from './distribution/DistributionChart.tsx';
import { SettingsPanel } from './settings/SettingsPanel.tsx';
import { PathTree } from './trees/PathTree.tsx';
import { BeamTree } from './trees/BeamTree.tsx';
import { Metrics } from './metrics/Metrics.tsx';
import { TeacherForcing } from './teacher/TeacherForcing.tsx';
import { Announcer } from './shell/Announcer.tsx';
import { useT } from './useT.ts';

/** The page: regions only; each reads the store and dispatches actions. */
export function App() {
  const { t } = useT();
  const presenter = useApp((s) => s.presenter);
  const language = useApp((s) => s.language);
  const mainRef = useRef<HTMLElement>(null);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  return (
    <div className={presenter ? 'app presenter' : 'app'}>
      <Header />
      <ErrorBanner />
      <SessionNotices />
      <UpdateNotice />
      <main ref={mainRef} className="layout" data-testid="main-regions">
        <div className="col col-text">
          <PromptPanel />
          <StepControls />
          <GeneratedText />
        </div>
        <div className="col col-chart">
          <DistributionChart />
        </div>
        <div className="col col-settings">
          <SettingsPanel />
          <Metrics />
        </div>
        <div className="col col-wide">
          <PathTree />
          <BeamTree />
          <TeacherForcing />
        </div>
        <p className="privacy muted">{t('app.privacy')}</p>
      </main>
      <StatusBar />
      <ModelCard />
      <Announcer />
    </div>
  );
}
