/**
 * Messages of the byte display, durability notices and the special-token switch, spread into en.ts,
 * zh-Hans.ts and zh-Hant.ts. English is the source of the keys.
 */
export const robustnessEn = {
  'bytes.invalid.interrupted': 'not valid UTF-8: {{byte}} is not followed by a continuation byte',
  'bytes.invalid.stray': 'not valid UTF-8: {{byte}} is a continuation byte with no lead byte before it',
  'bytes.invalid.overlong': 'not valid UTF-8: {{byte}} starts an overlong encoding',
  'bytes.invalid.out-of-range': 'not valid UTF-8: {{byte}} would encode a code point beyond U+10FFFF',
  'bytes.invalid.surrogate': 'not valid UTF-8: {{byte}} would encode a UTF-16 surrogate (U+D800–U+DFFF)',
  'bytes.split': 'bytes of the character “{{char}}”, which is split over several tokens',
  'bytes.open': 'the first bytes of a character whose last bytes have not come yet',
  'storage.unavailable': 'Your work cannot be saved in this browser (storage unavailable: {{reason}}). The session stays in memory; export it before closing the page.',
  'storage.full': 'Browser storage is full: the session is kept in memory but not saved. Export it before closing the page, or free some space.',
  'error.tree-full': 'The tree is full: it holds {{message}} tokens, the most a session can save. Follow a branch that is already there, or start a new tree (a new prompt or New session).',
  'chat.specialToggle': 'Allow special tokens in my text',
  'chat.specialHint': 'Off: text such as <|im_end|> in your messages is tokenized as ordinary text. On: it becomes the real special token, as if you had written the template yourself (a prompt injection).',
  'prompt.injected': 'special token typed in your own text',
};

export type RobustnessMessages = Record<keyof typeof robustnessEn, string>;

export const robustnessZhHans: RobustnessMessages = {
  'bytes.invalid.interrupted': '不是有效的 UTF-8：{{byte}} 后面没有接续字节',
  'bytes.invalid.stray': '不是有效的 UTF-8：{{byte}} 是接续字节，但前面没有首字节',
  'bytes.invalid.overlong': '不是有效的 UTF-8：{{byte}} 开始了一个过长编码',
  'bytes.invalid.out-of-range': '不是有效的 UTF-8：{{byte}} 会编码超出 U+10FFFF 的码位',
  'bytes.invalid.surrogate': '不是有效的 UTF-8：{{byte}} 会编码 UTF-16 代理码位（U+D800–U+DFFF）',
  'bytes.split': '字符“{{char}}”的字节，这个字符被拆到了几个词元中',
  'bytes.open': '某个字符的开头字节，它的其余字节还没有生成',
  'storage.unavailable': '这个浏览器无法保存你的工作（存储不可用：{{reason}}）。会话保留在内存中；关闭页面前请先导出。',
  'storage.full': '浏览器存储已满：会话保留在内存中，但没有保存。关闭页面前请先导出，或腾出一些空间。',
  'error.tree-full': '树已满：它有 {{message}} 个词元，这是一个会话能保存的上限。请沿着已有的分支走，或开始一棵新树（新的提示词或新会话）。',
  'chat.specialToggle': '允许在我的文字中使用特殊词元',
  'chat.specialHint': '关闭：消息中的 <|im_end|> 之类文字按普通文字切分。打开：它会变成真正的特殊词元，就像你亲手写了模板（提示词注入）。',
  'prompt.injected': '你在自己的文字中输入的特殊词元',
};

export const robustnessZhHant: RobustnessMessages = {
  'bytes.invalid.interrupted': '不是有效的 UTF-8：{{byte}} 後面沒有接續位元組',
  'bytes.invalid.stray': '不是有效的 UTF-8：{{byte}} 是接續位元組，但前面沒有首位元組',
  'bytes.invalid.overlong': '不是有效的 UTF-8：{{byte}} 開始了一個過長編碼',
  'bytes.invalid.out-of-range': '不是有效的 UTF-8：{{byte}} 會編碼超出 U+10FFFF 的碼位',
  'bytes.invalid.surrogate': '不是有效的 UTF-8：{{byte}} 會編碼 UTF-16 代理碼位（U+D800–U+DFFF）',
  'bytes.split': '字元「{{char}}」的位元組，這個字元被拆到了幾個詞元中',
  'bytes.open': '某個字元的開頭位元組，它的其餘位元組還沒有生成',
  'storage.unavailable': '這個瀏覽器無法儲存你的工作（儲存空間不可用：{{reason}}）。工作階段保留在記憶體中；關閉頁面前請先匯出。',
  'storage.full': '瀏覽器儲存空間已滿：工作階段保留在記憶體中，但沒有儲存。關閉頁面前請先匯出，或騰出一些空間。',
  'error.tree-full': '樹已滿：它有 {{message}} 個詞元，這是一個工作階段能儲存的上限。請沿著已有的分支走，或開始一棵新樹（新的提示詞或新工作階段）。',
  'chat.specialToggle': '允許在我的文字中使用特殊詞元',
  'chat.specialHint': '關閉：訊息中的 <|im_end|> 之類文字按普通文字切分。開啟：它會變成真正的特殊詞元，就像你親手寫了範本（提示詞注入）。',
  'prompt.injected': '你在自己的文字中輸入的特殊詞元',
};
