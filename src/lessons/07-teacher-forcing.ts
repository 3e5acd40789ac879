import type { Lesson } from './types.ts';
import { L } from './text.ts';

/** Lesson 7: training scores every position in one pass; generation goes one token at a time. */
export const teacherForcing: Lesson = {
  id: 'teacher-forcing',
  title: L('Training vs generation', '训练与生成', '訓練與生成'),
  steps: [
    {
      region: 'prompt',
      actions: [{ do: 'prompt', text: 'And it came to' }],
      claims: [{ kind: 'top-prob', min: 0.5 }],
      text: L(
        'When a model is trained, it does not write: it reads texts that already exist and learns to predict each next token. After “And it came to” it has learned that “ pass” comes next.',
        '模型在训练时不写东西：它读现成的文本，学习预测每一个下一个词元。在“And it came to”之后，它学会了接下来是“ pass”。',
        '模型在訓練時不寫東西：它讀現成的文字，學習預測每一個下一個詞元。在「And it came to」之後，它學會了接下來是「 pass」。',
      ),
    },
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
      actions: [{ do: 'step', count: 8 }],
      claims: [{ kind: 'generated-count', value: 8 }, { kind: 'forward-passes', min: 7, max: 7 }],
      text: L(
        'Generation cannot do that: each next token depends on the one just chosen, so every new token needs its own pass of the model, one after another. The check counts the passes this lesson step ran: 8 new tokens took 7 passes, because the probabilities for the first of them were already computed when the prompt was read (step 1).',
        '生成就做不到：每个下一个词元都取决于刚刚选出的那个，所以每个新词元都要让模型单独算一遍，一个接一个。下面的检查数的是本课这一步运行的前向计算：8 个新词元用了 7 次，因为第一个词元的概率在读入提示词时（第 1 步）就已经算好了。',
        '生成就做不到：每個下一個詞元都取決於剛剛選出的那個，所以每個新詞元都要讓模型單獨算一遍，一個接一個。下面的檢查數的是本課這一步執行的前向計算：8 個新詞元用了 7 次，因為第一個詞元的機率在讀入提示詞時（第 1 步）就已經算好了。',
      ),
    },
  ],
};
