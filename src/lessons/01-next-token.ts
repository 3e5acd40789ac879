import type { Lesson } from './types.ts';
import { L } from './text.ts';

/** Lesson 1: a model gives every token of its vocabulary a probability. */
export const nextToken: Lesson = {
  id: 'next-token',
  title: L('Next-token prediction', '预测下一个词元', '預測下一個詞元'),
  steps: [
    {
      region: 'chart',
      actions: [{ do: 'prompt', text: 'And it came to' }],
      claims: [{ kind: 'top-prob', min: 0.5 }],
      text: L(
        'A language model reads the text so far and gives every token of its vocabulary a probability of coming next. Each bar is one token. After “And it came to” the model is almost sure: “ pass” gets far more than half of the probability.',
        '语言模型读入目前为止的文本，给词表中的每一个词元（token）一个“接下来出现”的概率。每一根条形就是一个词元。在“And it came to”之后，模型几乎可以肯定：“ pass”得到了一大半的概率。',
        '語言模型讀入目前為止的文字，給詞表中的每一個詞元（token）一個「接下來出現」的機率。每一根長條就是一個詞元。在「And it came to」之後，模型幾乎可以肯定：「 pass」得到了一大半的機率。',
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
        'Here the model is unsure: after “白日依山尽，” many tokens get a little probability and none stands out. A flat distribution means many different continuations are possible.',
        '这里模型拿不准：在“白日依山尽，”之后，很多词元各得到一点概率，没有一个突出。分布很平，说明接下来可以有很多种写法。',
        '這裡模型拿不準：在「白日依山尽，」之後，很多詞元各得到一點機率，沒有一個突出。分布很平，表示接下來可以有很多種寫法。',
      ),
    },
  ],
};
