import type { Lesson } from './types.ts';
import { L } from './text.ts';

/** Lesson 5: beam search — width 1 is greedy, pruning, length penalty, the likeliest sequence. */
export const beam: Lesson = {
  id: 'beam',
  title: L('Beam search', '束搜索', '集束搜尋'),
  steps: [
    {
      region: 'generated',
      actions: [{ do: 'settings', maxNewTokens: 6 }, { do: 'prompt', text: 'And God said, Let there be' }, { do: 'step', count: 6 }],
      claims: [{ kind: 'generated-count', value: 6 }],
      text: L(
        'Greedy takes the top token at every step: “ no more be any thing,”. But is this the most likely six-token continuation?',
        '贪心每一步都选最可能的词元：“ no more be any thing,”。可这是最可能的六个词元的续写吗？',
        '貪婪每一步都選最可能的詞元：「 no more be any thing,」。可這是最可能的六個詞元的續寫嗎？',
      ),
    },
    {
      region: 'beam-tree',
      actions: [{ do: 'home' }, { do: 'settings', strategy: 'beam', beam: { beamWidth: 1, lengthPenalty: 1, earlyStopping: 'false' } }, { do: 'step', count: 1 }],
      claims: [{ kind: 'beam-equals-greedy', value: true }],
      text: L(
        'Beam search keeps several partial sequences (hypotheses) at once. With beam width 1 it keeps just one, the best: that is exactly greedy.',
        '束搜索同时保留好几个未写完的序列（候选）。束宽为 1 时只留最好的一个：这正好就是贪心。',
        '集束搜尋同時保留好幾個未寫完的序列（候選）。集束寬度為 1 時只留最好的一個：這正好就是貪婪。',
      ),
    },
    {
      region: 'beam-tree',
      actions: [{ do: 'home' }, { do: 'settings', beam: { beamWidth: 3 } }, { do: 'step', count: 1 }],
      claims: [{ kind: 'beams-kept', value: 3 }, { kind: 'beam-pruned', min: 1 }],
      text: L(
        'Beam width 3: at each step every kept hypothesis proposes its best next tokens; only the 3 with the highest total log-probability survive. The others are pruned. “Next beam step ▶” in the beam tree walks through the search.',
        '束宽 3：每一步，每个保留下来的候选都提出自己最好的几个下一个词元；只有总对数概率最高的 3 个留下，其余的被剪掉。点束搜索图里的“束搜索下一步 ▶”，可以一步一步地看搜索过程。',
        '集束寬度 3：每一步，每個保留下來的候選都提出自己最好的幾個下一個詞元；只有總對數機率最高的 3 個留下，其餘的被剪掉。點集束搜尋圖裡的「集束搜尋下一步 ▶」，可以一步一步地看搜尋過程。',
      ),
    },
    {
      region: 'beam-tree',
      actions: [],
      claims: [{ kind: 'beam-equals-greedy', value: false }, { kind: 'beam-beats-greedy' }],
      text: L(
        'The winner starts with “ any”, only the third choice at the first step, yet the whole sequence is more likely than the greedy one. The most likely sequence is not always made of the most likely tokens.',
        '胜出的序列以“ any”开头，它在第一步只排第三，可整句的概率却比贪心那句高。最可能的序列，不一定由每步最可能的词元组成。',
        '勝出的序列以「 any」開頭，它在第一步只排第三，可整句的機率卻比貪婪那句高。最可能的序列，不一定由每步最可能的詞元組成。',
      ),
    },
    {
      region: 'beam-tree',
      actions: [{ do: 'settings', maxNewTokens: 8 }, { do: 'prompt', text: '人生' }, { do: 'step', count: 1 }],
      claims: [{ kind: 'beam-best-eos', value: true }],
      text: L(
        'This step types a new prompt, “人生” (“life”): after it the model likes to end a saying quickly. Length penalty: a finished hypothesis is ranked by its total log-probability ÷ length^α. Every token lowers the total, so without the division (α = 0) short hypotheses would win too easily; α = 1 divides by the length, which removes that advantage. Even so, the two-token “。” + EOS wins here: its tokens are that likely.',
        '这一步换了一个新的提示词“人生”：在它后面，模型喜欢很快结束一句话。长度惩罚：写完的候选按“总对数概率 ÷ 长度^α”排名。每多一个词元总分就更低，所以不做除法（α = 0）时短的候选太占便宜；α = 1 就是除以长度，去掉了这个优势。即便如此，这里只有两个词元的“。”+ EOS 仍然胜出：它的词元就是这么可能。',
        '這一步換了一個新的提示詞「人生」：在它後面，模型喜歡很快結束一句話。長度懲罰：寫完的候選按「總對數機率 ÷ 長度^α」排名。每多一個詞元總分就更低，所以不做除法（α = 0）時短的候選太佔便宜；α = 1 就是除以長度，去掉了這個優勢。即便如此，這裡只有兩個詞元的「。」+ EOS 仍然勝出：它的詞元就是這麼可能。',
      ),
    },
    {
      region: 'beam-tree',
      actions: [{ do: 'home' }, { do: 'settings', beam: { lengthPenalty: 2 } }, { do: 'step', count: 1 }],
      claims: [{ kind: 'beam-best-eos', value: false }],
      text: L(
        'α = 2 divides by the length squared, which favours longer hypotheses: the winner now runs to the length limit instead of ending early.',
        'α = 2 是除以长度的平方，更偏爱长的候选：胜出者一直写到长度上限，而不是早早结束。',
        'α = 2 是除以長度的平方，更偏愛長的候選：勝出者一直寫到長度上限，而不是早早結束。',
      ),
    },
  ],
};
