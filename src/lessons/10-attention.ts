import type { Lesson } from './types.ts';
import { L } from './text.ts';

/**
 * Lesson 10 (issue #20): self-attention looks back at every earlier token; what the embedded model's
 * weights actually show. Measured on the committed weights (tools/model/attn_reference.py's model,
 * torch): layer 1 head 2 puts its largest weight on the previous token at 27 % of the positions of
 * a 240-token text (average weight 0.12; 66 % here); no induction head — on three repeated phrases
 * the largest weight any head put on the token after the earlier occurrence was 11–17 % and the model
 * predicted 1–2 tokens of each repeat; logit lens: the embeddings' row is the token itself at 71 % of
 * the positions; the final answer is on top from block 1 on at 33 % and only at the output at 32 %.
 */
export const attention: Lesson = {
  id: 'attention',
  title: L('Looking back: attention', '回头看：注意力', '回頭看：注意力'),
  steps: [
    {
      region: 'attention',
      actions: [
        { do: 'prompt', text: 'And God said, Let there be light: and there was' },
        { do: 'attention', layer: 0, head: 'mean' },
      ],
      claims: [{ kind: 'attn-sums-to-one' }],
      text: L(
        'To compute the next token after “ was”, the model lets its newest token look back at every earlier token and take a weighted mix of them: self-attention. The strip shows the weights, one per earlier token; in every head they add up to 100 %. This is why each step can use the whole text, not just the last word.',
        '为了算出“ was”之后的下一个词元，模型让最新的词元回头看前面的每一个词元，并按权重把它们混合起来：这就是自注意力。条带显示这些权重，每个前面的词元一个；在每个头里，它们加起来都是 100%。所以每一步都能用上整段文本，而不只是最后一个词。',
        '為了算出「 was」之後的下一個詞元，模型讓最新的詞元回頭看前面的每一個詞元，並按權重把它們混合起來：這就是自注意力。條帶顯示這些權重，每個前面的詞元一個；在每個頭裡，它們加起來都是 100%。所以每一步都能用上整段文字，而不只是最後一個詞。',
      ),
    },
    {
      region: 'attention',
      actions: [{ do: 'attention', layer: 0, head: 1 }],
      claims: [{ kind: 'attn-previous-token', layer: 0, head: 1, min: 0.5 }],
      text: L(
        'Each layer has several heads, and each head looks for something else. Layer 1, head 2 puts most of its weight on the token just before, “ there”: a previous-token head. In this small model it is a tendency, not a rule: over a 240-token text its largest weight is on the previous token at about a quarter of the positions.',
        '每一层有好几个头，每个头找的东西不一样。第 1 层第 2 个头把大部分权重给了紧挨着的前一个词元“ there”：这是一个“前一个词元”头。在这个小模型里它只是一种倾向，不是规则：在一段 240 个词元的文本中，大约四分之一的位置上，它最大的权重落在前一个词元上。',
        '每一層有好幾個頭，每個頭找的東西不一樣。第 1 層第 2 個頭把大部分權重給了緊挨著的前一個詞元「 there」：這是一個「前一個詞元」頭。在這個小模型裡它只是一種傾向，不是規則：在一段 240 個詞元的文字中，大約四分之一的位置上，它最大的權重落在前一個詞元上。',
      ),
    },
    {
      region: 'attention',
      actions: [
        { do: 'prompt', text: 'A fool and his money are soon parted. A fool and his money are soon' },
        { do: 'attention', layer: 3, head: 1 },
      ],
      claims: [{ kind: 'attn-after-earlier', max: 0.15 }, { kind: 'repeat-not-predicted' }],
      text: L(
        'A phrase repeats: “ soon” came before, followed by “ part(ed)”. Larger models have induction heads that look at the token after the earlier occurrence and copy it, so they would predict “ part”. This tiny model does not: no head puts more than about a tenth of its weight on “ part”, and the model’s top guess is something else. On three repeated phrases we checked, no head gave the token after the earlier occurrence more than 17 %, and the model got only one or two tokens of each repeat right.',
        '一句话重复了：“ soon”前面出现过，后面跟着“ part(ed)”。更大的模型有“归纳头”，会去看前一次出现之后的那个词元并照抄，所以会预测“ part”。这个小模型不会：没有哪个头给“ part”超过大约十分之一的权重，模型最可能的猜测也是别的词元。我们检查过三个重复的短语：没有哪个头给“前一次出现之后的词元”超过 17% 的权重，每次重复模型只猜对一两个词元。',
        '一句話重複了：「 soon」前面出現過，後面跟著「 part(ed)」。更大的模型有「歸納頭」，會去看前一次出現之後的那個詞元並照抄，所以會預測「 part」。這個小模型不會：沒有哪個頭給「 part」超過大約十分之一的權重，模型最可能的猜測也是別的詞元。我們檢查過三個重複的短語：沒有哪個頭給「前一次出現之後的詞元」超過 17% 的權重，每次重複模型只猜對一兩個詞元。',
      ),
    },
    {
      region: 'attention',
      actions: [
        { do: 'prompt', text: 'The LORD is my shepherd; I shall not' },
        { do: 'attention', layer: 0, head: 'mean' },
      ],
      claims: [{ kind: 'lens-embedding-is-token' }, { kind: 'lens-settles', layer: 1 }],
      text: L(
        'The logit lens reads the model’s state after each layer as if it were the last. The embeddings’ row reads as “ not” itself: before any layer the model holds only the word it is reading. After block 1 the guess “ be” is already on top and stays there to the output. In a long text the embeddings’ row is the token itself at about 70 % of the positions; the final answer is on top from block 1 on at a third of them, and only at the output at another third.',
        'Logit lens 把模型在每一层之后的状态当作最后一层来读。嵌入这一行读出来就是“ not”本身：还没经过任何一层时，模型手里只有它正在读的这个词。经过第 1 块之后，猜测“ be”已经排第一，并一直保持到输出。在一段长文本中，大约 70% 的位置上嵌入这一行就是词元本身；三分之一的位置从第 1 块起最终答案就排第一，另外三分之一要到输出才出现。',
        'Logit lens 把模型在每一層之後的狀態當作最後一層來讀。嵌入這一列讀出來就是「 not」本身：還沒經過任何一層時，模型手裡只有它正在讀的這個詞。經過第 1 塊之後，猜測「 be」已經排第一，並一直保持到輸出。在一段長文字中，大約 70% 的位置上嵌入這一列就是詞元本身；三分之一的位置從第 1 塊起最終答案就排第一，另外三分之一要到輸出才出現。',
      ),
    },
  ],
};
