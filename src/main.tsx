import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App.tsx';
import { detectLanguage, initI18n } from './i18n/index.ts';
import { appStore } from './store/store.ts';
import { controller } from './store/controller.ts';
import { EMBEDDED_MODEL, EXAMPLE_PROMPTS } from './config.ts';
import './styles.css';
import { registerServiceWorker } from './pwa/register.ts';
import { attentionStore } from './store/attention.ts';

function savedLanguage(): string | null {
  try {
    return localStorage.getItem('token-by-token:language');
  } catch {
    return null;
  }
}
const saved = savedLanguage();
const language = detectLanguage([...(saved ? [saved] : []), ...(navigator.languages?.length ? navigator.languages : [navigator.language])]);
initI18n(language);
appStore.setState({ language, prompt: EXAMPLE_PROMPTS[0].text });

// the model worker starts before the first render, so its download and compile overlap React's work
const loaded = controller.loadModel({ kind: 'embedded', name: EMBEDDED_MODEL });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

const started = loaded.then(async () => {
  // a share link opens its path (and then is saved like any session); otherwise the last session
  const shared = await controller.openShared(location.hash);
  if (shared !== 'none') history.replaceState(null, '', location.pathname + location.search);
  if (shared === 'opened') await controller.startSaving();
  else {
    // a refused link leaves the saved session as it was (the notice says why the link did not open)
    const problem = appStore.getState().sessionProblem;
    await controller.restoreSession();
    if (shared === 'refused' && !appStore.getState().sessionProblem) appStore.setState({ sessionProblem: problem, sessionProblemSource: 'share' });
  }
});

// offline copy and, on hosts without COOP/COEP headers, cross-origin isolation (docs/DEPLOY.md);
// registered once the model is up, so its 26 MB precache download does not slow the first load
void started.then(registerServiceWorker, registerServiceWorker);

// a handle for end-to-end tests and benchmarks (read-only use)
(window as unknown as { __app: unknown }).__app = { store: appStore, controller, attention: attentionStore };
