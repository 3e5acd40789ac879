import { useEffect, useRef } from 'react';
import { DownloadSource } from './models/DownloadSource.tsx';
import { SpeculativePanel } from './speculative/SpeculativePanel.tsx';
import { useApp } from '../store/store.ts';
import { Header } from './shell/Header.tsx';
import { StatusBar } from './shell/StatusBar.tsx';
import { PrivacyLine } from './shell/PrivacyLine.tsx';
import { ErrorBanner } from './shell/ErrorBanner.tsx';
import { SessionNotices } from './shell/SessionNotices.tsx';
import { UpdateNotice } from './shell/UpdateNotice.tsx';
import { ModelCard } from './shell/ModelCard.tsx';
import { PromptPanel } from './tokens/PromptPanel.tsx';
import { GeneratedText } from './tokens/GeneratedText.tsx';
import { StepControls } from './controls/StepControls.tsx';
import { DistributionChart } from './distribution/DistributionChart.tsx';
import { AttentionPanel } from './attention/AttentionPanel.tsx';
import { SettingsPanel } from './settings/SettingsPanel.tsx';
import { PathTree } from './trees/PathTree.tsx';
import { BeamTree } from './trees/BeamTree.tsx';
import { Metrics } from './metrics/Metrics.tsx';
import { TeacherForcing } from './teacher/TeacherForcing.tsx';
import { Announcer } from './shell/Announcer.tsx';
import { ComparePanel } from './compare/ComparePanel.tsx';
import { MonteCarloPanel } from './classroom/MonteCarloPanel.tsx';
import { QuizPanel } from './classroom/QuizPanel.tsx';
import { VotePanel } from './classroom/VotePanel.tsx';
import { LessonPanel } from './lessons/LessonPanel.tsx';
import { Region } from './lessons/Region.tsx';
import { Welcome } from './shell/Welcome.tsx';
import { useView } from '../store/view.ts';

/** The page: regions only; each reads the store and dispatches actions. */
export function App() {
  const presenter = useApp((s) => s.presenter);
  const language = useApp((s) => s.language);
  const comparing = useApp((s) => s.compare.on);
  const student = useView((s) => s.studentView);
  const mainRef = useRef<HTMLElement>(null);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  return (
    <div className={`app${presenter ? ' presenter' : ''}${student ? ' student' : ''}`}>
      <Header />
      <Welcome />
      <ErrorBanner />
      <SessionNotices />
      <LessonPanel />
      <UpdateNotice />
      <main ref={mainRef} className="layout" data-testid="main-regions">
        {comparing && (
          <div className="col col-wide">
            <ComparePanel />
          </div>
        )}
        <div className="col col-text">
          <Region id="prompt"><PromptPanel /></Region>
          <Region id="controls"><StepControls /></Region>
          <Region id="generated"><GeneratedText /></Region>
        </div>
        <div className="col col-chart">
          <Region id="chart"><DistributionChart /></Region>
          <Region id="attention"><AttentionPanel /></Region>
          <QuizPanel />
          <VotePanel />
        </div>
        <div className="col col-settings">
          <Region id="settings"><SettingsPanel /></Region>
          <Region id="metrics"><Metrics /></Region>
        </div>
        <div className="col col-wide">
          <Region id="path-tree"><PathTree /></Region>
          <Region id="beam-tree"><BeamTree /></Region>
          <Region id="teacher"><TeacherForcing /></Region>
          <SpeculativePanel />
          <MonteCarloPanel />
        </div>
        <PrivacyLine className="privacy muted">
          {' '}
          <DownloadSource />
        </PrivacyLine>
      </main>
      <StatusBar />
      <ModelCard />
      <Announcer />
    </div>
  );
}
