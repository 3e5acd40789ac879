import type { Lesson } from './types.ts';
import { L } from './text.ts';

/** Lesson 3: the three ways generation ends. */
export const stopping: Lesson = {
  id: 'stopping',
  title: L('When does it stop?', '什么时候停下？', '什麼時候停下？'),
  steps: [
    {
      region: 'generated',
      actions: [{ do: 'prompt', text: '人生' }, { do: 'run-to-end' }],
      claims: [{ kind: 'stop-reason', reason: 'eos' }, { kind: 'generated-count', value: 7 }],
      text: L(
        'The model itself can end the text: it has a special end-of-sequence token (EOS). After “人生” it writes a short saying and then chooses EOS, and generation stops.',
        '模型自己可以结束文本：它有一个特殊的“序列结束”词元（EOS）。在“人生”之后，它写了一句短话，然后选了 EOS，生成就停下了。',
        '模型自己可以結束文字：它有一個特殊的「序列結束」詞元（EOS）。在「人生」之後，它寫了一句短話，然後選了 EOS，生成就停下了。',
      ),
    },
    {
      region: 'chart',
      actions: [],
      claims: [{ kind: 'eos-prob', min: 0.4 }],
      text: L(
        'The chart shows how the last token was chosen: EOS had about half of the probability. After “。” the model “thinks” the saying is complete.',
        '图表显示最后一个词元是怎样选出来的：EOS 占了大约一半的概率。在“。”之后，模型“觉得”这句话已经说完了。',
        '圖表顯示最後一個詞元是怎樣選出來的：EOS 佔了大約一半的機率。在「。」之後，模型「覺得」這句話已經說完了。',
      ),
    },
    {
      region: 'settings',
      actions: [{ do: 'settings', maxNewTokens: 5 }, { do: 'prompt', text: 'A fool and his money' }, { do: 'run-to-end' }],
      claims: [{ kind: 'stop-reason', reason: 'max-length' }, { kind: 'generated-count', value: 5 }],
      text: L(
        'The second way to stop: a limit on new tokens. With “max new tokens” set to 5, generation stops after 5 tokens, even though the model would go on.',
        '第二种停法：限制新词元的数量。把“最多生成词元数”设为 5，生成 5 个词元后就停下，哪怕模型还想继续。',
        '第二種停法：限制新詞元的數量。把「最多產生詞元數」設為 5，生成 5 個詞元後就停下，即使模型還想繼續。',
      ),
    },
    {
      region: 'controls',
      actions: [{ do: 'settings', maxNewTokens: 32 }, { do: 'play-then-pause', steps: 2 }],
      claims: [{ kind: 'stop-reason', reason: 'user' }, { kind: 'generated-count', value: 7 }],
      text: L(
        'The third way: you stop it. Play generates one token after another on its own; Pause stops it wherever it is.',
        '第三种：你来停。“播放”会一个接一个地自动生成词元；“暂停”让它停在当前位置。',
        '第三種：你來停。「播放」會一個接一個地自動產生詞元；「暫停」讓它停在目前位置。',
      ),
    },
  ],
};
