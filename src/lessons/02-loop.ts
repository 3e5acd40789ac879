import type { Lesson } from './types.ts';
import { L } from './text.ts';

/** Lesson 2: predict → choose → append → predict again. */
export const loop: Lesson = {
  id: 'loop',
  title: L('The loop: predict, choose, append', '循环：预测、选择、追加', '迴圈：預測、選擇、追加'),
  steps: [
    {
      region: 'prompt',
      actions: [{ do: 'prompt', text: 'A fool and his money' }],
      claims: [{ kind: 'prompt-tokens', min: 2 }, { kind: 'generated-count', value: 0 }],
      text: L(
        'The prompt is cut into tokens: the chips. The model reads all of them and predicts the token that comes next.',
        '提示词被切成一个个词元，就是这些小方块。模型把它们全部读进去，然后预测下一个词元。',
        '提示詞被切成一個個詞元，就是這些小方塊。模型把它們全部讀進去，然後預測下一個詞元。',
      ),
    },
    {
      region: 'generated',
      actions: [{ do: 'step', count: 1 }],
      claims: [{ kind: 'generated-count', value: 1 }, { kind: 'chosen-rank', max: 1 }],
      text: L(
        'Step chooses a token (here the most likely one, “,”) and appends it to the text. The chart now shows how that token was chosen. At the next Step the model reads the prompt plus “,” and predicts again.',
        '“下一步”选出一个词元（这里选最可能的“,”），把它接到文本后面。图表现在显示的是这个词元是怎样被选出来的。再按“下一步”，模型会读入提示词加上“,”，再预测一次。',
        '「下一步」選出一個詞元（這裡選最可能的「,」），把它接到文字後面。圖表現在顯示的是這個詞元是怎樣被選出來的。再按「下一步」，模型會讀入提示詞加上「,」，再預測一次。',
      ),
    },
    {
      region: 'chart',
      actions: [{ do: 'step', count: 3 }],
      claims: [{ kind: 'generated-count', value: 4 }, { kind: 'forward-passes', min: 3 }],
      text: L(
        'Predict → choose → append → predict again. Every new token needs one more pass through the model, and the context the model reads grows by one token at each step.',
        '预测 → 选择 → 追加 → 再预测。每个新词元都要让模型再算一遍，模型读到的上下文每一步都多一个词元。',
        '預測 → 選擇 → 追加 → 再預測。每個新詞元都要讓模型再算一遍，模型讀到的上下文每一步都多一個詞元。',
      ),
    },
    {
      region: 'path-tree',
      actions: [],
      claims: [{ kind: 'generated-count', value: 4 }],
      text: L(
        '“Explored paths” keeps every step. Click a node to go back to that point of the text; Back ◀ goes back one token without running the model.',
        '“探索过的路径”记下了每一步。点一个节点就回到文本的那个位置；“上一步”退回一个词元，不需要再运行模型。',
        '「探索過的路徑」記下了每一步。點一個節點就回到文字的那個位置；「上一步」退回一個詞元，不需要再執行模型。',
      ),
    },
  ],
};
