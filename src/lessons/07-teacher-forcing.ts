import type { Lesson } from './types.ts';
import { L } from './text.ts';

/** Lesson 7: training scores every position in one pass; generation goes one token at a time. */
export const teacherForcing: Lesson = {
  id: 'teacher-forcing',
  title: L('Training vs generation', '训练与生成', '訓練與生成'),
  steps: [
    {
      region: 'teacher',
      actions: [{ do: 'teacher', text: 'And it came to pass, that the word of the LORD came unto me' }],
      claims: [{ kind: 'teacher-tokens', min: 10 }, { kind: 'forward-passes', max: 1 }],
      text: L(
        'In training the model sees a known text and predicts, at every position at once, the token that really comes next. This is teacher forcing: one parallel pass scores the whole text.',
        '训练时，模型看到一段现成的文本，在每一个位置同时预测真正的下一个词元。这叫教师强制：一次并行计算就给整段文本打完分。',
        '訓練時，模型看到一段現成的文字，在每一個位置同時預測真正的下一個詞元。這叫教師強制：一次平行計算就給整段文字打完分。',
      ),
    },
    {
      region: 'generated',
      actions: [{ do: 'prompt', text: 'And it came to' }, { do: 'step', count: 8 }],
      claims: [{ kind: 'generated-count', value: 8 }, { kind: 'forward-passes', min: 8 }],
      text: L(
        'Generation cannot do that: each next token depends on the one just chosen, so it needs one pass of the model per token. Compare the forward-pass counter in the status bar.',
        '生成就做不到：每个下一个词元都取决于刚刚选出的那个，所以每个词元都要让模型算一遍。对照状态栏里的前向计算次数。',
        '生成就做不到：每個下一個詞元都取決於剛剛選出的那個，所以每個詞元都要讓模型算一遍。對照狀態列裡的前向計算次數。',
      ),
    },
  ],
};
