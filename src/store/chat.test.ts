import { describe, expect, it } from 'vitest';
import { templateMessages } from './controller.ts';

describe('templateMessages(chat)', () => {
  it('leaves out an empty (or blank) system message, so the template renders no system turn', () => {
    expect(templateMessages([{ role: 'system', content: ' \n' }, { role: 'user', content: 'Hi' }])).toEqual([{ role: 'user', content: 'Hi' }]);
  });
  it('keeps a system message with text and every other message as typed (empty ones too, spaces untouched)', () => {
    const chat = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: '' },
      { role: 'assistant' as const, content: ' ok ' },
      { role: 'user' as const, content: '己所不欲' },
    ];
    expect(templateMessages(chat)).toEqual(chat);
  });
});
