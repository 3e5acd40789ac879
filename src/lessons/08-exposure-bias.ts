import type { Lesson } from './types.ts';
import { L } from './text.ts';

/** Lesson 8: an early unlikely token and the drift that follows (exposure bias). */
export const exposureBias: Lesson = {
  id: 'exposure-bias',
  title: L('One early mistake', '一步走错', '一步走錯'),
  steps: [
    {
      region: 'generated',
      actions: [{ do: 'prompt', text: 'And it came to' }, { do: 'step', count: 7 }],
      claims: [{ kind: 'generated-count', value: 7 }],
      text: L(
        'The usual continuation: “ pass, that the word of the”. Every token follows the text the model saw in training.',
        '平常的续写：“ pass, that the word of the”。每个词元都顺着模型在训练中见过的文本走。',
        '平常的續寫：「 pass, that the word of the」。每個詞元都順著模型在訓練中見過的文字走。',
      ),
    },
    {
      region: 'path-tree',
      actions: [{ do: 'home' }, { do: 'choose-rank', rank: 11 }, { do: 'step', count: 6 }],
      claims: [{ kind: 'generated-count', value: 7 }],
      text: L(
        'Now force an unlikely first token (the 11th, “ Bet”) and let greedy go on. The model never learned to recover from its own mistakes: it continues, but less confidently, and the text drifts (“Bethab…”). One early error shapes everything after it.',
        '现在强行放一个不太可能的第一个词元（排第 11 的“ Bet”），然后用贪心接着写。模型从没学过怎样从自己的错误里恢复：它继续写，但把握更小，文本越跑越偏（“Bethab…”）。一开始的一个错误影响了后面的一切。',
        '現在強行放一個不太可能的第一個詞元（排第 11 的「 Bet」），然後用貪婪接著寫。模型從沒學過怎樣從自己的錯誤裡恢復：它繼續寫，但把握更小，文字越跑越偏（「Bethab…」）。一開始的一個錯誤影響了後面的一切。',
      ),
    },
    {
      region: 'path-tree',
      actions: [],
      claims: [{ kind: 'branch-less-confident' }],
      text: L(
        'Compare the two branches in the tree. After the forced token, each token of the new branch is on average less probable than on the usual branch (the check shows how many times as probable). In training the model only ever read real text, never its own mistakes, so it has not learned what to do after one: this is called exposure bias.',
        '在树里比较两个分支。强行放入的词元之后，新分支上的每个词元平均都比平常那条分支上的更不可能（下面的检查显示是多少倍）。训练时，模型读的都是真实的文本，从没读过自己的错误，所以它没学过出错之后该怎么办：这叫作暴露偏差。',
        '在樹裡比較兩個分支。強行放入的詞元之後，新分支上的每個詞元平均都比平常那條分支上的更不可能（下面的檢查顯示是多少倍）。訓練時，模型讀的都是真實的文字，從沒讀過自己的錯誤，所以它沒學過出錯之後該怎麼辦：這叫作暴露偏差。',
      ),
    },
  ],
};
