import type { Lesson } from './types.ts';
import { L } from './text.ts';

/** Lesson 6: sub-word pieces, byte tokens inside a Chinese character, leading spaces. */
export const tokens: Lesson = {
  id: 'tokens',
  title: L('Tokens are not words', '词元不是词', '詞元不是詞'),
  steps: [
    {
      region: 'prompt',
      actions: [{ do: 'prompt', text: 'unbelievable wonderful' }],
      claims: [{ kind: 'prompt-tokens', min: 7 }],
      text: L(
        'A model reads tokens, pieces of text from a fixed vocabulary, not words. A word it rarely saw is cut into several pieces: “unbelievable” becomes un·b·el·ie·v·able, while “ wonderful” needs only two.',
        '模型读的是词元——固定词表里的文本片段，而不是词。不常见的词会被切成好几块：“unbelievable”变成 un·b·el·ie·v·able，而“ wonderful”只要两块。',
        '模型讀的是詞元——固定詞表裡的文字片段，而不是詞。不常見的詞會被切成好幾塊：「unbelievable」變成 un·b·el·ie·v·able，而「 wonderful」只要兩塊。',
      ),
    },
    {
      region: 'prompt',
      actions: [{ do: 'prompt', text: 'the the The' }],
      claims: [{ kind: 'leading-space-pair' }],
      text: L(
        'Spaces belong to tokens: “the” at the start and “ the” after a space are different tokens with different ids (the chip shows the space as ␣). Capital “ The” is yet another one.',
        '空格属于词元：开头的“the”和空格后面的“ the”是两个不同的词元，编号也不同（小方块里用 ␣ 表示空格）。大写的“ The”又是另一个。',
        '空格屬於詞元：開頭的「the」和空格後面的「 the」是兩個不同的詞元，編號也不同（小方塊裡用 ␣ 表示空格）。大寫的「 The」又是另一個。',
      ),
    },
    {
      region: 'generated',
      actions: [{ do: 'prompt', text: '子曰：' }, { do: 'step', count: 2 }],
      claims: [{ kind: 'partial-token' }],
      text: L(
        'A Chinese character takes 3 bytes in UTF-8. When the vocabulary has no token for a character, it is written with byte tokens: a chip marked “part of a character” holds only part of a character, and the next token completes it.',
        '一个汉字在 UTF-8 里占 3 个字节。词表里没有这个字的词元时，就用字节词元来写：标为“某个字符的一部分”的小方块只装了一个字的一部分，下一个词元把它补全。',
        '一個漢字在 UTF-8 裡佔 3 個位元組。詞表裡沒有這個字的詞元時，就用位元組詞元來寫：標為「某個字元的一部分」的小方塊只裝了一個字的一部分，下一個詞元把它補全。',
      ),
    },
  ],
};
