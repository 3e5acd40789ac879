import type { Lesson } from './types.ts';
import { L } from './text.ts';

/** Lesson 4: greedy, sampling, temperature, top-k, top-p, min-p — and why greedy repeats itself. */
export const choosing: Lesson = {
  id: 'choosing',
  title: L('Choosing a token', '怎样选出一个词元', '怎樣選出一個詞元'),
  steps: [
    {
      region: 'chart',
      actions: [{ do: 'prompt', text: 'A fool and his money' }, { do: 'step', count: 1 }],
      claims: [{ kind: 'chosen-rank', max: 1 }],
      text: L(
        'Greedy decoding always takes the most likely token. Here that is “,” with about 27 %: the same prompt always gives the same text.',
        '贪心解码总是选最可能的词元。这里是“,”，大约 27%：同样的提示词永远得到同样的文本。',
        '貪婪解碼總是選最可能的詞元。這裡是「,」，大約 27%：同樣的提示詞永遠得到同樣的文字。',
      ),
    },
    {
      region: 'chart',
      actions: [{ do: 'back', count: 1 }, { do: 'settings', strategy: 'sample', seed: 11, sampling: { temperature: 1 } }, { do: 'step', count: 1 }],
      claims: [{ kind: 'chosen-rank', min: 2 }],
      text: L(
        'Sampling rolls a die instead. Stack the bars end to end from 0 to 1; a random number u picks the token whose stretch contains it. With seed 11 the die gives u ≈ 0.62, which lands on a less likely token.',
        '采样则是掷骰子。把条形首尾相接排成从 0 到 1 的一段；随机数 u 落在哪个词元的那一截，就选哪个。种子为 11 时，骰子给出 u ≈ 0.62，落在一个不那么可能的词元上。',
        '取樣則是擲骰子。把長條首尾相接排成從 0 到 1 的一段；隨機數 u 落在哪個詞元的那一截，就選哪個。種子為 11 時，骰子給出 u ≈ 0.62，落在一個不那麼可能的詞元上。',
      ),
    },
    {
      region: 'chart',
      actions: [{ do: 'back', count: 1 }, { do: 'settings', sampling: { temperature: 0.3 } }, { do: 'step', count: 1 }],
      claims: [{ kind: 'chosen-rank', max: 1 }, { kind: 'same-draw-different-token' }],
      text: L(
        'Same prompt, same die roll, lower temperature. The logits are divided by the temperature: below 1 the distribution gets sharper, so the top token now covers most of the range and the same u picks it. Above 1 it gets flatter.',
        '同样的提示词、同样的骰子点数，只是温度更低。logits 要除以温度：温度小于 1，分布变尖，最可能的词元占了大部分区间，同一个 u 就选中了它。温度大于 1，分布变平。',
        '同樣的提示詞、同樣的骰子點數，只是溫度更低。logits 要除以溫度：溫度小於 1，分布變尖，最可能的詞元佔了大部分區間，同一個 u 就選中了它。溫度大於 1，分布變平。',
      ),
    },
    {
      region: 'settings',
      actions: [{ do: 'back', count: 1 }, { do: 'settings', sampling: { temperature: 1, topK: 3 } }],
      claims: [{ kind: 'kept-count', max: 3 }],
      text: L(
        'Top-k keeps only the k most likely tokens (here 3) and shares their probability out again so it adds up to 100 %. Every other token can no longer be chosen.',
        'top-k 只保留最可能的 k 个词元（这里 k = 3），再把概率重新分配，使总和还是 100%。其他词元都不可能再被选中。',
        'top-k 只保留最可能的 k 個詞元（這裡 k = 3），再把機率重新分配，使總和還是 100%。其他詞元都不可能再被選中。',
      ),
    },
    {
      region: 'settings',
      actions: [{ do: 'settings', sampling: { topK: 0, topP: 0.5 } }],
      claims: [{ kind: 'kept-count', max: 5 }],
      text: L(
        'Top-p (nucleus) keeps the most likely tokens until together they reach p, here 50 %. When the model is sure, few tokens are kept; when it is unsure, many.',
        'top-p（核采样）从最可能的词元开始保留，直到它们加起来达到 p（这里是 50%）。模型有把握时只留下几个，没把握时会留下很多。',
        'top-p（核取樣）從最可能的詞元開始保留，直到它們加起來達到 p（這裡是 50%）。模型有把握時只留下幾個，沒把握時會留下很多。',
      ),
    },
    {
      region: 'settings',
      actions: [{ do: 'settings', sampling: { topP: 1, minP: 0.2 } }],
      claims: [{ kind: 'kept-count', max: 4 }],
      text: L(
        'Min-p keeps every token whose probability is at least p times that of the top token: here 0.2 × 27 % ≈ 5 %.',
        'min-p 保留概率至少是最高词元 p 倍的所有词元：这里是 0.2 × 27% ≈ 5%。',
        'min-p 保留機率至少是最高詞元 p 倍的所有詞元：這裡是 0.2 × 27% ≈ 5%。',
      ),
    },
    {
      region: 'generated',
      actions: [{ do: 'settings', strategy: 'greedy', sampling: { minP: 0 } }, { do: 'home' }, { do: 'step', count: 8 }],
      claims: [{ kind: 'repeats', length: 3 }],
      text: L(
        'Why greedy can repeat itself: always taking the top token can lead back to the same words, and the same words then give the same prediction again: “, and his wife, and his wife …”. Sampling breaks such loops.',
        '为什么贪心会重复自己：总选最可能的词元，可能绕回到同样的词，而同样的词又带来同样的预测：“, and his wife, and his wife …”。采样可以打破这种循环。',
        '為什麼貪婪會重複自己：總選最可能的詞元，可能繞回到同樣的詞，而同樣的詞又帶來同樣的預測：「, and his wife, and his wife …」。取樣可以打破這種循環。',
      ),
    },
  ],
};
