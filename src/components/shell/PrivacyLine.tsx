import type { ReactNode } from 'react';
import { useApp } from '../../store/store.ts';
import { useT } from '../useT.ts';

/**
 * The privacy line: "nothing you type leaves this machine" — true only for the in-browser model;
 * while a server engine is connected it names the host prompts are sent to.
 */
export function PrivacyLine({ className, children }: { className: string; children?: ReactNode }) {
  const { t } = useT();
  const engine = useApp((s) => s.info?.engine);
  return (
    <p className={className} data-testid="privacy-line" data-engine={engine ? 'server' : 'browser'}>
      {engine ? t('engine.privacy', { host: engine.host }) : t('app.privacy')}
      {children}
    </p>
  );
}
