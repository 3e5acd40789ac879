import type { Lesson } from './types.ts';
import { L } from './text.ts';

/** Lesson 1: a model gives every token of its vocabulary a probability. */
export const nextToken: Lesson = {
  id: 'next-token',
  title: L('Next-token prediction', '预测下一个词元', '預測下一個詞元'),
  steps: [
    {
      region: 'chart',
      // sampling with no filter: the final probability is the model's, no bar is cut away
      actions: [{ do: 'settings', strategy: 'sample' }, { do: 'prompt', text: 'And it came to' }],
      claims: [{ kind: 'top-prob', min: 0.9 }],
      text: L(
        'A language model reads the text so far and gives every token of its vocabulary a probability of coming next. Each bar is one token. After “And it came to” the model is almost sure: “ pass” gets almost all of the probability (about 97 %).',
        '语言模型读入目前为止的文本，给词表中的每一个词元（token）一个“接下来出现”的概率。每一根条形就是一个词元。在“And it came to”之后，模型几乎可以肯定：“ pass”得到了几乎全部的概率（大约 97%）。',
        '語言模型讀入目前為止的文字，給詞表中的每一個詞元（token）一個「接下來出現」的機率。每一根長條就是一個詞元。在「And it came to」之後，模型幾乎可以肯定：「 pass」得到了幾乎全部的機率（大約 97%）。',
      ),
    },
    {
      region: 'chart',
      actions: [],
      claims: [{ kind: 'sums-to-one' }],
      text: L(
        'Only the most likely tokens get a bar of their own. The bar “all other tokens” holds the rest of the vocabulary: thousands of tokens, each very unlikely. All bars together make exactly 100 %.',
        '只有最可能的几个词元有自己的条形。“其余所有词元”那一栏装着词表里剩下的部分：几千个词元，每一个都很不可能。所有条形加起来正好是 100%。',
        '只有最可能的幾個詞元有自己的長條。「其餘所有詞元」那一欄裝著詞表裡剩下的部分：幾千個詞元，每一個都很不可能。所有長條加起來正好是 100%。',
      ),
    },
    {
      region: 'chart',
      actions: [{ do: 'prompt', text: '白日依山尽，' }],
      claims: [{ kind: 'top-prob', max: 0.1 }],
      text: L(
        'This step types a new prompt: “白日依山尽，”, the first line of a Tang poem. Here the model is unsure: many tokens get a little probability and none stands out. A flat distribution means many different continuations are possible.',
        '这一步换了一个新的提示词：“白日依山尽，”，一首唐诗的第一句。这里模型拿不准：很多词元各得到一点概率，没有一个突出。分布很平，说明接下来可以有很多种写法。',
        '這一步換了一個新的提示詞：「白日依山尽，」，一首唐詩的第一句（「尽」保留簡體：模型的詞表裡沒有「盡」這個詞元，它會被拆成位元組）。這裡模型拿不準：很多詞元各得到一點機率，沒有一個突出。分布很平，表示接下來可以有很多種寫法。',
      ),
    },
    {
      region: 'chart',
      actions: [{ do: 'prompt', text: '今天天气真', textHant: '今天天氣真' }],
      claims: [{ kind: 'top-prob', max: 0.3 }],
      text: L(
        'This step types “今天天气真” (“the weather today is really…”). A model that knows modern Chinese would give 好 (“good”) most of the probability. This small model learned only old texts and classical poems: it prefers “，” and gives 好 less than 1 %. What a model predicts depends on what it read.',
        '这一步输入“今天天气真”。懂现代中文的模型会把大部分概率给“好”。这个小模型只学过古老的文本和古诗：它更偏向“，”，给“好”的概率不到 1%。模型预测什么，取决于它读过什么。',
        '這一步輸入「今天天氣真」。懂現代中文的模型會把大部分機率給「好」。這個小模型只學過古老的文字和古詩：它比較偏向「，」，給「好」的機率不到 1%。模型預測什麼，取決於它讀過什麼。',
      ),
    },
  ],
};
