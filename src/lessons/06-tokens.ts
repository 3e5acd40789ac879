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
      region: 'prompt',
      actions: [{ do: 'prompt', text: '电脑', textHant: '電腦' }],
      claims: [{ kind: 'partial-token' }, { kind: 'prompt-tokens', min: 3 }],
      text: L(
        'This step types “电脑” (“computer”). A Chinese character takes 3 bytes in UTF-8. This model learned from old texts (the Bible, classical sayings), so its vocabulary has no token for 电 or 脑 (“computer”): each character is written with byte tokens, and those chips show their bytes (like E7 94) because each holds only part of a character.',
        '这一步输入“电脑”。一个汉字在 UTF-8 里占 3 个字节。这个模型学的是古老的文本（圣经、古代格言），词表里没有“电”和“脑”的词元：每个字都用字节词元来写。这些小方块显示的是字节（比如 E7 94），因为每一块只装了一个字的一部分。',
        '這一步輸入「電腦」。一個漢字在 UTF-8 裡佔 3 個位元組。這個模型學的是古老的文字（聖經、古代格言），詞表裡沒有「電」和「腦」的詞元：每個字都用位元組詞元來寫。這些小方塊顯示的是位元組（例如 E9 9B），因為每一塊只裝了一個字的一部分。',
      ),
    },
  ],
};
